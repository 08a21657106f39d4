"""An agent of a desk whose set-up is not finished clicks « Nouvelle demande »: the page says
what is missing and whom to contact; once the gestionnaire has finalised the set-up, the same
click opens the registration (FAQ: convention → fiche collecte → paramétrage → e-mail)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from sne.organisations import services
from tests.factories import (
    GuichetFactory,
    PointContactFactory,
    UtilisateurFactory,
    gestionnaire,
    habiliter,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def test_la_saisie_attend_la_finalisation_du_parametrage_puis_s_ouvre(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(
        code="93NP1",
        nom="Mairie test",
        departements=["93"],
        a_parametrer=True,
        organisation__adresse="",
    )
    referente = gestionnaire("93", prenom="Aïcha", nom="Benali", email="aicha.benali@drihl.fr")
    agent = UtilisateurFactory(
        email="ines.agent@mairie-test.fr", prenom="Inès", nom="Agent", password=MOT_DE_PASSE
    )
    habiliter(agent, "saisie", guichet=guichet)

    page.goto("/comptes/connexion/?next=/demandes/")
    page.get_by_label("Adresse e-mail").fill("ines.agent@mairie-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Nouvelle demande").click()

    alerte = page.locator("#guichet-non-parametre-93NP1")
    expect(alerte.get_by_role("heading")).to_have_text(
        "Le guichet Mairie test (93NP1) ne peut pas encore enregistrer de demandes"
    )
    expect(alerte).to_contain_text("la date de signature de la convention")
    expect(alerte).to_contain_text("la fiche collecte")
    expect(alerte).to_contain_text("l'adresse du guichet, imprimée sur les attestations")
    expect(alerte.get_by_role("link", name="aicha.benali@drihl.fr")).to_have_attribute(
        "href", "mailto:aicha.benali@drihl.fr"
    )
    expect(page.get_by_label("Guichet enregistreur")).to_have_count(0)

    # The gestionnaire receives the convention, adds the desk's address, finalises.
    services.enregistrer_convention(
        guichet,
        par=referente,
        convention_signee_le=date(2026, 1, 15),
        fiche_collecte=SimpleUploadedFile("fiche.csv", b"a;b\n"),
    )
    PointContactFactory(guichet=guichet, adresse="2 place Victor Hugo", code_postal="93200")
    services.finaliser_parametrage(guichet, par=referente)

    page.reload()
    expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
    expect(page.get_by_label("Guichet enregistreur")).to_have_value(str(guichet.pk))
