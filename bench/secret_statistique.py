"""Banc du secret statistique des fichiers ouverts (sne/statistiques/secret.py, issue 16).

Ce que le script mesure, sans base ni Django (le module est du Python pur) : pour des
départements fictifs de tailles croissantes (communes × modalités), tirés avec une graine fixe
— beaucoup de petites communes, quelques grandes, des zéros —, la durée de
`appliquer_secret` (communes sous le seuil d'abord regroupées, totaux de ligne gardés publiés,
comme le fichier), la part des cases masquées, puis la durée des deux vérificateurs
(`recalculable`, `intervalles`) et le nombre de cases qu'ils retrouvent (0 attendu).

Lancement, depuis la racine du projet :

    .venv/bin/python bench/secret_statistique.py [--graine 2] [--tailles 100x6,300x6,700x8]
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sne.statistiques.secret import (
    appliquer_secret,
    cases_revelees,
    lignes_a_regrouper,
)


def departement(hasard: random.Random, nb_communes: int, nb_modalites: int) -> list[list[int]]:
    """Communes of very unequal sizes (a Pareto law), each split over the modalities."""
    tableau = []
    for _ in range(nb_communes):
        taille = int(5 * hasard.paretovariate(0.7)) - 5
        poids = [hasard.random() ** 2 for _ in range(nb_modalites)]
        tableau.append([round(taille * p / sum(poids)) for p in poids])
    groupe = lignes_a_regrouper([sum(ligne) for ligne in tableau])
    gardees = [ligne for i, ligne in enumerate(tableau) if i not in groupe]
    if groupe:
        gardees.append([sum(tableau[i][j] for i in groupe) for j in range(nb_modalites)])
    return gardees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graine", type=int, default=2)
    parser.add_argument("--tailles", default="100x6,300x6,700x8")
    options = parser.parse_args()
    hasard = random.Random(options.graine)
    print("communes x modalités | lignes publiées | cases masquées | secret | vérification")
    for taille in options.tailles.split(","):
        nb_communes, nb_modalites = map(int, taille.split("x"))
        effectifs = departement(hasard, nb_communes, nb_modalites)
        debut = time.perf_counter()
        publie = appliquer_secret(effectifs, totaux_lignes_publies=True)
        duree_secret = time.perf_counter() - debut
        debut = time.perf_counter()
        revelees = cases_revelees(publie)
        duree_verification = time.perf_counter() - debut
        cases = [v for ligne in publie.cases for v in ligne]
        masquees = sum(v is None for v in cases)
        print(
            f"{taille:>20} | {len(effectifs):>15} | {masquees:>6} / {len(cases):<6}"
            f" | {duree_secret:5.2f} s | {duree_verification:5.2f} s, {len(revelees)} révélée(s)"
        )


if __name__ == "__main__":
    main()
