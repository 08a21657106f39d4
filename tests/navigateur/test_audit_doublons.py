"""A gestionnaire launches the audit of duplicates of their département from the back office's
menu, sees the probable pairs, compares the two demandes of one and decides: in a real
browser, every page checked by axe-core (issue 11)."""

import pytest
from playwright.sync_api import expect

from sne.comptes.securite import codes_de_secours_demo
from tests.doublons.conftest import enregistrer, stock_sans_decision
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def test_le_gestionnaire_lance_l_audit_voit_les_paires_et_decide(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="75AU1", departements=["75"])
    martin = enregistrer(guichet)
    martn = enregistrer(guichet, nom="Martn")
    enregistrer(guichet, nom="Quintana", prenom="Rayan", date_naissance="1971-02-03")
    stock_sans_decision()
    referente = habiliter(
        UtilisateurFactory(email="gestion.75@prefecture-test.fr", password=MOT_DE_PASSE),
        "gestionnaire",
        departement="75",
    )
    codes_de_secours_demo(referente, ["secours-1"])

    page.goto("/comptes/connexion/?next=/gestion/doublons/creations-forcees/")
    page.get_by_label("Adresse e-mail").fill("gestion.75@prefecture-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de secours").fill("secours-1")
    page.get_by_role("button", name="Valider le code de secours").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Créations forcées malgré un doublon")
    expect(page.get_by_text("Aucun guichet de vos départements n'a forcé")).to_be_visible()
    page.get_by_role("link", name="Audit des doublons").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit des doublons")
    expect(page.get_by_text("Aucun audit n'a encore été lancé")).to_be_visible()

    page.get_by_role("button", name="Lancer la recherche des doublons").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Audit des doublons — Paris (75)")
    expect(page.get_by_text("Recherche terminée")).to_be_visible()
    ligne = page.get_by_role("row").filter(has_text=martin.numero_unique)
    expect(ligne).to_contain_text(martn.numero_unique)
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one pair
    expect(page.get_by_role("link", name="Télécharger ces 1 paires (XLSX)")).to_be_visible()

    ligne.get_by_role("link", name="Comparer et décider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deux demandes suspectées en doublon")
    expect(page.get_by_role("cell", name="Élodie MARTN")).to_be_visible()
    expect(page.get_by_label(f"Radier {martn.numero_unique}")).to_be_checked()
    page.get_by_role("button", name="Personnes différentes").click()

    expect(page.get_by_text("Cette paire ne sera plus proposée")).to_be_visible()
    page.get_by_role("link", name="Retour à la liste").click()
    expect(page.get_by_role("row").filter(has_text=martin.numero_unique)).to_contain_text(
        "Personnes différentes"
    )
