"""Issue 16, « done when »: on the demo data, gestionnaire 93 opens « Statistiques » from the back
office's menu, sees the charts with their tables, exports one table as XLSX and finds in the file
what the page shows; an agent of the mairie reads the activity of their desk. axe-core checks
every page seen (tests/navigateur/conftest.py)."""

import io

import pytest
from django.db import DEFAULT_DB_ALIAS
from openpyxl import load_workbook
from playwright.sync_api import expect

from sne.demo.donnees import (
    CODES_SECOURS_DEMO,
    DOMAINE,
    MOT_DE_PASSE_DEMO,
    creer_demandes_demo,
    creer_donnees_demo,
    creer_statistiques_demo,
)
from sne.statistiques.routeur import REPLIQUE

# The statistics read the replica (a mirror of the test database): the live server may use it.
pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLIQUE]),
]


@pytest.fixture
def demo(referentiels_charges):
    creer_donnees_demo()
    creer_demandes_demo()
    creer_statistiques_demo()


def se_connecter(page, email: str) -> None:
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE_DEMO)
    page.get_by_role("button", name="Se connecter").click()


def lignes_du_tableau(page, code: str) -> list[list[str]]:
    """The rows of a table as a person reads them: the row's header, then its cells."""
    return page.locator(f"#tableau-{code} tbody tr").evaluate_all(
        "lignes => lignes.map(l => [...l.children].map(c => c.textContent.trim()))"
    )


def test_le_gestionnaire_93_lit_les_statistiques_et_exporte_un_tableau(page, live_server, demo):
    se_connecter(page, f"gestionnaire.93@{DOMAINE}")
    page.get_by_label("Code de secours").fill(CODES_SECOURS_DEMO[0])
    page.get_by_role("button", name="Valider le code de secours").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Gestion"
    ).click()
    page.get_by_role("navigation", name="Gestion").get_by_role("link", name="Statistiques").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques du registre")
    expect(page.get_by_role("main")).to_contain_text("93 — Seine-Saint-Denis")
    # Eight charts, each an image named after its table, and the table beside it.
    graphiques = page.locator("svg[role=img]")
    expect(graphiques).to_have_count(8)
    expect(
        page.get_by_role("img", name="Graphique : Demandes actives par taille du ménage")
    ).to_be_visible()
    for code in ("typologie", "taille", "anciennete", "flux", "radiations", "decisions"):
        expect(page.locator(f"#tableau-{code} table")).to_be_visible()
    for code in ("refus", "attributions", "epci", "communes"):
        expect(page.locator(f"#tableau-{code} table")).to_be_visible()
    montrees = lignes_du_tableau(page, "taille")
    assert len(montrees) == 6 and sum(int(ligne[1]) for ligne in montrees) > 0
    # The chart draws what the table holds: a visible bar for each row that counts.
    barres = page.locator("section[aria-labelledby=titre-taille] svg rect")
    for rang, ligne in enumerate(montrees):
        largeur = barres.nth(rang).bounding_box()["width"]
        assert (largeur > 0) == (int(ligne[1]) > 0), (ligne, largeur)

    with page.expect_download() as telechargement:
        page.get_by_role(
            "link", name="Exporter « Demandes actives par taille du ménage » en XLSX"
        ).click()
    assert telechargement.value.suggested_filename.startswith("sne-93-taille-")
    # The downloaded file is kept without its extension: openpyxl reads it from its bytes.
    with open(telechargement.value.path(), "rb") as fichier:
        feuille = load_workbook(io.BytesIO(fichier.read())).active
    assert feuille.cell(1, 1).value.startswith("Demandes actives par taille du ménage — 93")
    assert [feuille.cell(2, c).value for c in (1, 2)] == ["Taille du ménage", "Demandes actives"]
    exportees = [
        [feuille.cell(r, 1).value, str(feuille.cell(r, 2).value)]
        for r in range(3, feuille.max_row + 1)
    ]
    assert exportees == montrees


def test_l_agent_de_la_mairie_lit_l_activite_de_son_guichet(page, live_server, demo):
    se_connecter(page, f"agent.93co1@{DOMAINE}")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Activité du guichet"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("L'activité de mon guichet")
    expect(page.get_by_role("main")).to_contain_text("93CO1 — ")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    agents = lignes_du_tableau(page, "agents")
    assert agents[0][0] == "Karim AGENT" and int(agents[0][-1]) > 0
