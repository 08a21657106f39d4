"""The translation between the registration wizard's forms and `DemandeEntree`, the one schema
that the web pages, the API, batch lots and the portal hand to `enregistrer_demande`:
`construire_entree` builds the entry from the steps' cleaned data, and `localiser_erreur` takes
a service's error (« demandeur.adresse.commune ») back to the step and field that hold it."""

import re

from pydantic import ValidationError as ErreursSchema

from sne.referentiels.services import TROUVEE, resoudre_commune

from ..forms.assistant import EtapeDemandeurForm, EtapeMenageForm, EtapeSouhaitsForm
from ..models import Demande


def _personne_entree(valeurs: dict, prefixe: str = "") -> dict:
    def v(champ, defaut=""):
        return valeurs.get(prefixe + champ, defaut)

    return {
        "civilite": v("civilite") or None,
        "nom": v("nom").strip(),
        "prenom": v("prenom").strip(),
        "date_naissance": v("date_naissance", None),
        "nationalite": v("nationalite") or None,
        "email": v("email"),
        "telephone": v("telephone"),
        "situation_professionnelle": v("situation_professionnelle") or None,
        "revenus_mensuels": v("revenus_mensuels", None),
    }


def _commune_d_adresse(commune: dict, code_postal: str) -> dict:
    """The address's commune as the service reads it: « 93200 » + « Saint-Denis » keeps the
    postal code chosen; the INSEE code alone when that pair would designate another commune."""
    resolution = resoudre_commune(f"{code_postal} {commune['nom']}".strip())
    if resolution.statut == TROUVEE and resolution.commune.code_insee == commune["code"]:
        return {"code_postal": code_postal, "commune": commune["nom"]}
    return {"code_postal": "", "commune": commune["code"]}


def _association_entree(a: dict | None) -> dict | None:
    """The association as the service takes it: its id in the département's table, or what
    the desk typed (name, creation date, address)."""
    if not a:
        return None
    if a.get("association"):
        return {"id": a["association"].pk}
    commune = a.get("association_commune")
    return {
        "nom": (a.get("association_nom") or "").strip(),
        "date_creation": a.get("association_date_creation"),
        "adresse": {
            "ligne1": (a.get("association_adresse_ligne1") or "").strip(),
            **(_commune_d_adresse(commune, commune["code_postal"]) if commune else {}),
        },
    }


def construire_entree(propres: dict) -> dict:
    """The `DemandeEntree`-shaped content of the demande, from the steps' cleaned data."""
    g, d, m, r, s = (
        propres[e] for e in ("guichet", "demandeur", "menage", "ressources", "souhaits")
    )
    demandeur = _personne_entree(d)
    demandeur.update(
        nom_naissance=d["nom_naissance"],
        nir=d["nir"],
        employeur=d["employeur"],
        situation_familiale=d["situation_familiale"] or None,
        piece_identite={
            "type": d["piece_identite_type"],
            "numero": d["piece_identite_numero"],
            "date_expiration": d["piece_identite_expiration"],
        },
        adresse={
            "ligne1": d["adresse_ligne1"],
            "ligne2": d["adresse_ligne2"],
            **_commune_d_adresse(d["commune"], d["code_postal"]),
        },
    )
    co = None
    if propres.get("a_co_demandeur"):
        co = _personne_entree(m, "co_")
        co["lien"] = m["co_lien"]
    beneficiaire = g.get("beneficiaire") or Demande.Beneficiaire.MENAGE
    return {
        "departement": g["departement"],
        "date_depot": g["date_depot"],
        "beneficiaire": beneficiaire,
        "association": _association_entree(propres.get("association"))
        if beneficiaire == Demande.Beneficiaire.ASSOCIATION
        else None,
        "demandeur": demandeur,
        "co_demandeur": co,
        "personnes_a_charge": [
            {
                "nom": p["nom"].strip(),
                "prenom": p["prenom"].strip(),
                "date_naissance": p.get("date_naissance"),
                "lien": p.get("lien") or "",
            }
            for p in propres.get("personnes", [])
        ],
        "deja_locataire_hlm": r["deja_locataire_hlm"] == "oui",
        "logement_actuel": {
            "type": r["logement_actuel"] or None,
            "loyer": r["loyer_actuel"],
            "nombre_pieces": r["nombre_pieces_actuel"],
            "bailleur": r["bailleur_actuel"],
        },
        "ressources": {
            "revenu_fiscal_reference": r["revenu_fiscal_reference"],
            "annee_revenus": r["annee_revenus"],
        },
        "motifs": r["motifs"],
        "motif_precision": r["motif_precision"],
        "souhaits": {
            "communes": [c["code"] for c in s["communes"]],
            "typologies": s["typologies"],
            "categorie_logement": s["categorie_logement"] or None,
            "ascenseur_necessaire": s["ascenseur_necessaire"],
            "rez_de_chaussee": s["rez_de_chaussee"],
            "logement_adapte_handicap": s["logement_adapte_handicap"],
            "precisions_handicap": s["precisions_handicap"],
        },
    }


_CHAMPS_PIECE = {
    "type": "piece_identite_type",
    "numero": "piece_identite_numero",
    "date_expiration": "piece_identite_expiration",
}
_CHAMPS_ADRESSE = {
    "ligne1": "adresse_ligne1",
    "ligne2": "adresse_ligne2",
    "code_postal": "code_postal",
    "commune": "commune",
}
_CHAMPS_ASSOCIATION = {
    "id": "association_recherche",
    "nom": "association_nom",
    "date_creation": "association_date_creation",
    "adresse": "association_adresse_ligne1",
}
_CHAMPS_ADRESSE_ASSOCIATION = {
    "ligne1": "association_adresse_ligne1",
    "ligne2": "association_adresse_ligne1",
    "code_postal": "association_commune",
    "commune": "association_commune",
}
_CHAMPS_LOGEMENT = {
    "type": "logement_actuel",
    "loyer": "loyer_actuel",
    "nombre_pieces": "nombre_pieces_actuel",
    "bailleur": "bailleur_actuel",
}


def localiser_erreur(champ: str, propres: dict) -> tuple[str, str | None]:
    """The step (and the field of its form) that holds a service's `champ`, given in dotted
    form (« demandeur.adresse.commune », « souhaits.communes[2] »)."""
    parties = [p for p in re.split(r"[.\[\]]+", champ) if p]
    tete, reste = (parties[0] if parties else ""), parties[1:]
    if tete in ("departement", "date_depot", "beneficiaire", "reference_externe"):
        return "guichet", tete if tete in ("departement", "date_depot", "beneficiaire") else None
    if tete == "association":  # asked with the demandeur, who represents it
        if len(reste) > 1 and reste[0] == "adresse":
            return "demandeur", _CHAMPS_ADRESSE_ASSOCIATION.get(reste[1])
        return "demandeur", _CHAMPS_ASSOCIATION.get(reste[0] if reste else "nom")
    if tete == "demandeur":
        if not reste:
            return "demandeur", None
        if reste[0] == "piece_identite":
            return "demandeur", _CHAMPS_PIECE.get(reste[1] if len(reste) > 1 else "type")
        if reste[0] == "adresse":
            return "demandeur", _CHAMPS_ADRESSE.get(reste[1] if len(reste) > 1 else "ligne1")
        if reste[0] == "employeur_adresse":
            return "demandeur", "employeur"
        return "demandeur", reste[0] if reste[0] in EtapeDemandeurForm.base_fields else None
    if tete == "co_demandeur":
        nom = f"co_{reste[0]}" if reste else ""
        return "menage", nom if nom in EtapeMenageForm.base_fields else None
    if tete in ("personnes_a_charge", "nombre_personnes"):
        return "menage", None
    if tete == "souhaits":
        if reste and reste[0] == "communes":
            if len(reste) > 1 and reste[1].isdigit():
                communes = (propres.get("souhaits") or {}).get("communes") or []
                i = int(reste[1])
                return "souhaits", communes[i]["champ"] if i < len(communes) else "commune_1"
            return "souhaits", "commune_1"
        return "souhaits", reste[0] if reste and reste[0] in EtapeSouhaitsForm.base_fields else None
    if tete in ("deja_locataire_hlm", "motifs", "motif_precision"):
        return "ressources", tete
    if tete == "logement_actuel":
        return "ressources", _CHAMPS_LOGEMENT.get(reste[0] if reste else "type")
    if tete == "ressources":
        return "ressources", reste[0] if reste else None
    return "recapitulatif", None


def erreurs_schema(e: ErreursSchema) -> list[dict]:
    return [
        {
            "champ": ".".join(str(p) for p in err["loc"]),
            "message": re.sub(r"^Value error, ", "", err["msg"]),
        }
        for err in e.errors()
    ]
