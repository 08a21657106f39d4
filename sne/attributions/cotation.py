"""The cotation (ELAN law, CCH L441-2-8): a score given to each active demande from criteria a
territory publishes, so that applicants understand their place (docs/attributions.md
« Cotation »).

`calculer(demande, criteres, aujourd_hui)` is pure: the same demande, the same grid and the same
day always give the same points and the same breakdown — what makes a past score reproducible
(the candidature keeps the score, the breakdown and the grid version of its session). Each
criterion reads the demande's own data only:

| code | when it counts | points |
|---|---|---|
| `anciennete` | every full month since the date de dépôt | points × months, capped |
| `dalo` | recognised priority DALO (`statut_dalo` actif) | points |
| `sans_logement` | motif « sans logement », or no home of one's own (street, squat…) | points |
| `logement_indigne` | motif « logement non décent, insalubre ou dangereux » | points |
| `expulsion` | motif « en procédure d'expulsion » | points |
| `violences` | motif « violences familiales » | points |
| `handicap` | motif « handicap », or a dwelling adapted to a disability wished | points |
| `suroccupation` | at least two people per room in the current dwelling | points |
| `ressources_faibles` | revenu fiscal de référence per person under the threshold | points |
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import models

from sne.demandes.nomenclatures import LogementActuel, MotifDemande, StatutDalo


class Critere(models.TextChoices):
    ANCIENNETE = "anciennete", "Ancienneté de la demande (par mois)"
    DALO = "dalo", "Reconnu prioritaire DALO"
    SANS_LOGEMENT = "sans_logement", "Sans logement ou hébergé"
    LOGEMENT_INDIGNE = "logement_indigne", "Logement non décent, insalubre ou dangereux"
    EXPULSION = "expulsion", "En procédure d'expulsion"
    VIOLENCES = "violences", "Violences familiales"
    HANDICAP = "handicap", "Handicap"
    SUROCCUPATION = "suroccupation", "Logement actuel suroccupé"
    RESSOURCES_FAIBLES = "ressources_faibles", "Ressources faibles"


# Criteria counted per unit (the others count once, when they apply).
PAR_UNITE = {Critere.ANCIENNETE}
# The criteria that need a threshold (`seuil`, euros a year per person).
AVEC_SEUIL = {Critere.RESSOURCES_FAIBLES}

SANS_LOGEMENT_A_SOI = {
    LogementActuel.SANS_ABRI,
    LogementActuel.SQUAT,
    LogementActuel.HOTEL,
    LogementActuel.CAMPING,
    LogementActuel.STRUCTURE_HEBERGEMENT,
}


@dataclass(frozen=True)
class RegleDeGrille:
    """A criterion of a grid as `calculer` reads it (a `CritereGrille`, or a plain one)."""

    critere: str
    points: int
    plafond: int | None = None
    seuil: int | None = None


def mois_d_anciennete(date_depot: date, aujourd_hui: date) -> int:
    if aujourd_hui <= date_depot:
        return 0
    ecart = relativedelta(aujourd_hui, date_depot)
    return ecart.years * 12 + ecart.months


def euros(nombre: int) -> str:
    """« 6 000 € » (French digit grouping, a narrow no-break space)."""
    return f"{nombre:,}".replace(",", "\u202f") + " €"


def _s(nombre: int) -> str:
    return "s" if nombre > 1 else ""


def _constat(demande, regle: RegleDeGrille, aujourd_hui: date) -> tuple[int, str] | None:
    """(units, what was found in words) when the criterion applies to the demande, else None."""
    motifs = set(demande.motifs or [])
    critere = regle.critere
    if critere == Critere.ANCIENNETE:
        mois = mois_d_anciennete(demande.date_depot, aujourd_hui)
        return (mois, f"{mois} mois") if mois else None
    if critere == Critere.DALO:
        return (
            (1, "reconnu par la commission de médiation")
            if demande.statut_dalo == StatutDalo.ACTIF
            else None
        )
    if critere == Critere.SANS_LOGEMENT:
        if MotifDemande.SANS_LOGEMENT in motifs or demande.logement_actuel in SANS_LOGEMENT_A_SOI:
            return 1, "sans logement à soi ou hébergé"
        return None
    if critere == Critere.LOGEMENT_INDIGNE:
        return (1, "motif de la demande") if MotifDemande.LOGEMENT_INDECENT in motifs else None
    if critere == Critere.EXPULSION:
        return (1, "motif de la demande") if MotifDemande.PROCEDURE_EXPULSION in motifs else None
    if critere == Critere.VIOLENCES:
        return (1, "motif de la demande") if MotifDemande.VIOLENCES_FAMILIALES in motifs else None
    if critere == Critere.HANDICAP:
        if MotifDemande.HANDICAP in motifs or demande.logement_adapte_handicap:
            return 1, "motif de la demande ou logement adapté souhaité"
        return None
    if critere == Critere.SUROCCUPATION:
        pieces = demande.nombre_pieces_actuel
        if pieces and demande.nombre_personnes >= 2 * pieces:
            return 1, (f"{demande.nombre_personnes} personnes dans {pieces} pièce{_s(pieces)}")
        return None
    if critere == Critere.RESSOURCES_FAIBLES:
        revenu = demande.revenu_fiscal_reference
        if revenu is None or regle.seuil is None or not demande.nombre_personnes:
            return None
        par_personne = revenu // demande.nombre_personnes
        if par_personne < regle.seuil:
            return 1, f"{euros(par_personne)} par personne et par an, sous {euros(regle.seuil)}"
        return None
    return None


COURTS = {
    Critere.ANCIENNETE: "ancienneté",
    Critere.DALO: "prioritaire DALO",
    Critere.SANS_LOGEMENT: "sans logement",
    Critere.LOGEMENT_INDIGNE: "logement indigne",
    Critere.EXPULSION: "procédure d'expulsion",
    Critere.VIOLENCES: "violences familiales",
    Critere.HANDICAP: "handicap",
    Critere.SUROCCUPATION: "logement suroccupé",
    Critere.RESSOURCES_FAIBLES: "ressources faibles",
}


def _points(nombre: int) -> str:
    return f"{nombre} point{_s(nombre)}"


def calculer(demande, regles, aujourd_hui: date) -> tuple[int, list[dict]]:
    """The points of `demande` under the grid's `regles` on `aujourd_hui`, and their breakdown:
    one line per criterion that applies, in the grid's order, each with its computation in
    words (« ancienneté : 14 mois × 2 = 28 points », « logement suroccupé (5 personnes dans
    2 pièces) : 40 points »)."""
    total, detail = 0, []
    for regle in regles:
        constat = _constat(demande, regle, aujourd_hui)
        if constat is None:
            continue
        unites, texte = constat
        nom = COURTS[regle.critere]
        if regle.critere in PAR_UNITE:
            brut = unites * regle.points
            points = min(brut, regle.plafond) if regle.plafond is not None else brut
            calcul = f"{nom} : {texte} × {regle.points} = {_points(brut)}"
            if points < brut:
                calcul += f", plafonné à {_points(points)}"
        else:
            points = regle.points
            calcul = f"{nom} ({texte}) : {_points(points)}"
        detail.append({"critere": regle.critere, "calcul": calcul, "points": points})
        total += points
    return total, detail


def en_clair(detail: list[dict]) -> str:
    """The breakdown on one line (pages, history): « ancienneté : 14 mois × 2 = 28 points ;
    logement suroccupé (…) : 40 points »."""
    return " ; ".join(ligne["calcul"] for ligne in detail) or "aucun critère ne s'applique"


def en_francais(regle: RegleDeGrille) -> str:
    """A criterion of a grid in plain French, for the public page (CCH L441-2-8: the grid is
    published)."""
    points = _points(regle.points)
    if regle.critere == Critere.ANCIENNETE:
        phrase = f"Chaque mois d'ancienneté de la demande, depuis son dépôt, compte {points}"
        if regle.plafond is not None:
            phrase += f", jusqu'à {_points(regle.plafond)} au plus"
        return phrase + "."
    phrases = {
        Critere.DALO: "Être reconnu prioritaire par la commission de médiation (DALO)",
        Critere.SANS_LOGEMENT: "Être sans logement à soi (à la rue, en squat, à l'hôtel, en "
        "camping, hébergé en structure) ou l'avoir indiqué comme motif de la demande",
        Critere.LOGEMENT_INDIGNE: "Vivre dans un logement non décent, insalubre ou dangereux",
        Critere.EXPULSION: "Être en procédure d'expulsion",
        Critere.VIOLENCES: "Subir des violences familiales",
        Critere.HANDICAP: "Avoir un handicap indiqué dans la demande (motif, ou logement "
        "adapté souhaité)",
        Critere.SUROCCUPATION: "Vivre à deux personnes ou plus par pièce dans le logement actuel",
        Critere.RESSOURCES_FAIBLES: f"Avoir un revenu fiscal de référence de moins de "
        f"{euros(regle.seuil or 0)} par personne et par an",
    }
    return f"{phrases[regle.critere]} : {points}."
