"""From a `DemandeEntree` (web, API, batch lot, portal) to the models: communes resolved
forgivingly, persons built, legal requirements checked. Problems are collected in a list of
errors (`{"champ", "code", "message"}`), so that a person sees all of them at once."""

from sne.referentiels.models import Commune
from sne.referentiels.services import TROUVEE, resoudre_commune

from ..models import Personne
from ..regles import (
    LIMITE_COMMUNES_SOUHAITEES,
    DonneesInvalides,
    departements_souhaitables,
    verifier_commune_souhaitee,
)
from ..schemas import AdresseEntree, DemandeEntree, PersonneEntree


def resoudre(texte: str, departements: set[str] | None, champ: str, erreurs: list):
    """(commune, postal code to keep) for what was typed; a problem is added to `erreurs`.

    `departements` settles namesakes (« Montreuil » in a demande of Île-de-France). A CEDEX
    address gives its commune's reference postal code (FAQ « Cedex »)."""
    if not texte:
        return None, None
    resolution = resoudre_commune(texte)
    if resolution.statut == TROUVEE:
        return Commune.objects.get(pk=resolution.commune.code_insee), resolution.code_postal
    if departements:
        ici = [c for c in resolution.candidats if c.commune.departement in departements]
        if len(ici) == 1 and ici[0].score >= 95:
            return Commune.objects.get(pk=ici[0].commune.code_insee), ici[0].code_postal
    propositions = ", ".join(
        f"{c.commune.nom} ({c.commune.code_insee})" for c in resolution.candidats[:5]
    )
    erreurs.append(
        {
            "champ": champ,
            "code": "commune_ambigue" if resolution.candidats else "commune_inconnue",
            "message": resolution.message
            + (f" Propositions : {propositions}." if propositions else ""),
        }
    )
    return None, None


def adresse(adresse: AdresseEntree | None, champ: str, erreurs: list, departements=None) -> dict:
    if adresse is None:
        return {}
    saisie = " ".join(p for p in (adresse.code_postal, adresse.commune) if p)
    commune, code_postal = resoudre(saisie, departements, f"{champ}.commune", erreurs)
    return {
        "adresse_ligne1": adresse.ligne1,
        "adresse_ligne2": adresse.ligne2,
        "code_postal": code_postal or adresse.code_postal,
        "commune": commune,
    }


def champs_employeur(
    entree: AdresseEntree | None, champ: str, erreurs: list, departements=None
) -> dict:
    """The employer's address fields of a person (one line, postal code, commune). FAQ
    « Cedex »: an employer's CEDEX address is mapped to the commune's postal code."""
    lue = adresse(entree, champ, erreurs, departements)
    return {
        "employeur_adresse": " ".join(
            p for p in (lue.get("adresse_ligne1"), lue.get("adresse_ligne2")) if p
        ),
        "employeur_code_postal": lue.get("code_postal") or "",
        "employeur_commune": lue.get("commune"),
    }


def personne(
    entree: PersonneEntree, role: str, champ: str, erreurs: list, ordre: int = 0, departements=None
) -> Personne:
    """A Personne from its entry; `departements` settles namesake communes in addresses."""
    valeurs = {
        "role": role,
        "ordre": ordre,
        "civilite": entree.civilite or "",
        "nom": entree.nom.strip(),
        "nom_naissance": entree.nom_naissance.strip(),
        "prenom": entree.prenom.strip(),
        "date_naissance": entree.date_naissance,
        "nationalite": entree.nationalite or "",
        "lien": entree.lien,
        "email": entree.email,
        "telephone": entree.telephone,
        "nir": entree.nir,
        "situation_professionnelle": entree.situation_professionnelle or "",
        "employeur": entree.employeur,
        "revenus_mensuels": entree.revenus_mensuels,
    }
    if entree.piece_identite:
        valeurs.update(
            piece_identite_type=entree.piece_identite.type,
            piece_identite_numero=entree.piece_identite.numero,
            piece_identite_expiration=entree.piece_identite.date_expiration,
        )
    if entree.employeur_adresse:
        valeurs.update(
            champs_employeur(
                entree.employeur_adresse, f"{champ}.employeur_adresse", erreurs, departements
            )
        )
    if hasattr(entree, "adresse"):
        valeurs.update(adresse(entree.adresse, f"{champ}.adresse", erreurs, departements))
    if hasattr(entree, "situation_familiale"):
        valeurs["situation_familiale"] = entree.situation_familiale or ""
    return Personne(**valeurs).calculer_cles()


def verifier_exigences_legales(donnees: DemandeEntree, erreurs: list) -> None:
    """What registration may require — and nothing else (CCH R441-2-1, R441-2-3)."""

    def manque(champ, message):
        erreurs.append({"champ": champ, "code": "obligatoire", "message": message})

    d = donnees.demandeur
    if donnees.beneficiaire == "association":
        a = donnees.association
        if not a or not (a.id or a.nom.strip()):
            manque("association.nom", "Le nom de l'association est obligatoire.")
        if not a or not (a.id or a.date_creation):
            manque(
                "association.date_creation", "La date de création de l'association est obligatoire."
            )
        if not a or not (a.id or (a.adresse and a.adresse.ligne1)):
            manque("association.adresse", "L'adresse de l'association est obligatoire.")
    else:
        if not d.date_naissance:
            manque("demandeur.date_naissance", "La date de naissance du demandeur est obligatoire.")
        if (
            not d.adresse
            or not d.adresse.ligne1
            or not (d.adresse.commune or d.adresse.code_postal)
        ):
            manque("demandeur.adresse", "L'adresse du demandeur (voie et commune) est obligatoire.")
    if not d.piece_identite:
        erreurs.append(
            {
                "champ": "demandeur.piece_identite",
                "code": "piece_identite_manquante",
                "message": "Une pièce d'identité est obligatoire pour enregistrer la demande : "
                "carte d'identité, passeport ou titre de séjour (une pièce périmée est acceptée).",
            }
        )
    if donnees.deja_locataire_hlm is None:
        manque(
            "deja_locataire_hlm",
            "Indiquez si le demandeur est déjà locataire d'un logement social.",
        )
    if not donnees.souhaits.communes:
        manque("souhaits.communes", "Indiquez au moins une commune souhaitée dans le département.")


def communes_souhaitees(codes: list[str], departement: str, erreurs: list) -> list[Commune]:
    communes = []
    if len(codes) > LIMITE_COMMUNES_SOUHAITEES:
        erreurs.append(
            {
                "champ": "souhaits.communes",
                "code": "trop_de_communes",
                "message": f"{LIMITE_COMMUNES_SOUHAITEES} communes souhaitées au plus.",
            }
        )
    for i, code in enumerate(codes[:LIMITE_COMMUNES_SOUHAITEES]):
        commune, _code_postal = resoudre(
            code, departements_souhaitables(departement), f"souhaits.communes[{i}]", erreurs
        )
        if commune is None:
            continue
        try:
            verifier_commune_souhaitee(
                commune.nom, commune.code_insee, commune.departement_id, departement
            )
        except DonneesInvalides as e:
            erreurs.append({**e.en_erreur(), "champ": f"souhaits.communes[{i}]"})
            continue
        if commune not in communes:
            communes.append(commune)
    return communes
