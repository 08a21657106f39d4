"""The statistical confidentiality of the open-data files (sne/statistiques/secret.py): no
published figure under 11 households, and no masked figure recomputable from what is published
— by propagation along the lines nor, exactly, by linear programming."""

import ast
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sne.statistiques.secret import (
    SEUIL,
    LignePubliee,
    TableauPublie,
    appliquer_secret,
    appliquer_secret_ligne,
    cases_revelees,
    intervalles,
    lignes_a_regrouper,
    recalculable,
)

M = None  # a masked figure, in the tables written by hand


def figures(publie):
    """Every figure of a published table, cells and totals, masked ones as None."""
    if isinstance(publie, LignePubliee):
        return [*publie.cases, publie.total]
    cases = [v for ligne in publie.cases for v in ligne]
    return [*cases, *publie.totaux_lignes, *publie.totaux_colonnes, publie.total]


def verifier_le_secret(effectifs, publie):
    """What every published table must satisfy, whatever its effectifs."""
    publiees = [v for v in figures(publie) if v is not None]
    assert all(v >= SEUIL for v in publiees), "une case publiée est sous le seuil"
    assert cases_revelees(publie) == set(), "une case masquée se recalcule"
    # What is shown is true, and every masked figure stays possible.
    for position, (bas, haut) in intervalles(publie).items():
        vraie = valeur_vraie(effectifs, position)
        assert bas <= vraie and (haut is None or vraie <= haut)
        assert bas < (haut if haut is not None else bas + 1)
    for position in publie_positions(publie):
        if publie.valeur(position) is not None:
            assert publie.valeur(position) == valeur_vraie(effectifs, position)


def publie_positions(publie):
    if isinstance(publie, LignePubliee):
        return [("total",), *(("case", j) for j in range(len(publie.cases)))]
    n, m = len(publie.totaux_lignes), len(publie.totaux_colonnes)
    return [
        ("total",),
        *(("total_ligne", i) for i in range(n)),
        *(("total_colonne", j) for j in range(m)),
        *(("case", i, j) for i in range(n) for j in range(m)),
    ]


def valeur_vraie(effectifs, position):
    genre, *indices = position
    if effectifs and not isinstance(effectifs[0], list):  # a single line
        return sum(effectifs) if genre == "total" else effectifs[indices[0]]
    if genre == "case":
        return effectifs[indices[0]][indices[1]]
    if genre == "total_ligne":
        return sum(effectifs[indices[0]])
    if genre == "total_colonne":
        return sum(ligne[indices[0]] for ligne in effectifs)
    return sum(map(sum, effectifs))


def test_le_secret_ne_depend_que_de_la_bibliotheque_standard():
    """A pure module: the app that publishes the files calls it, it calls nothing of ours."""
    source = Path(__file__).resolve().parents[2] / "sne" / "statistiques" / "secret.py"
    modules = set()
    for noeud in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(noeud, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in noeud.names}
        elif isinstance(noeud, ast.ImportFrom):
            modules.add((noeud.module or "").split(".")[0] if noeud.level == 0 else "")

    assert modules <= set(sys.stdlib_module_names)


# --- By hand -------------------------------------------------------------------------------------


def test_un_tableau_quatre_sur_trois_masque_3_7_0_et_de_quoi_les_proteger():
    effectifs = [[3, 25, 40], [7, 30, 12], [0, 50, 60], [22, 18, 15]]

    publie = appliquer_secret(effectifs)

    # Primary: 3, 7, 0, 12. Secondary, the line rule: row 1 hides 25 for the 3, row 2 hides 50
    # for the 0; column 2 then has only the 12 hidden and hides 15, whose row hides 18. Every
    # total is at least 11 and published.
    assert publie == TableauPublie(
        cases=((M, M, 40), (M, 30, M), (M, M, 60), (22, M, M)),
        totaux_lignes=(68, 49, 110, 55),
        totaux_colonnes=(32, 123, 127),
        total=282,
    )
    verifier_le_secret(effectifs, publie)
    # The 3 could be anything from 0 to 10 for a reader.
    assert intervalles(publie)["case", 0, 0] == (0, 10)


def test_une_ligne_avec_une_seule_case_masquee_en_masque_une_autre_la_plus_petite():
    publie = appliquer_secret([[5, 40, 30], [20, 40, 30], [20, 40, 30]])

    assert publie.cases[0] == (M, 40, M)
    verifier_le_secret([[5, 40, 30], [20, 40, 30], [20, 40, 30]], publie)


def test_un_zero_est_masque_comme_un_petit_effectif():
    publie = appliquer_secret([[0, 40, 30], [20, 40, 30]])

    assert 0 not in figures(publie)


def test_une_ligne_dont_les_cases_masquees_sont_des_zeros_ne_les_devoile_pas():
    """15, 0, 0 and the total 15: hiding the two zeros alone would tell they are both 0."""
    assert recalculable(LignePubliee(cases=(15, M, M), total=15)) == {}
    assert cases_revelees(LignePubliee(cases=(15, M, M), total=15)) == {("case", 1), ("case", 2)}

    publie = appliquer_secret_ligne([15, 0, 0])

    assert publie == LignePubliee(cases=(M, M, M), total=15)
    verifier_le_secret([15, 0, 0], publie)


def test_deux_groupes_de_cases_masquees_relies_par_une_seule_case_la_devoilent():
    """Each line has two masked cells or more, yet the cell joining the two groups is the sum of
    rows 0 and 1 minus columns 0 and 1: the exact check finds it, propagation cannot."""
    effectifs = [
        [3, 4, 50, 60],
        [5, 6, 2, 70],
        [80, 90, 7, 8],
        [40, 30, 9, 1],
    ]
    totaux_lignes = tuple(sum(ligne) for ligne in effectifs)
    totaux_colonnes = tuple(sum(col) for col in zip(*effectifs, strict=True))
    seulement_le_primaire = TableauPublie(
        cases=((M, M, 50, 60), (M, M, M, 70), (80, 90, M, M), (40, 30, M, M)),
        totaux_lignes=totaux_lignes,
        totaux_colonnes=totaux_colonnes,
        total=sum(totaux_lignes),
    )

    assert recalculable(seulement_le_primaire) == {}
    assert intervalles(seulement_le_primaire)["case", 1, 2] == (2, 2)
    assert cases_revelees(seulement_le_primaire) == {("case", 1, 2)}

    publie = appliquer_secret(effectifs)

    verifier_le_secret(effectifs, publie)


def test_la_propagation_retrouve_une_case_seule_masquee_et_ce_qu_elle_permet_ensuite():
    publie = TableauPublie(
        cases=((M, 20), (M, M)),
        totaux_lignes=(25, 30),
        totaux_colonnes=(M, 35),
        total=55,
    )

    assert recalculable(publie) == {
        ("case", 0, 0): 5,
        ("case", 1, 1): 15,
        ("case", 1, 0): 15,
        ("total_colonne", 0): 20,
    }


def test_des_chiffres_publies_incompatibles_sont_refuses():
    with pytest.raises(ValueError, match="Aucun tableau"):
        intervalles(LignePubliee(cases=(30, M), total=20))


# --- Edge cases ---------------------------------------------------------------------------------


def test_un_tableau_tout_sous_le_seuil_est_entierement_masque():
    publie = appliquer_secret([[1, 2], [3, 4]])

    assert set(figures(publie)) == {None}
    verifier_le_secret([[1, 2], [3, 4]], publie)


def test_un_tableau_sous_le_seuil_mais_au_total_publiable_ne_montre_que_son_total():
    publie = appliquer_secret([[1, 2], [3, 9]])

    assert publie.total == 15
    assert set(figures(publie)) == {None, 15}
    verifier_le_secret([[1, 2], [3, 9]], publie)


def test_une_seule_ligne():
    effectifs = [[30, 4, 50]]

    publie = appliquer_secret(effectifs)

    # A column total is its only cell: masking the 4 masks its column total, and the 30 too.
    assert publie.cases == ((M, M, 50),)
    verifier_le_secret(effectifs, publie)


def test_une_seule_colonne():
    effectifs = [[30], [4], [50]]

    publie = appliquer_secret(effectifs)

    assert [ligne[0] for ligne in publie.cases] == [M, M, 50]
    verifier_le_secret(effectifs, publie)


def test_une_seule_case():
    assert appliquer_secret([[12]]) == TableauPublie(((12,),), (12,), (12,), 12)
    assert appliquer_secret([[10]]) == TableauPublie(((M,),), (M,), (M,), M)


def test_un_tableau_vide_ne_publie_rien():
    assert appliquer_secret([]) == TableauPublie((), (), (), M)
    assert appliquer_secret([[], []]) == TableauPublie(((), ()), (M, M), (), M)
    assert appliquer_secret_ligne([]) == LignePubliee((), M)


@pytest.mark.parametrize("effectifs", [[[1, 2], [3]], [[-1, 20]], [[True, 20]], [[1.5, 20]]])
def test_un_tableau_mal_forme_est_refuse(effectifs):
    with pytest.raises(ValueError):
        appliquer_secret(effectifs)


def test_une_ligne_sans_petit_effectif_est_publiee_entiere():
    assert appliquer_secret_ligne([15, 20, 30]) == LignePubliee((15, 20, 30), 65)


def test_une_ligne_avec_un_petit_effectif_en_masque_un_second():
    publie = appliquer_secret_ligne([15, 20, 3])

    assert publie == LignePubliee((M, 20, M), 38)
    assert intervalles(publie) == {("case", 0): (0, 18), ("case", 2): (0, 18)}


def test_une_ligne_au_total_sous_le_seuil_est_entierement_masquee():
    assert appliquer_secret_ligne([4, 5]) == LignePubliee((M, M), M)


# --- Property: hundreds of random tables --------------------------------------------------------


def effectifs_au_hasard(hasard: random.Random, nb_lignes: int, nb_colonnes: int):
    """Counts as in a département: many small communes, a few large ones, zeros."""
    taille = hasard.choice([1, 5, 20, 100])
    return [
        [int(hasard.expovariate(1 / taille)) for _ in range(nb_colonnes)] for _ in range(nb_lignes)
    ]


@pytest.mark.parametrize("graine", range(6))
def test_aucun_tableau_au_hasard_ne_publie_de_petit_effectif_ni_de_case_recalculable(graine):
    hasard = random.Random(graine)
    for _ in range(50):
        effectifs = effectifs_au_hasard(hasard, hasard.randint(1, 7), hasard.randint(1, 5))

        verifier_le_secret(effectifs, appliquer_secret(effectifs))


@pytest.mark.parametrize("graine", range(3))
def test_aucun_tableau_au_hasard_aux_totaux_de_ligne_publies_ne_devoile_de_case(graine):
    hasard = random.Random(100 + graine)
    refus = verifies = 0
    for _ in range(50):
        effectifs = regrouper(
            effectifs_au_hasard(hasard, hasard.randint(2, 8), hasard.randint(1, 5))
        )
        if sum(map(sum, effectifs)) < SEUIL:
            continue
        try:
            publie = appliquer_secret(effectifs, totaux_lignes_publies=True)
        except ValueError:
            refus += 1  # too few positive figures to protect a cell without a total
            continue

        assert None not in publie.totaux_lignes and publie.total is not None
        verifier_le_secret(effectifs, publie)
        verifies += 1
    assert verifies > 4 * refus, (verifies, refus)


@pytest.mark.parametrize("graine", range(3))
def test_aucune_ligne_au_hasard_ne_publie_de_petit_effectif_ni_de_case_recalculable(graine):
    hasard = random.Random(graine)
    for _ in range(100):
        [effectifs] = effectifs_au_hasard(hasard, 1, hasard.randint(1, 6))

        verifier_le_secret(effectifs, appliquer_secret_ligne(effectifs))


def bornes_par_la_programmation_lineaire(optimize, tableaux):
    """The bounds of every masked figure of published tables sharing their row totals and grand
    total (one per indicator, the same communes), by a general LP solver on all their equations
    at once — what a reader holding the whole file can deduce."""
    partagees = {"total_ligne", "total"}

    def variable(t, position):  # shared figures are one unknown for all the tables
        return position if position[0] in partagees else (t, position)

    inconnues = {}
    for t, publie in enumerate(tableaux):
        for position in publie_positions(publie):
            if publie.valeur(position) is None:
                inconnues.setdefault(variable(t, position), len(inconnues))
    egalites, seconds_membres = [], []
    for t, publie in enumerate(tableaux):
        n, m = len(publie.totaux_lignes), len(publie.totaux_colonnes)
        lignes = [([("case", i, j) for j in range(m)], ("total_ligne", i)) for i in range(n)]
        lignes += [([("case", i, j) for i in range(n)], ("total_colonne", j)) for j in range(m)]
        lignes.append(([("total_ligne", i) for i in range(n)], ("total",)))
        lignes.append(([("total_colonne", j) for j in range(m)], ("total",)))
        for parties, total in lignes:
            coefficients = [0] * len(inconnues)
            connu = 0
            for position, signe in [*((p, 1) for p in parties), (total, -1)]:
                if publie.valeur(position) is None:
                    coefficients[inconnues[variable(t, position)]] += signe
                else:
                    connu -= signe * publie.valeur(position)
            egalites.append(coefficients)
            seconds_membres.append(connu)
    bornes = {}
    for inconnue, k in inconnues.items():
        objectif = [0] * len(inconnues)
        objectif[k] = 1
        bas = optimize.linprog(objectif, A_eq=egalites, b_eq=seconds_membres)
        objectif[k] = -1
        haut = optimize.linprog(objectif, A_eq=egalites, b_eq=seconds_membres)
        assert bas.status == 0
        bornes[inconnue] = (round(bas.fun), None if haut.status == 3 else round(-haut.fun))
    return bornes


# Counts around the threshold, zeros and a few large ones: where masking is hard.
EFFECTIF = st.one_of(st.integers(0, 14), st.integers(0, 300))


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.integers(1, 6).flatmap(
        lambda nb_colonnes: st.lists(
            st.lists(EFFECTIF, min_size=nb_colonnes, max_size=nb_colonnes),
            min_size=1,
            max_size=7,
        )
    )
)
def test_aucun_tableau_genere_ne_publie_de_petit_effectif_ni_de_case_recalculable(effectifs):
    """The same property, with hypothesis looking for the smallest counter-example."""
    verifier_le_secret(effectifs, appliquer_secret(effectifs))


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(EFFECTIF, min_size=1, max_size=8))  # empty: its total is 0 by structure
def test_aucune_ligne_generee_ne_publie_de_petit_effectif_ni_de_case_recalculable(effectifs):
    verifier_le_secret(effectifs, appliquer_secret_ligne(effectifs))


def test_les_intervalles_sont_ceux_de_la_programmation_lineaire():
    """The bounds computed as maximum flows are those a general LP solver finds."""
    optimize = pytest.importorskip("scipy.optimize")
    hasard = random.Random(7)
    for _ in range(40):
        effectifs = effectifs_au_hasard(hasard, hasard.randint(1, 5), hasard.randint(1, 4))
        publie = appliquer_secret(effectifs)

        attendues = {
            position if position[0] in ("total_ligne", "total") else position[1]: bornes
            for position, bornes in bornes_par_la_programmation_lineaire(optimize, [publie]).items()
        }

        assert intervalles(publie) == attendues


# --- Tables of one file: the same communes, one table per indicator ------------------------------


def test_les_communes_sous_le_seuil_se_regroupent_jusqu_a_l_atteindre_ensemble():
    assert lignes_a_regrouper([40, 50]) == []
    assert lignes_a_regrouper([3, 5, 40, 12]) == [0, 1, 3]
    assert lignes_a_regrouper([3, 5, 4, 40]) == [0, 1, 2]
    assert lignes_a_regrouper([0, 40, 30]) == [0, 2]
    assert lignes_a_regrouper([3, 4]) == [0, 1]


def test_un_total_de_ligne_sous_le_seuil_ne_peut_etre_garde_publie():
    with pytest.raises(ValueError, match="regroupez"):
        appliquer_secret([[3, 4], [30, 40]], totaux_lignes_publies=True)


def test_les_totaux_de_ligne_gardes_publies_le_sont_tous_et_protegent_quand_meme():
    effectifs = [[3, 25, 40], [7, 30, 12], [5, 50, 60], [22, 18, 15]]

    publie = appliquer_secret(effectifs, totaux_lignes_publies=True)

    assert publie.totaux_lignes == (68, 49, 115, 55)
    assert publie.total == 287
    verifier_le_secret(effectifs, publie)


def regrouper(effectifs):
    """The communes under the threshold gathered into a last row, as the file will have them."""
    groupe = lignes_a_regrouper([sum(ligne) for ligne in effectifs])
    gardees = [ligne for i, ligne in enumerate(effectifs) if i not in groupe]
    if groupe:
        gardees.append([sum(effectifs[i][j] for i in groupe) for j in range(len(effectifs[0]))])
    return gardees


def test_plusieurs_indicateurs_des_memes_communes_ne_se_devoilent_pas_l_un_l_autre():
    """Several tables of one file (typology, seniority…) share the communes' totals: kept
    published, they link no masked figure of one table to another — checked on all the tables'
    equations at once."""
    optimize = pytest.importorskip("scipy.optimize")
    hasard = random.Random(11)
    refus = verifies = 0
    for _ in range(40):
        nb_lignes = hasard.randint(2, 6)
        # One count per household and commune; each indicator splits it its own way.
        totaux = [
            int(hasard.expovariate(1 / hasard.choice([5, 20, 100]))) for _ in range(nb_lignes)
        ]
        if sum(totaux) < SEUIL:
            continue
        indicateurs = []
        for nb_modalites in (hasard.randint(1, 4), hasard.randint(1, 4)):
            indicateurs.append(
                regrouper(
                    [
                        [
                            sum(1 for _ in range(total) if hasard.randrange(nb_modalites) == j)
                            for j in range(nb_modalites)
                        ]
                        for total in totaux
                    ]
                )
            )
        try:
            publies = [appliquer_secret(t, totaux_lignes_publies=True) for t in indicateurs]
        except ValueError:
            refus += 1  # too few positive figures to protect a cell without a total
            continue

        for effectifs, publie in zip(indicateurs, publies, strict=True):
            verifier_le_secret(effectifs, publie)
        bornes = bornes_par_la_programmation_lineaire(optimize, publies)
        assert all(haut is None or bas < haut for bas, haut in bornes.values())
        verifies += 1
    assert verifies > 2 * refus, (verifies, refus)
