"""The activity of my desk: its agents read the registrations of the last twelve months by month
and by agent, and their delay from the dépôt, as counted by hand below; another desk is not
found; each table is exported as shown, and the export audited."""

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sne.audit.models import EvenementAudit
from sne.statistiques.activite import _mediane
from sne.statistiques.graphiques import CHASSE, graphique
from sne.statistiques.lecture import Tableau
from tests.attributions.fixtures import nouvelle_demande
from tests.factories import GuichetFactory, agent, gestionnaire
from tests.outils import a_midi, connecter, texte
from tests.test_saisies_hostiles import VALEURS_HOSTILES

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(date(2026, 2, 15))]

URL = reverse("statistiques_guichet:activite")
SAINT_DENIS = {"communes": ["93066"]}
MOIS = [
    "avr. 2026",
    "mai 2026",
    "juin 2026",
    "juil. 2026",
    "août 2026",
    "sept. 2026",
    "oct. 2026",
    "nov. 2026",
    "déc. 2026",
    "janv. 2027",
    "févr. 2027",
    "mars 2027",
]


@pytest.fixture
def guichet(horloge):
    """Two agents of the mairie's desk keyed in these demandes (date de dépôt → saisie):

    | saisie              | agent | dépôt      | délai | au-delà d'un mois          |
    |---------------------|-------|------------|-------|----------------------------|
    | 15/02/2026          | Bruno | 15/02/2026 | 0     | (before the twelve months) |
    | 20/01/2027          | Alice | 10/01/2027 | 10    | no                         |
    | 25/01/2027          | Bruno | 20/12/2026 | 36    | yes (after 20/01/2027)     |
    | 01/02/2027 0 h 30   | Bruno | 01/02/2027 | 0     | no (February in Paris)     |
    | 02/03/2027          | Alice | 02/02/2027 | 28    | no (the last day allowed)  |
    | 10/03/2027          | Alice | 10/03/2027 | 0     | no                         |

    and a colleague of another desk one more, which is not ours. Today: 15 March 2027."""
    mairie = GuichetFactory(code="93CO1", nom="Mairie de Saint-Denis", departements=["93"])
    autre = GuichetFactory(code="93CO2", nom="Mairie d'Aubervilliers", departements=["93"])
    alice = agent(mairie, prenom="Alice", nom="Martin")
    bruno = agent(mairie, prenom="Bruno", nom="Durand")
    claire = agent(autre, prenom="Claire", nom="Petit")
    saisies = [
        (a_midi(date(2026, 2, 15)), bruno, "2026-02-15", mairie),
        (a_midi(date(2027, 1, 20)), alice, "2027-01-10", mairie),
        (a_midi(date(2027, 1, 25)), bruno, "2026-12-20", mairie),
        (datetime(2027, 2, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris")), bruno, "2027-02-01", mairie),
        (a_midi(date(2027, 3, 2)), alice, "2027-02-02", mairie),
        (a_midi(date(2027, 3, 5)), claire, "2027-03-01", autre),
        (a_midi(date(2027, 3, 10)), alice, "2027-03-10", mairie),
    ]
    for numero, (moment, par, depot, ou) in enumerate(saisies):
        horloge.move_to(moment)
        nouvelle_demande(ou, par, numero, departement="93", date_depot=depot, souhaits=SAINT_DENIS)
    horloge.move_to(a_midi(date(2027, 3, 15)))
    return mairie, autre, alice, bruno


def _lignes_csv(reponse):
    return list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))


def test_la_mediane_se_lit_dans_les_effectifs():
    assert _mediane({}) is None
    assert _mediane({0: 1, 10: 1, 28: 1}) == 10
    assert _mediane({1: 2, 5: 2}) == 3
    assert _mediane({0: 3, 36: 1}) == 0


def test_l_agent_lit_les_enregistrements_et_les_delais_de_son_guichet(client, guichet):
    _, _, alice, _ = guichet
    connecter(client, alice)

    reponse = client.get(URL)

    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    page = texte(reponse)
    assert "93CO1 — Mairie de Saint-Denis" in page and "Aubervilliers" not in page
    html = reponse.content.decode()
    assert html.count("<svg") == 2
    # The charts' coordinates as SVG reads them: « 14.5 », never the French « 14,5 ».
    assert re.findall(r' (?:x|y|width|height)="[^"]*,', html) == []
    assert "Activité du guichet" in page  # the main menu's entry

    delais = _lignes_csv(client.get(URL + "?guichet=93CO1&export=delais&format=csv"))
    assert delais[0] == [
        "Mois",
        "Demandes enregistrées",
        "Délai moyen (jours)",
        "Délai médian (jours)",
        "Enregistrées au-delà d'un mois",
        "Part au-delà d'un mois (%)",
    ]
    vide = ["0", "—", "—", "0", "—"]
    assert delais[1:] == [[mois, *vide] for mois in MOIS[:9]] + [
        ["janv. 2027", "2", "23.0", "23.0", "1", "50.0"],
        ["févr. 2027", "1", "0.0", "0.0", "0", "0.0"],
        ["mars 2027", "2", "14.0", "14.0", "0", "0.0"],
    ]
    # The same figures on the page, in the table beside the chart.
    assert '<th scope="row">janv. 2027</th><td>2</td><td>23,0</td>' in page

    agents = _lignes_csv(client.get(URL + "?guichet=93CO1&export=agents&format=csv"))
    assert agents[0] == ["Agent", *MOIS, "Total"]
    assert agents[1:] == [
        ["Alice MARTIN", *["0"] * 9, "1", "0", "2", "3"],
        ["Bruno DURAND", *["0"] * 9, "1", "1", "0", "2"],
    ]


def test_un_autre_guichet_est_introuvable(client, guichet):
    _, _, alice, _ = guichet
    connecter(client, alice)
    assert client.get(URL + "?guichet=93CO2").status_code == 404
    assert client.get(URL + "?guichet=INCONNU").status_code == 404
    assert client.get(URL + "?guichet=93CO2&export=agents&format=csv").status_code == 404
    assert not EvenementAudit.objects.filter(action="export").exists()


def test_un_agent_de_deux_guichets_choisit_le_guichet(client, guichet):
    mairie, autre, _, _ = guichet
    double = agent(mairie, prenom="Denise", nom="Roux")
    agent(autre, email=double.email)  # the same person, habilitated on both desks
    connecter(client, double)

    page = texte(client.get(URL))
    assert '<select class="fr-select" id="guichet" name="guichet">' in page
    assert "93CO1 — Mairie de Saint-Denis" in page  # the first one by code, shown

    aubervilliers = _lignes_csv(client.get(URL + "?guichet=93CO2&export=agents&format=csv"))
    assert aubervilliers[1:] == [["Claire PETIT", *["0"] * 11, "1", "1"]]


def test_sans_habilitation_de_guichet_la_page_est_refusee(client, guichet):
    connecter(client, gestionnaire("93"))
    assert client.get(URL).status_code == 403


def test_chaque_tableau_s_exporte_et_l_export_est_journalise(client, guichet):
    mairie, _, _, bruno = guichet
    connecter(client, bruno)

    reponse = client.get(URL + "?guichet=93CO1&export=agents&format=xlsx")

    assert reponse["Content-Disposition"] == (
        'attachment; filename="sne-guichet-93CO1-agents-20270315.xlsx"'
    )
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    assert feuille.cell(1, 1).value.startswith("Enregistrements par agent, mois par mois — 93CO1")
    assert [feuille.cell(2, c).value for c in (1, 14)] == ["Agent", "Total"]
    assert [feuille.cell(3, c).value for c in (1, 11, 13, 14)] == ["Alice MARTIN", 1, 2, 3]
    export = EvenementAudit.objects.get(action="export", utilisateur=bruno)
    assert export.guichet == mairie
    assert export.resume == (
        "Activité du guichet 93CO1 : « Enregistrements par agent, mois par mois » au "
        "15/03/2027 (XLSX)"
    )
    assert client.get(URL + "?guichet=93CO1&export=inconnu&format=csv").status_code == 404
    assert client.get(URL + "?guichet=93CO1&export=agents&format=pdf").status_code == 404


def test_un_nom_d_agent_qui_ressemble_a_une_formule_reste_du_texte_dans_le_csv(client, guichet):
    mairie, _, _, _ = guichet
    malin = agent(mairie, prenom="", nom="=1+1")
    nouvelle_demande(mairie, malin, 9, departement="93", souhaits=SAINT_DENIS)
    connecter(client, malin)

    lignes = _lignes_csv(client.get(URL + "?guichet=93CO1&export=agents&format=csv"))

    assert ["'=1+1", *["0"] * 11, "1", "1"] in lignes


def test_aucun_parametre_hostile_ne_provoque_d_erreur(client, guichet):
    """Each query parameter of the page, with the walk's hostile values (tests/
    test_saisies_hostiles.py): not found (a NUL byte: refused), never a 500."""
    _, _, alice, _ = guichet
    connecter(client, alice)
    client.raise_request_exception = False
    base = {"guichet": "93CO1", "export": "agents", "format": "csv"}
    for nom in base:
        for hostile in VALEURS_HOSTILES:
            reponse = client.get(URL, {**base, nom: hostile})
            assert reponse.status_code in (400, 404), (nom, hostile[:20], reponse.status_code)


def test_le_nom_d_un_agent_tient_dans_son_graphique():
    """The labels' column grows with the longest name (it was 218 units whatever the names);
    beyond 40 characters a name is cut in the chart, whole in its table."""
    long = "Système connecté du guichet 75BA1"
    tres_long = "Marie-Christine de La Tour d'Auvergne-Lauraguais"
    g = graphique(
        Tableau(
            code="agents",
            titre="Agents",
            colonnes=["Agent", "Total"],
            lignes=[[long, 3], [tres_long, 1]],
            series=["Total"],
        )
    )
    assert [b["libelle"] for b in g["barres"]] == [long, tres_long[:39] + "…"]
    assert g["x_libelle"] >= CHASSE * 40 and g["x_barre"] > g["x_libelle"]
    assert max(b["x_valeur"] for b in g["barres"]) + 30 <= g["largeur"]
