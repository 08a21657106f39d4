"""A gestionnaire gives a desk's software its API token, the software calls the API with it,
then the gestionnaire revokes it: in a real browser, every page checked by axe-core."""

import pytest
from playwright.sync_api import expect

from sne.comptes.securite import codes_de_secours_demo
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def test_le_gestionnaire_cree_un_jeton_que_le_logiciel_utilise_puis_le_revoque(
    page, live_server, referentiels_charges
):
    GuichetFactory(code="75NV1", nom="Agence Nation", departements=["75"])
    referente = habiliter(
        UtilisateurFactory(email="gestion.75@prefecture-test.fr", password=MOT_DE_PASSE),
        "gestionnaire",
        departement="75",
    )
    codes_de_secours_demo(referente, ["secours-1"])

    page.goto("/comptes/connexion/?next=/gestion/guichets/75NV1/")
    page.get_by_label("Adresse e-mail").fill("gestion.75@prefecture-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de secours").fill("secours-1")
    page.get_by_role("button", name="Valider le code de secours").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Agence Nation")
    expect(page.get_by_text("Aucun jeton d'accès en service")).to_be_visible()
    page.get_by_role("link", name="Gérer les jetons d'API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jetons d'API du guichet 75NV1")

    page.get_by_role("button", name="Créer le jeton").click()  # without a libellé
    expect(page.get_by_role("alert")).to_contain_text("Libellé")
    page.get_by_label("Libellé").fill("Logiciel de gestion locative")
    page.get_by_role("button", name="Créer le jeton").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Jeton « Logiciel de gestion locative » créé"
    )
    expect(page.get_by_text("il ne sera plus jamais affiché")).to_be_visible()
    jeton = page.get_by_label("Jeton d'accès du guichet 75NV1").input_value()
    assert jeton.startswith("sne_75NV1_")

    appel = page.request.get(
        f"{live_server.url}/api/v1/moi", headers={"Authorization": f"Bearer {jeton}"}
    )
    assert appel.status == 200
    assert appel.json()["code"] == "75NV1"

    page.get_by_role("link", name="J'ai copié le jeton").click()
    ligne = page.get_by_role("row").filter(has_text="Logiciel de gestion locative")
    expect(ligne).to_contain_text("en service")
    expect(page.get_by_text(jeton)).to_have_count(0)
    ligne.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Révoquer le jeton")
    page.get_by_role("button", name="Confirmer la révocation").click()

    expect(page.get_by_role("row").filter(has_text="Logiciel de gestion locative")).to_contain_text(
        "révoqué"
    )
    refus = page.request.get(
        f"{live_server.url}/api/v1/moi", headers={"Authorization": f"Bearer {jeton}"}
    )
    assert refus.status == 401
    assert refus.json()["code"] == "jeton_invalide"
