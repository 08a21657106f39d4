import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_une_personne_trouve_saint_denis_en_tapant_st_denis(page, referentiels_charges):
    page.goto("/referentiels/communes/")
    saisie = page.get_by_label("Commune")

    saisie.press_sequentially("st denis", delay=30)
    suggestion = page.get_by_role("button", name="Saint-Denis — 93")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(saisie).to_have_value("Saint-Denis (93200)")
    page.get_by_role("button", name="Rechercher").click()

    expect(page.get_by_role("heading", name="Saint-Denis (93066)")).to_be_visible()


def test_une_adresse_cedex_tapee_sans_javascript_est_comprise(page, referentiels_charges):
    page.goto("/referentiels/communes/?commune=75913+PARIS+CEDEX+13")

    expect(page.get_by_role("heading", name="Paris 13e Arrondissement (75113)")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("code postal de référence 75013")
