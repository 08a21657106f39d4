"""The API's documentation, as an integrator reads it: Swagger UI from the site's own files,
with the project's French title, tags and summaries (issue 9)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_la_documentation_de_l_api_s_affiche_en_francais(page):
    page.goto("/api/v1/docs")

    expect(page).to_have_title("Documentation — SNE — API v1 des systèmes connectés")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    principal = page.get_by_role("main")
    titre = principal.get_by_role("heading", name="SNE — API v1 des systèmes connectés")
    expect(titre).to_be_visible()
    expect(principal).to_contain_text("Toutes les erreurs sont des documents")
    expect(principal).to_contain_text("Trouver une commune")
    expect(principal).to_contain_text("Communes d'un code postal")
    expect(principal).to_contain_text("État du service")
