"""An applicant logs in with FranceConnect for the first time, in a real browser: the button,
the local provider (oidc-provider-mock, never the real FranceConnect), the « relier ma
demande » page typed with the keyboard, then their demande.

The provider's own page (not ours, and not accessible) is never shown: our redirection to it
is answered as the person's click on « Authorize » there would be (the provider's redirection
back to us), so that axe-core checks only the portal's pages.
"""

from copy import deepcopy
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import expect

from sne.demandes import services as demandes
from sne.portail.models import CodeTeledemandeur, LienFranceConnect
from tests.factories import GuichetFactory, PointContactFactory, agent
from tests.portail.conftest import DONNEES

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fournisseur(settings, live_server):
    with run_server_in_thread() as serveur:
        adresse = f"http://localhost:{serveur.server_port}"
        settings.SNE_FRANCECONNECT = True
        settings.SNE_FRANCECONNECT_ISSUER = adresse
        settings.SNE_FRANCECONNECT_CLIENT_ID = "sne-tests"
        settings.SNE_FRANCECONNECT_CLIENT_SECRET = "secret-des-tests"
        settings.SNE_FRANCECONNECT_SCOPES = "openid given_name family_name birthdate email profile"
        settings.SNE_FRANCECONNECT_REDIRECT_URI = f"{live_server.url}/portail/franceconnect/retour/"
        yield adresse


def test_premiere_connexion_avec_franceconnect(
    page, live_server, referentiels_charges, fournisseur
):
    guichet = GuichetFactory(code="93BA1", departements=["93"])
    PointContactFactory(guichet=guichet)
    demande = demandes.enregistrer_demande(guichet, agent(guichet), deepcopy(DONNEES))
    CodeTeledemandeur.objects.create(
        demande=demande,
        code_hache=make_password("12345678"),
        canal=CodeTeledemandeur.Canal.EMAIL,
        expire_le=timezone.now() + timedelta(hours=24),
    )
    requests.put(
        f"{fournisseur}/users/fc-navigateur",
        json={"given_name": "Samia", "family_name": "Benali", "birthdate": "1990-06-15"},
        timeout=5,
    ).raise_for_status()

    def approuver(route):
        # Our redirection to the provider (its state in our cookie), then the provider's
        # answer to « Authorize » (back to our callback): the browser gets both in one.
        vers_le_fournisseur = route.fetch(max_redirects=0)
        reponse = requests.post(
            vers_le_fournisseur.headers["location"],
            data={"sub": "fc-navigateur"},
            allow_redirects=False,
            timeout=5,
        )
        route.fulfill(
            response=vers_le_fournisseur,
            headers={**vers_le_fournisseur.headers, "location": reponse.headers["Location"]},
        )

    page.route(lambda url: urlsplit(url).path == "/portail/franceconnect/", approuver)

    # A page of ours that offers the button: the link page, reached without an identity.
    page.goto("/portail/franceconnect/lier-ma-demande/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre connexion a expiré")
    page.get_by_role("button", name="S’identifier avec FranceConnect").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Relier ma demande à FranceConnect")
    expect(page.get_by_role("main")).to_contain_text("Bonjour Samia")
    page.get_by_label("Numéro unique").fill(demande.numero_unique)
    page.get_by_label("Code télédemandeur").fill("00000000")
    page.get_by_label("Code télédemandeur").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Nous n'avons pas pu relier")
    assert not LienFranceConnect.objects.exists()

    page.get_by_label("Code télédemandeur").fill("12345678")
    page.get_by_label("Code télédemandeur").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/portail/ma-demande/")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert LienFranceConnect.objects.get().demande == demande
