"""The lifecycle of a demande through the API (API-CONTRACT « Demandes », issue 10): renew,
strike off, reactivate, split for a separation, and read the latest attestation.

Each endpoint calls the one service the agent pages call (`sne.demandes.services`,
`sne.attestations.services`) with the token's technical account (`request.user`) and its desk
(`guichet_de`): the rules, the history, the change feed and the attestations are theirs. The
numéro of the path is looked for within the desk's consultation scope (`demande_de`: 404
outside it, as on the pages); acting on it also needs the desk to be one that may act on it
(`guichet_agissant`, the rule of the pages' `pour_agir`), else 403."""

from datetime import date

from django.http import HttpResponse
from ninja import Field, Path, Router, Schema, Status
from pydantic import field_validator

from sne.attestations import services as attestations
from sne.demandes import nomenclatures as n
from sne.demandes import services
from sne.demandes.models import Demande
from sne.demandes.regles import IDENTIFIANT_MAX
from sne.demandes.schemas import valider_telephone
from sne.demandes.services.separation import SITUATIONS_APRES_SEPARATION, Separation
from sne.exceptions import Introuvable
from sne.organisations.models import Guichet

from .commun import EtatDemande, demande_de, etat_de, guichet_de

router = Router(tags=["Cycle de vie"])

LONGUEUR_COMMENTAIRE_MAX = 2000  # as the pages' forms (`RadiationForm`, `ReactivationForm`)
PERSONNES_A_CHARGE_MAX = 30  # far above any household; bounds the list a client may send

NUMERO = "Le numéro unique de la demande (18 caractères, espaces et minuscules tolérés)"
REPONSES_ACTION = {
    "403": {
        "description": "Le guichet ne peut pas agir sur cette demande : il peut la lire mais "
        "n'est pas habilité sur son département (`departement_non_habilite`), ou son "
        "paramétrage n'est pas finalisé (`guichet_non_parametre`)"
    },
    "404": {
        "description": "Aucune demande de ce numéro dans le périmètre de consultation du "
        "guichet (`demande_introuvable`, numéros proches dans `suggestions`)"
    },
}


def _libelles(choix) -> str:
    return ", ".join(f"`{valeur}` ({libelle})" for valeur, libelle in choix)


def _pour_agir(request, numero_unique: str) -> tuple[Demande, Guichet]:
    """The visible demande of the path and the token's desk. Whether that desk may act on it
    (the one that registered it, or a desk habilitated on its département; else 403
    `departement_non_habilite`) is checked by each service itself
    (`regles.exiger_saisie_sur`), for every entry point alike."""
    return demande_de(request, numero_unique), guichet_de(request)


# --- Renewal ---------------------------------------------------------------------------------


@router.post(
    "/demandes/{numero_unique}/renouvellement",
    response=EtatDemande,
    summary="Renouveler une demande",
    description="Renouvelle la demande pour un an à compter d'aujourd'hui (CCH R441-2-7) ; "
    "l'ancienneté (`date_depot`) ne change pas. L'attestation de renouvellement est produite "
    "et envoyée au demandeur juste après (par e-mail, ou par courrier s'il n'en a pas) ; elle "
    "est ensuite lisible à `attestation_url`. Une demande radiée se réactive "
    "(`/reactivation`), elle ne se renouvelle pas (422 `demande_radiee`).",
    openapi_extra={
        "responses": {
            **REPONSES_ACTION,
            "422": {
                "description": "Demande radiée (`demande_radiee`) ou numéro mal formé "
                "(`numero_trop_court`…)"
            },
        }
    },
)
def renouvellement(
    request, numero_unique: str = Path(..., description=NUMERO, examples=["075112600001275BA1"])
):
    demande, guichet = _pour_agir(request, numero_unique)
    return etat_de(services.renouveler(demande, request.user, guichet))


# --- Radiation -------------------------------------------------------------------------------


class Radiation(Schema):
    """Une radiation (CCH R441-2-8) : le motif, et ce que ce motif exige."""

    motif: n.MotifRadiation = Field(
        title="Motif",
        description="L'un de : " + _libelles(n.MotifRadiation.choices),
        examples=["attribution"],
    )
    sous_motif: str = Field(
        "",
        max_length=30,
        title="Sous-motif",
        description="Obligatoire pour `irrecevabilite`, interdit pour les autres motifs : "
        + _libelles(n.SousMotifIrrecevabilite.choices),
        examples=[""],
    )
    commentaire: str = Field(
        "",
        max_length=LONGUEUR_COMMENTAIRE_MAX,
        title="Commentaire",
        description="Écrit dans l'historique de la demande (facultatif)",
        examples=["Bail signé le 25/11/2026, logement T3 à Montreuil."],
    )
    date_avertissement: date | None = Field(
        None,
        title="Date du courrier d'avertissement",
        description="Obligatoire pour `irrecevabilite` et `impossibilite_contact` : la date du "
        "courrier recommandé d'avertissement, entre le dépôt et aujourd'hui ; la radiation "
        "n'est possible qu'un mois après",
        examples=[None],
    )


@router.post(
    "/demandes/{numero_unique}/radiation",
    response=EtatDemande,
    summary="Radier une demande",
    description="Radie la demande (CCH R441-2-8) : pour `attribution` dès la signature du bail, "
    "pour `renonciation` aussitôt, pour `irrecevabilite` (décidée par la CAL, avec son "
    "`sous_motif`) et `impossibilite_contact` un mois après le courrier recommandé "
    "d'avertissement (`date_avertissement`), pour `non_renouvellement` un mois après "
    "l'expiration. La demande radiée reste lisible mais n'est plus modifiable ; elle peut être "
    "réactivée dans le délai prévu (`/reactivation`).",
    openapi_extra={
        "responses": {
            **REPONSES_ACTION,
            "422": {
                "description": "Motif inconnu (`donnees_invalides`), sous-motif manquant ou "
                "interdit (`sous_motif_requis`, `sous_motif_interdit`), courrier "
                "d'avertissement manquant ou mal daté (`avertissement_requis`, "
                "`date_avertissement_improbable`), délai non écoulé (`delai_avertissement`, "
                "`delai_non_renouvellement`), demande déjà radiée (`demande_radiee`)"
            },
        }
    },
)
def radiation(
    request,
    corps: Radiation,
    numero_unique: str = Path(..., description=NUMERO, examples=["075112600001275BA1"]),
):
    demande, guichet = _pour_agir(request, numero_unique)
    demande = services.radier(
        demande,
        corps.motif.value,
        corps.sous_motif,
        par=request.user,
        guichet=guichet,
        commentaire=corps.commentaire,
        date_avertissement=corps.date_avertissement,
    )
    return etat_de(demande)


# --- Reactivation ----------------------------------------------------------------------------


class Reactivation(Schema):
    commentaire: str = Field(
        "",
        max_length=LONGUEUR_COMMENTAIRE_MAX,
        title="Commentaire",
        description="Écrit dans l'historique de la demande (facultatif)",
        examples=["Radiation par erreur : le demandeur avait bien renouvelé."],
    )


@router.post(
    "/demandes/{numero_unique}/reactivation",
    response=EtatDemande,
    summary="Réactiver une demande radiée",
    description="La déradiation : la demande revient avec le même numéro et la même "
    "ancienneté, si la fenêtre de réactivation est encore ouverte (18 mois après le dernier "
    "renouvellement pour un non-renouvellement, un an après la radiation sinon). Après un "
    "non-renouvellement, ou si elle a expiré entre-temps, elle est renouvelée du même coup "
    "(attestation de renouvellement envoyée). Le corps est facultatif.",
    openapi_extra={
        "responses": {
            **REPONSES_ACTION,
            "422": {
                "description": "Demande active (`deja_active`), fenêtre de réactivation "
                "dépassée (`fenetre_reactivation_depassee`) : une nouvelle demande doit être "
                "enregistrée"
            },
        }
    },
)
def reactivation(
    request,
    numero_unique: str = Path(..., description=NUMERO, examples=["075112600001275BA1"]),
    corps: Reactivation | None = None,
):
    demande, guichet = _pour_agir(request, numero_unique)
    commentaire = corps.commentaire if corps else ""
    return etat_de(services.reactiver(demande, request.user, guichet, commentaire))


# --- Duplication for a separation ------------------------------------------------------------


class SeparationEntree(Schema):
    """Ce que le guichet enregistre quand un couple marié ou pacsé se sépare : l'ancien
    co-demandeur devient le demandeur d'une nouvelle demande, avec la même ancienneté."""

    piece_identite_type: str = Field(
        title="Pièce d'identité du co-demandeur",
        max_length=20,
        description="Obligatoire pour enregistrer sa demande (CCH R441-2-3), une pièce périmée "
        "est acceptée : " + _libelles(n.PieceIdentite.choices),
        examples=["passeport"],
    )
    piece_identite_numero: str = Field(
        "",
        max_length=50,
        title="Numéro de la pièce",
        description="Facultatif",
        examples=["19AB12345"],
    )
    piece_identite_expiration: date | None = Field(
        None,
        title="Date d'expiration de la pièce",
        description="Facultative ; une pièce périmée est acceptée",
        examples=["2029-01-31"],
    )
    adresse_ligne1: str = Field(
        title="Adresse",
        max_length=200,
        description="La nouvelle adresse du co-demandeur : numéro et voie (obligatoire)",
        examples=["8 avenue Jean Jaurès"],
    )
    adresse_ligne2: str = Field(
        "",
        max_length=200,
        title="Complément d'adresse",
        description="Bâtiment, étage…",
        examples=[""],
    )
    code_postal: str = Field(
        "",
        max_length=5,
        title="Code postal",
        description="Facultatif : déduit de la commune ; vérifié s'il est donné",
        examples=["93200"],
    )
    commune: str = Field(
        title="Commune",
        max_length=200,
        description="Code INSEE, nom officiel ou graphie courante (« St-Denis »), comme pour "
        "l'adresse d'un demandeur",
        examples=["93066"],
    )
    email: str = Field(
        "",
        max_length=254,
        title="E-mail",
        description="L'attestation d'enregistrement de la nouvelle demande lui est envoyée ; "
        "sans e-mail, par courrier",
        examples=["paul.durand@example.fr"],
    )
    telephone: str = Field(
        "",
        max_length=30,
        title="Téléphone",
        description="Numéro français (outre-mer compris) ou étranger avec « + » et "
        "l'indicatif ; enregistré au format E.164 (« +33612345678 »)",
        examples=["06 12 34 56 78"],
    )
    partent_avec_le_co_demandeur: list[int] = Field(
        default_factory=list,
        max_length=PERSONNES_A_CHARGE_MAX,
        title="Personnes à charge qui le suivent",
        description="Les `id` des personnes à charge (copie numérique de la demande) qui "
        "partent avec l'ancien co-demandeur ; les autres restent avec le demandeur",
        examples=[[48213]],
    )
    situation_demandeur: str = Field(
        n.SituationFamiliale.SEPARE,
        max_length=20,
        title="Situation familiale du demandeur",
        description="Après la séparation : "
        + _libelles((s.value, s.label) for s in SITUATIONS_APRES_SEPARATION),
        examples=["divorce"],
    )
    situation_co_demandeur: str = Field(
        n.SituationFamiliale.SEPARE,
        max_length=20,
        title="Situation familiale de l'ancien co-demandeur",
        description="Après la séparation : "
        + _libelles((s.value, s.label) for s in SITUATIONS_APRES_SEPARATION),
        examples=["divorce"],
    )
    version: int | None = Field(
        None,
        ge=1,
        le=IDENTIFIANT_MAX,
        title="Version lue",
        description="La `version` de la demande que vous avez lue : si elle a changé depuis, "
        "rien n'est fait (409 `modification_concurrente`). Recommandé",
        examples=[3],
    )

    @field_validator("partent_avec_le_co_demandeur")
    @classmethod
    def _identifiants_bornes(cls, valeurs):
        if any(not 1 <= v <= IDENTIFIANT_MAX for v in valeurs):
            raise ValueError("Un identifiant de personne est un entier positif.")
        return valeurs

    @field_validator("telephone")
    @classmethod
    def _telephone_valide(cls, valeur):
        return valider_telephone(valeur)

    def separation(self) -> Separation:
        return Separation(
            piece_identite_type=self.piece_identite_type,
            piece_identite_numero=self.piece_identite_numero,
            piece_identite_expiration=self.piece_identite_expiration,
            adresse_ligne1=self.adresse_ligne1,
            adresse_ligne2=self.adresse_ligne2,
            code_postal=self.code_postal,
            commune=self.commune,
            email=self.email,
            telephone=self.telephone,
            partent_avec_le_co_demandeur=frozenset(self.partent_avec_le_co_demandeur),
            situation_demandeur=self.situation_demandeur,
            situation_co_demandeur=self.situation_co_demandeur,
        )


class EtatDemandeSeparee(EtatDemande):
    """L'état de la nouvelle demande de l'ancien co-demandeur, et le numéro de celle d'origine."""

    numero_unique_origine: str = Field(
        title="Demande d'origine",
        description="Le numéro de la demande dont elle est issue, que garde le demandeur",
        examples=["075112600001275BA1"],
    )


@router.post(
    "/demandes/{numero_unique}/duplication-separation",
    response={201: EtatDemandeSeparee},
    summary="Séparer un couple : une demande pour l'ancien co-demandeur",
    description="Pour un couple marié ou pacsé avec un co-demandeur (FAQ « Un couple se "
    "sépare ») : l'ancien co-demandeur reçoit sa propre demande, avec la même date de dépôt "
    "(ancienneté conservée), sa pièce d'identité, sa nouvelle adresse et les personnes à charge "
    "qui le suivent ; il quitte la demande d'origine. Les deux ménages sont recomptés, les deux "
    "historiques le disent, la nouvelle demande reçoit son attestation d'enregistrement et "
    "chacun des deux est informé. Répond 201 avec l'état de la **nouvelle** demande "
    "(en-tête `Location` : sa copie numérique).",
    openapi_extra={
        "responses": {
            **REPONSES_ACTION,
            "409": {
                "description": "La demande a changé depuis la `version` lue "
                "(`modification_concurrente`)"
            },
            "422": {
                "description": "Pas un couple marié ou pacsé avec un co-demandeur "
                "(`duplication_impossible`), demande radiée (`demande_radiee`), ou données de "
                "la séparation refusées (`donnees_invalides`, chaque champ dans `erreurs`)"
            },
        }
    },
)
def duplication_separation(
    request,
    corps: SeparationEntree,
    response: HttpResponse,
    numero_unique: str = Path(..., description=NUMERO, examples=["075112600001275BA1"]),
):
    demande, guichet = _pour_agir(request, numero_unique)
    nouvelle = services.dupliquer_pour_separation(
        demande, request.user, guichet, corps.separation(), version=corps.version
    )
    response["Location"] = f"/api/v1/demandes/{nouvelle.numero_unique}"
    return Status(201, {**etat_de(nouvelle), "numero_unique_origine": demande.numero_unique})


# --- Attestation -----------------------------------------------------------------------------


@router.get(
    "/demandes/{numero_unique}/attestation.pdf",
    url_name="attestation_pdf",
    summary="La dernière attestation (PDF)",
    description="L'attestation d'enregistrement ou de renouvellement la plus récente de la "
    "demande, telle qu'elle a été envoyée au demandeur (CCH R441-2-4), en `application/pdf`. "
    "Elle est produite juste après l'enregistrement, le renouvellement ou la réactivation : "
    "tant qu'elle ne l'est pas, 404 `attestation_introuvable` (réessayez quelques secondes "
    "plus tard). Chaque lecture est écrite au journal d'audit.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Le PDF de l'attestation",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            "404": {
                "description": "Aucune demande de ce numéro dans le périmètre de consultation "
                "(`demande_introuvable`), ou attestation pas encore produite "
                "(`attestation_introuvable`)"
            },
        }
    },
)
def attestation_pdf(
    request, numero_unique: str = Path(..., description=NUMERO, examples=["075112600001275BA1"])
):
    demande = demande_de(request, numero_unique)
    attestation = attestations.attestation_a_jour(demande)
    if attestation is None:
        raise Introuvable(
            f"L'attestation de la demande {demande.numero_unique} n'est pas encore disponible : "
            "elle est produite juste après l'enregistrement ou le renouvellement. Réessayez "
            "dans quelques secondes.",
            code="attestation_introuvable",
        )
    nom, contenu = attestations.pdf_pour_agent(attestation, request.user, guichet_de(request))
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse
