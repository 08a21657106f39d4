"""What a person sees in a real browser (Debian's Chromium, headless)."""

import pytest
from playwright.sync_api import expect

from sne.comptes.models import Utilisateur

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_la_page_de_connexion_telle_qu_une_personne_la_voit(page):
    page.goto("/comptes/connexion/")

    expect(page).to_have_title("Connexion — Système National d'Enregistrement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à l'application nationale")
    expect(page.get_by_role("banner")).to_contain_text("Système National d'Enregistrement")
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("link", name="Contenu")).to_have_attribute("href", "#content")


def test_un_agent_se_trompe_de_mot_de_passe_puis_se_connecte(page, live_server):
    Utilisateur.objects.create_user("agent@bailleur.fr", "le bon mot de passe", prenom="Inès")
    page.goto("/comptes/connexion/")

    page.get_by_label("Adresse e-mail").fill("Agent@Bailleur.fr")
    page.get_by_label("Mot de passe").fill("un mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect")

    page.get_by_label("Mot de passe").fill("le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("agent@bailleur.fr")
