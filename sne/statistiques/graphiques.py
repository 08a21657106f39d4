"""The charts of the statistics pages, drawn on the server as SVG (no script): horizontal bars
for a distribution, grouped columns for months. Each chart is an image whose text
alternative names it; its table, beside it, holds the same figures (RGAA 1.3)."""

from .lecture import Tableau

COULEURS = ["#000091", "#c9191e"]  # DSFR « bleu France », « rouge Marianne »
LARGEUR = 640


def barres(tableau: Tableau) -> dict:
    """Horizontal bars, one per row, for the first series."""
    colonne = tableau.colonnes.index(tableau.series[0])
    maximum = max((ligne[colonne] for ligne in tableau.lignes), default=0) or 1
    hauteur_ligne = 26
    return {
        "type": "barres",
        "largeur": LARGEUR,
        "hauteur": hauteur_ligne * len(tableau.lignes) + 8,
        "barres": [
            {
                "libelle": ligne[0],
                "valeur": ligne[colonne],
                "y": 4 + i * hauteur_ligne,
                "y_texte": 4 + i * hauteur_ligne + 16,
                "largeur": round(330 * ligne[colonne] / maximum, 1),
                "x_valeur": 232 + round(330 * ligne[colonne] / maximum, 1),
            }
            for i, ligne in enumerate(tableau.lignes)
        ],
        "couleur": COULEURS[0],
    }


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
