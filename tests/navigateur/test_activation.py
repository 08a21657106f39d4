"""A new agent activates their account through « Mot de passe inconnu », logs in, and sees
only their own scope (issue « Desks, people and rights »)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import GuichetFactory, agent

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_nouvel_agent_active_son_compte_et_ne_voit_que_son_perimetre(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(
        code="93CO2", nom="Mairie de Saint-Denis", departements=["93"], communes=["93066"]
    )
    GuichetFactory(code="75ZZ9", nom="Bailleur parisien", departements=["75"])
    personne = agent(guichet, email="karim.agent@mairie.fr", prenom="Karim", nom="Agent")
    personne.set_unusable_password()
    personne.save()

    page.goto("/comptes/connexion/")
    page.get_by_role("link", name="Mot de passe inconnu").click()
    page.get_by_label("Adresse e-mail").fill("Karim.Agent@mairie.fr")
    page.get_by_role("button", name="Recevoir un lien d'activation").click()
    expect(page.get_by_role("status")).to_contain_text("Un lien pour choisir votre mot de passe")

    lien = re.search(r"https?://\S+/comptes/activation/\S+/", mail.outbox[-1].body).group(0)
    page.goto(lien)
    page.get_by_label("Nouveau mot de passe").fill("un mot de passe solide 2026")
    page.get_by_label("Confirmez le mot de passe").fill("un mot de passe solide 2026")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe est enregistré")

    page.get_by_label("Adresse e-mail").fill("karim.agent@mairie.fr")
    page.get_by_label("Mot de passe").fill("un mot de passe solide 2026")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Karim").click()

    principal = page.get_by_role("main")
    expect(principal).to_contain_text("Mairie de Saint-Denis (93CO2)")
    expect(principal).to_contain_text("Saint-Denis (93066)")
    expect(principal).not_to_contain_text("75ZZ9")
    expect(page.get_by_role("link", name="Gestion", exact=True)).to_have_count(0)
    page.goto("/gestion/guichets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
