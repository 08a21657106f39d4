"""`GET /api/v1/moi`: who the token is — the desk, what it may register and consult.

The smallest authenticated call, for a vendor to check a token and its desk's set-up before
sending demandes. Read from the rights layer, as every endpoint (`droits_de`)."""

from ninja import Field, Router, Schema

from sne.comptes.droits import droits_de

router = Router(tags=["Authentification"])


class CommuneDuPerimetre(Schema):
    code_insee: str = Field(title="Code INSEE", description="Code officiel géographique")
    nom: str = Field(title="Nom", description="Nom officiel de la commune")


class Perimetre(Schema):
    departements: list[str] = Field(
        title="Départements entiers", description="Codes des départements consultés en entier"
    )
    communes: list[CommuneDuPerimetre] = Field(
        title="Communes", description="Communes consultées en plus des départements entiers"
    )


class JetonSortie(Schema):
    prefixe: str = Field(
        title="Début du jeton", description="Pour le reconnaître, par exemple `sne_75BA1_ab12cd`"
    )
    libelle: str = Field(title="Libellé", description="Le système déclaré à sa création")


class Moi(Schema):
    code: str = Field(title="Code du guichet", description="5 caractères, par exemple `75BA1`")
    nom: str = Field(title="Nom du guichet", description="Tel que le gestionnaire l'a saisi")
    organisation: str = Field(
        title="Organisation", description="L'organisme du guichet (bailleur, commune…)"
    )
    parametre: bool = Field(
        title="Paramétrage terminé",
        description="`false` tant que le gestionnaire n'a pas finalisé le paramétrage : le "
        "guichet n'enregistre pas encore de demandes",
    )
    departements_habilites: list[str] = Field(
        title="Départements habilités",
        description="Codes des départements où le guichet enregistre des demandes",
    )
    perimetre_consultation: Perimetre = Field(
        title="Périmètre de consultation", description="Les demandes que le guichet peut lire"
    )
    peut_enregistrer: bool = Field(
        title="Peut enregistrer",
        description="Le jeton agit avec une habilitation de saisie en cours sur le guichet",
    )
    jeton: JetonSortie = Field(
        title="Jeton utilisé", description="Le jeton de cette requête, tel que la liste le montre"
    )


@router.get(
    "/moi",
    response=Moi,
    summary="Le guichet du jeton",
    description="Le guichet pour lequel agit le jeton, ses départements habilités et son "
    "périmètre de consultation. Sert à vérifier un jeton : 401 `jeton_invalide` s'il est "
    "absent, inconnu ou révoqué.",
)
def moi(request):
    jeton = request.auth
    guichet = jeton.guichet
    droits = droits_de(request.user)
    return {
        "code": guichet.code,
        "nom": guichet.nom,
        "organisation": guichet.organisation.nom,
        "parametre": guichet.est_parametre,
        "departements_habilites": sorted(d.code for d in guichet.departements.all()),
        "perimetre_consultation": {
            "departements": sorted(d.code for d in guichet.consultation_departements.all()),
            "communes": [
                {"code_insee": c.code_insee, "nom": c.nom}
                for c in guichet.consultation_communes.order_by("code_insee")
            ],
        },
        "peut_enregistrer": droits.saisit_pour(guichet),
        "jeton": {"prefixe": jeton.prefixe, "libelle": jeton.libelle},
    }
