"""What people type, and the commune it must give. Each line is a case seen at a desk."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sne.referentiels.services import (
    AMBIGUE,
    INTROUVABLE,
    TROUVEE,
    communes_du_code_postal,
    rechercher_communes,
    resoudre_commune,
)

pytestmark = pytest.mark.django_db

# (what was typed, département given or None, expected INSEE code, expected postal code)
TROUVEES = [
    # Official names in any case, with or without accents
    ("Saint-Étienne", None, "42218", "42000"),
    ("SAINT-ETIENNE", None, "42218", "42000"),
    ("saint etienne", None, "42218", "42000"),
    ("Châlons-en-Champagne", None, "51108", "51000"),
    ("CHALONS EN CHAMPAGNE", None, "51108", "51000"),
    ("Évry-Courcouronnes", None, "91228", "91000"),
    ("evry courcouronnes", None, "91228", "91000"),
    ("Bordeaux", None, "33063", "33000"),
    # St- / Ste- (the FAQ: « bien écrire Saint-Xxxx et non pas St-Xxxx »)
    ("St-Denis", "93", "93066", "93200"),
    ("ST DENIS", "93", "93066", "93200"),
    ("St Denis 93200", None, "93066", "93200"),
    ("93210 St-Denis", None, "93066", "93210"),
    ("Ste-Geneviève-des-Bois", "91", "91549", "91700"),
    ("Ste Genevieve des Bois", "91", "91549", "91700"),
    ("St-Étienne", None, "42218", "42000"),
    ("St-Germain-en-Laye", None, "78551", "78100"),
    ("St Maur des Fossés", None, "94068", "94100"),
    # Articles in front, in brackets, or left out
    ("Le Havre", None, "76351", "76600"),
    ("Havre (Le)", None, "76351", "76600"),
    ("HAVRE (LE)", None, "76351", "76600"),
    ("Havre", None, "76351", "76600"),
    ("Sables-d'Olonne (Les)", None, "85194", "85100"),
    ("Les Sables d Olonne", None, "85194", "85100"),
    ("Rochelle (La)", "17", "17300", "17000"),
    # Hyphens, spaces, apostrophes, glued elisions, diaereses
    ("L'Haÿ-les-Roses", None, "94038", "94240"),
    ("LHAY LES ROSES", None, "94038", "94240"),
    ("l hay les roses", None, "94038", "94240"),
    ("L’Haÿ-les-Roses", None, "94038", "94240"),
    ("Villeneuve d'Ascq", None, "59009", "59491"),
    ("VILLENEUVE-D-ASCQ 59650", None, "59009", "59650"),
    # Arrondissements
    ("Paris 20e", None, "75120", "75020"),
    ("Paris 20ème", None, "75120", "75020"),
    ("PARIS 20E ARRONDISSEMENT", None, "75120", "75020"),
    ("Paris XXe", None, "75120", "75020"),
    ("Paris 1er", None, "75101", "75001"),
    ("Lyon 3ème", None, "69383", "69003"),
    ("Lyon 3", None, "69383", "69003"),
    ("Marseille 13", None, "13213", "13013"),
    ("Marseille 13e arrondissement", None, "13213", "13013"),
    ("Paris", None, "75056", "75001"),
    # INSEE codes, current and Corsican, and postal codes
    ("93066", None, "93066", "93200"),
    ("2A004", None, "2A004", "20000"),
    ("2a004", None, "2A004", "20000"),
    ("75120", None, "75120", "75020"),
    ("75020", None, "75120", "75020"),
    ("93200", None, "93066", "93200"),
    ("97400", None, "97411", "97400"),
    # CEDEX: today's SNE rejects them (FAQ); here they resolve to a reference postal code
    ("75913 PARIS CEDEX 13", None, "75113", "75013"),
    ("75700 Paris Cedex 07", None, "75107", "75007"),
    ("33076 BORDEAUX CEDEX", None, "33063", "33000"),
    ("33000 Bordeaux cedex", None, "33063", "33000"),
    ("69427 LYON CEDEX 03", None, "69383", "69003"),
    ("93535 Saint-Denis Cedex", None, "93066", "93200"),
    ("93535 ST DENIS CEDEX", None, "93066", "93200"),
    ("95716 Roissy CDG Cedex", None, "95527", "95700"),
    # La Poste's libellé d'acheminement, as on envelopes
    ("76350 OISSEL", None, "76484", "76350"),
    ("94210 LA VARENNE ST HILAIRE", None, "94068", "94210"),
    ("69400 VILLEFRANCHE", None, "69264", "69400"),
    ("69999 VILLEFRANCHE CEDEX", None, "69264", "69400"),
    # A delegated commune (merged) still leads to its commune
    ("Annecy-le-Vieux", None, "74010", "74000"),
    ("Annecy le Vieux", "74", "74010", "74000"),
    # The first whole words of the only official name of the place that begins so (issue 9):
    # Saint-Ouen was renamed Saint-Ouen-sur-Seine in 2018
    ("St-Ouen", "93", "93070", "93400"),
    ("Saint Ouen", "93", "93070", "93400"),
    ("93400 St-Ouen", None, "93070", "93400"),
    ("St Ouen 93400", None, "93070", "93400"),
    ("St-Ouen", "95", "95572", "95310"),
    ("Aulnay", "93", "93005", "93600"),
    ("Pré-Saint", "93", "93061", "93310"),
    ("Boulogne", "92", "92012", "92100"),  # « Boulogne » is also a delegated commune (85)
]


@pytest.mark.parametrize(("saisie", "departement", "code_insee", "code_postal"), TROUVEES)
def test_une_saisie_approximative_trouve_la_bonne_commune(
    saisie, departement, code_insee, code_postal
):
    resolution = resoudre_commune(saisie, departement)

    assert resolution.statut == TROUVEE, resolution.message
    assert resolution.commune.code_insee == code_insee
    assert resolution.code_postal == code_postal


AMBIGUES = [
    # Namesakes across France: all are offered, the most populated first
    ("Saint-Denis", None, ["97411", "93066"]),
    ("St-Denis", None, ["97411", "93066"]),
    ("Châteauneuf", None, []),
    # A postal code that serves several communes
    ("01000", None, ["01053", "01344"]),
    ("20000", None, ["2A004"]),
    # A code that is both an INSEE code (Aix-en-Provence) and a postal code (Marseille 1er)
    ("13001", None, ["13001", "13201"]),
    # La Défense is not a commune: the communes it spans are offered
    ("92074 La Défense Cedex", None, ["92050"]),
    # A typo is never silently corrected: the close names are offered to confirm
    ("Saint-Etiene", None, ["42218"]),
    ("Bordaux", None, ["33063"]),
    ("Marseile", None, ["13055"]),
]


@pytest.mark.parametrize(("saisie", "departement", "premiers"), AMBIGUES)
def test_une_saisie_ambigue_propose_les_candidates_classees(saisie, departement, premiers):
    resolution = resoudre_commune(saisie, departement)

    assert resolution.statut == AMBIGUE
    assert resolution.commune is None
    assert len(resolution.candidats) >= max(len(premiers), 1)
    codes = [c.commune.code_insee for c in resolution.candidats]
    assert codes[: len(premiers)] == premiers
    assert resolution.message


def test_la_defense_propose_les_communes_qu_elle_couvre_avec_leur_code_postal():
    resolution = resoudre_commune("92074 La Défense Cedex")

    assert {(c.commune.code_insee, c.code_postal) for c in resolution.candidats} == {
        ("92050", "92000"),
        ("92026", "92400"),
        ("92062", "92800"),
    }


def test_un_code_postal_qui_contredit_le_nom_n_est_jamais_tranche_en_silence():
    resolution = resoudre_commune("93200 Bordeaux")

    assert resolution.statut == AMBIGUE
    assert "ne correspond pas" in resolution.message
    assert "33063" in [c.commune.code_insee for c in resolution.candidats]


def test_le_departement_leve_l_ambiguite():
    assert resoudre_commune("Saint-Denis", "974").commune.code_insee == "97411"
    assert resoudre_commune("Saint-Denis", "93").commune.code_insee == "93066"


@pytest.mark.parametrize(
    ("saisie", "departement", "proposees"),
    [
        ("Noisy", "93", ["93051", "93053"]),  # Noisy-le-Grand, Noisy-le-Sec
        ("St", "93", ["93066", "93070"]),  # Saint-Denis, Saint-Ouen-sur-Seine
    ],
)
def test_un_debut_de_nom_partage_propose_chaque_commune_sans_choisir(
    saisie, departement, proposees
):
    resolution = resoudre_commune(saisie, departement)

    assert resolution.statut == AMBIGUE
    assert [c.commune.code_insee for c in resolution.candidats] == proposees
    assert f"commence par « {saisie} »" in resolution.message


@pytest.mark.parametrize(
    ("saisie", "departement"),
    [
        ("St-Ou", "93"),  # whole words only: « ou » is not « ouen »
        ("Le", "93"),  # an article alone begins nothing
        ("Bord", None),  # across France a first word is a guess (Bord-Saint-Georges, 23)
        ("St-Ouen", None),  # the namesakes of 41 and 80 are offered, not a guess
    ],
)
def test_un_debut_de_nom_ne_tranche_que_sur_des_mots_entiers_et_dans_un_lieu_connu(
    saisie, departement
):
    assert resoudre_commune(saisie, departement).statut != TROUVEE


def test_les_suggestions_d_un_debut_de_nom_commencent_par_la_commune_du_departement():
    assert rechercher_communes("St-Ouen", "93")[0].commune.code_insee == "93070"


def test_le_code_postal_leve_l_ambiguite_d_un_homonyme():
    assert resoudre_commune("Châteauneuf 42800").commune.code_insee == "42053"


@pytest.mark.parametrize(
    "saisie", ["", "   ", "xyzzy", "Paris 42e", "00000", "Ville-Qui-N-Existe-Pas", "12"]
)
def test_une_saisie_sans_commune_dit_quoi_faire(saisie):
    resolution = resoudre_commune(saisie)

    assert resolution.statut == INTROUVABLE
    assert resolution.candidats == []
    assert resolution.message


def test_un_code_cedex_seul_demande_le_nom_de_la_commune():
    resolution = resoudre_commune("75913 CEDEX")

    assert resolution.statut == INTROUVABLE
    assert "nom de la commune" in resolution.message


def test_un_nom_hors_du_departement_demande_n_est_pas_trouve():
    resolution = resoudre_commune("Bordeaux", "93")

    assert resolution.statut != TROUVEE


def test_la_resolution_signale_une_adresse_cedex():
    resolution = resoudre_commune("75913 PARIS CEDEX 13")

    assert resolution.cedex
    assert "75013" in resolution.message


def test_les_suggestions_commencent_par_le_debut_du_nom_les_plus_peuplees_d_abord():
    noms = [c.commune.nom for c in rechercher_communes("bord")]

    assert noms[0] == "Bordeaux"
    assert all(n.lower().startswith("bord") or "bord" in n.lower() for n in noms[:3])


def test_les_suggestions_acceptent_les_abreviations():
    noms = [c.commune.nom for c in rechercher_communes("st d")]

    assert noms[:2] == ["Saint-Denis", "Saint-Denis"]


def test_les_suggestions_par_debut_de_code_postal():
    suggestions = rechercher_communes("9320")

    assert suggestions
    assert all(c.code_postal.startswith("9320") for c in suggestions)


def test_les_suggestions_respectent_le_departement():
    suggestions = rechercher_communes("saint", departement="93")

    assert suggestions
    assert {c.commune.departement for c in suggestions} == {"93"}


def test_les_suggestions_proposent_un_nom_approchant_en_dernier_recours():
    assert rechercher_communes("Bordaux")[0].commune.code_insee == "33063"


def test_les_communes_d_un_code_postal():
    assert [c.commune.code_insee for c in communes_du_code_postal("93200")] == ["93066"]
    assert communes_du_code_postal("99999") == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.sampled_from([None, "93", "2A", "974"]))
def test_aucune_saisie_ne_fait_echouer_la_resolution_ni_les_suggestions(texte, departement):
    resolution = resoudre_commune(texte, departement)

    assert resolution.statut in (TROUVEE, AMBIGUE, INTROUVABLE)
    assert resolution.statut == INTROUVABLE or resolution.candidats
    assert len(rechercher_communes(texte, departement)) <= 10
