"""« Attestation en préparation » asks again by itself and downloads the PDF once it is ready,
without a timed reload of the page (WCAG 2.2.1; axe-core « meta-refresh », critical)."""

import pytest
from playwright.sync_api import expect

from sne.attestations import services as attestations
from sne.attestations.models import Attestation
from sne.demandes import services
from sne.notifications.models import Message
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter
from tests.navigateur.test_demande import MOT_DE_PASSE

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_l_attestation_en_preparation_se_telecharge_des_qu_elle_est_prete(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="75AX2", departements=["75"])
    agent = UtilisateurFactory(email="nora.agent@bailleur-test.fr", password=MOT_DE_PASSE)
    habiliter(agent, "saisie", guichet=guichet)
    demande = services.enregistrer_demande(guichet, agent, donnees_minimales())
    Message.objects.filter(demande=demande).delete()  # its sending, then the document:
    Attestation.objects.filter(demande=demande).delete()  # the worker has not run yet

    page.goto(f"/comptes/connexion/?next=/demandes/{demande.numero_unique}/attestation/")
    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("status")).to_contain_text("L'attestation est en préparation")
    assert page.locator("meta[http-equiv=refresh]").count() == 0

    attestations.produire_attestation(demande.pk, "enregistrement")
    with page.expect_download(timeout=20_000) as telechargement:
        pass
    assert telechargement.value.suggested_filename.endswith(".pdf")
    expect(page.get_by_role("status")).to_contain_text("son téléchargement a commencé")
    assert page.url.endswith(f"/demandes/{demande.numero_unique}/attestation/")  # not reloaded
