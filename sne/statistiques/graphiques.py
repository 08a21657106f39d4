"""The charts of the statistics pages, drawn on the server as SVG (no script): horizontal bars
for a distribution, grouped columns for months. Each chart is an image whose text
alternative names it; its table, beside it, holds the same figures (RGAA 1.3)."""

from .lecture import Tableau

COULEURS = ["#000091", "#c9191e"]  # DSFR « bleu France », « rouge Marianne »
LARGEUR = 640
CHASSE = 7  # the width of a character of a bar's label, at 13 px, in the chart's units
LIBELLE_MAX = 40  # characters of a bar's label, beyond which it is cut


def barres(tableau: Tableau) -> dict:
    """Horizontal bars, one per row, for the first series. The labels' column is as wide as
    the longest label needs (an agent's name, a motif of radiation), within a limit beyond
    which a label is cut (the table beside the chart holds it whole)."""
    colonne = tableau.colonnes.index(tableau.series[0])
    maximum = max((ligne[colonne] for ligne in tableau.lignes), default=0) or 1
    hauteur_ligne = 26
    libelles = [_libelle_court(str(ligne[0])) for ligne in tableau.lignes]
    # The bars take what the labels leave, less room for the value after them.
    marge = 12 + CHASSE * max(len(libelle) for libelle in libelles)
    longueur = LARGEUR - marge - 60
    return {
        "type": "barres",
        "largeur": LARGEUR,
        "hauteur": hauteur_ligne * len(tableau.lignes) + 8,
        "x_libelle": marge - 6,
        "x_barre": marge,
        "barres": [
            {
                "libelle": libelle,
                "valeur": ligne[colonne],
                "y": 4 + i * hauteur_ligne,
                "y_texte": 4 + i * hauteur_ligne + 16,
                "largeur": round(longueur * ligne[colonne] / maximum, 1),
                "x_valeur": marge + 8 + round(longueur * ligne[colonne] / maximum, 1),
            }
            for i, (libelle, ligne) in enumerate(zip(libelles, tableau.lignes, strict=True))
        ],
        "couleur": COULEURS[0],
    }


def _libelle_court(libelle: str) -> str:
    return libelle if len(libelle) <= LIBELLE_MAX else libelle[: LIBELLE_MAX - 1] + "…"


def colonnes(tableau: Tableau) -> dict:
    """Grouped columns, one group per row (a month), one column per series."""
    indices = [tableau.colonnes.index(s) for s in tableau.series]
    maximum = max((ligne[i] for ligne in tableau.lignes for i in indices), default=0) or 1
    hauteur, bas, groupe = 220, 190, (LARGEUR - 20) / max(len(tableau.lignes), 1)
    largeur_barre = min(20, (groupe - 8) / len(indices))
    groupes = []
    for g, ligne in enumerate(tableau.lignes):
        x0 = 10 + g * groupe
        barres = []
        for s, i in enumerate(indices):
            h = round(170 * ligne[i] / maximum, 1)
            barres.append(
                {
                    "x": round(x0 + 4 + s * largeur_barre, 1),
                    "y": round(bas - h, 1),
                    "largeur": round(largeur_barre - 2, 1),
                    "hauteur": h,
                    "couleur": COULEURS[s % len(COULEURS)],
                    "titre": f"{ligne[0]} — {tableau.series[s]} : {ligne[i]}",
                }
            )
        groupes.append(
            {
                "barres": barres,
                "libelle": ligne[0].split()[0],
                "x_libelle": round(x0 + groupe / 2, 1),
            }
        )
    return {
        "type": "colonnes",
        "largeur": LARGEUR,
        "hauteur": hauteur + 10,
        "bas": bas,
        "groupes": groupes,
        "legende": [
            {"libelle": s, "couleur": COULEURS[k % len(COULEURS)]}
            for k, s in enumerate(tableau.series)
        ],
    }


def graphique(tableau: Tableau) -> dict | None:
    if not tableau.series or not tableau.lignes:
        return None
    return colonnes(tableau) if len(tableau.series) > 1 else barres(tableau)
