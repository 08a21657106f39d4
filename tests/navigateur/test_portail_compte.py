"""An applicant gets a code, logs in on the portal (by keyboard only), sees the demande, renews
it, then logs in with a new e-mail: the FAQ's question, the activation link (issue 13, « Done
when »). axe-core checks every page (tests/navigateur/conftest.py)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from sne.demandes import services
from sne.demandes.models import Demande
from sne.portail import services_compte
from sne.portail.models import AdresseVerifiee
from tests.factories import GuichetFactory, PointContactFactory, agent
from tests.navigateur.conftest import pages_verifiees
from tests.portail.conftest import NAISSANCE

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

QUESTION = (
    "L'adresse électronique renseignée diffère de celle connue pour ce numéro unique. "
    "Souhaitez-vous mettre à jour votre adresse électronique ?"
)


def code_recu() -> str:
    return re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)


def lien_recu() -> str:
    return re.search(r"https?://\S+/portail/activation/\S+/", mail.outbox[-1].body).group(0)


def tabuler_jusqu_a(page, identifiant: str) -> None:
    """Press Tab until the field has the focus, as a keyboard user does."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == identifiant:
            return
    raise AssertionError(f"{identifiant} n'est pas atteignable au clavier")


def taper_la_date(page, identifiant: str) -> None:
    """Type 15/06/1990 in the focused date field, as a person does: its parts in the order
    the browser shows them — day first in French; the headless browser may show the month
    first (its own locale, not the page's), then the person types it again in that order."""
    for saisie in ("15061990", "06151990"):
        page.keyboard.type(saisie)
        if page.evaluate(f"document.getElementById('{identifiant}').value") == "1990-06-15":
            return
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
    raise AssertionError("la date ne se saisit pas au clavier")


def se_connecter_au_clavier(page, numero: str, email: str, code: str) -> None:
    tabuler_jusqu_a(page, "id_numero")
    page.keyboard.type(numero)
    page.keyboard.press("Tab")
    taper_la_date(page, "id_date_naissance")
    tabuler_jusqu_a(page, "id_email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_un_demandeur_recoit_son_code_se_connecte_renouvelle_et_change_d_adresse(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="93BA1", departements=["93"])
    PointContactFactory(guichet=guichet)
    demande = services.enregistrer_demande(
        guichet,
        agent(guichet),
        {
            "departement": "93",
            "demandeur": {
                "nom": "Benali",
                "prenom": "Samia",
                "civilite": "MME",
                "date_naissance": "1990-06-15",
                "email": "samia.benali@example.fr",
                "telephone": "06 12 34 56 78",
                "piece_identite": {"type": "carte_identite"},
                "adresse": {"ligne1": "4 rue de la République", "commune": "93066"},
            },
            "deja_locataire_hlm": False,
            "souhaits": {"communes": ["93066"], "typologies": ["T3"]},
        },
    )
    # The demande expires in three weeks: the renewal window is open.
    Demande.objects.filter(pk=demande.pk).update(
        date_expiration=timezone.localdate() + timedelta(days=21)
    )
    numero = demande.numero_unique

    # Getting a code.
    page.goto("/portail/")
    page.get_by_role("link", name="J'ai déjà un numéro unique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accéder à ma demande")
    page.get_by_role("link", name="Je n'ai pas de code").click()
    page.get_by_label("Numéro unique").fill(numero)
    page.get_by_label("Date de naissance").fill("1990-06-15")
    page.get_by_label("Par courriel").check()
    page.get_by_role("button", name="Recevoir mon code").click()
    expect(page.get_by_text("Si ces informations correspondent à une demande")).to_be_visible()
    code = code_recu()

    # Logging in by keyboard only: the known e-mail, never activated, gets its link.
    page.get_by_role("link", name="J'ai reçu mon code : me connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accéder à ma demande")
    se_connecter_au_clavier(page, numero, "samia.benali@example.fr", code)
    page.wait_for_load_state("load")
    print("DEBUG", page.locator("main").inner_text()[:800])
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Un lien d'activation vous a été envoyé"
    )
    page.goto(lien_recu())
    page.get_by_role("button", name="Activer mon adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de logement social")
    expect(page.get_by_text(numero)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text(
        "Votre adresse électronique est activée"
    )

    # Renewing.
    page.get_by_role("link", name="Renouveler ma demande").click()
    page.get_by_role("button", name="Je renouvelle ma demande").click()
    expect(page.get_by_role("status").first).to_contain_text("Votre demande est renouvelée")
    demande.refresh_from_db()
    assert demande.date_dernier_renouvellement == timezone.localdate()

    # Another e-mail at login: the FAQ's question, then the activation link.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/portail/connexion/")
    page.get_by_label("Numéro unique").fill(numero)
    page.get_by_label("Date de naissance").fill("1990-06-15")
    page.get_by_label("Adresse électronique").fill("samia.nouvelle@example.fr")
    page.get_by_label("Code télédemandeur").fill(code)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text(QUESTION)).to_be_visible()
    page.get_by_role("button", name="Oui, mettre à jour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Un lien d'activation vous a été envoyé"
    )
    assert mail.outbox[-1].to == ["samia.nouvelle@example.fr"]
    page.goto(lien_recu())
    page.get_by_role("button", name="Activer mon adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de logement social")
    demande.refresh_from_db()
    assert demande.demandeur.email == "samia.nouvelle@example.fr"
    expect(page.get_by_text("Vous, en ligne").first).to_be_visible()
    assert len(pages_verifiees(page)) >= 8


def test_un_demandeur_modifie_sa_situation_change_d_adresse_et_renonce(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="93BA2", departements=["93"])
    PointContactFactory(guichet=guichet)
    demande = services.enregistrer_demande(
        guichet,
        agent(guichet),
        {
            "departement": "93",
            "demandeur": {
                "nom": "Durand",
                "prenom": "Alain",
                "date_naissance": "1990-06-15",
                "email": "alain.durand@example.fr",
                "piece_identite": {"type": "passeport"},
                "adresse": {"ligne1": "1 place du Marché", "commune": "93066"},
            },
            "deja_locataire_hlm": False,
            "souhaits": {"communes": ["93066"]},
        },
    )
    AdresseVerifiee.objects.create(
        demande=demande, email="alain.durand@example.fr", verifiee_le=timezone.now()
    )
    services_compte.demander_code(demande.numero_unique, NAISSANCE, "email", "192.0.2.1")
    # Sent after the commit: here the request is this test's, done; the outbox is read.
    code = code_recu()

    page.goto("/portail/ma-demande/")  # not signed in: the login, then back here
    page.get_by_label("Numéro unique").fill(demande.numero_unique)
    page.get_by_label("Date de naissance").fill("1990-06-15")
    page.get_by_label("Adresse électronique").fill("Alain.Durand@example.fr")
    page.get_by_label("Code télédemandeur").fill(code)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de logement social")
    expect(
        page.get_by_text("Vous pourrez renouveler votre demande en ligne à partir du")
    ).to_be_visible()

    # Situation: the desks' fields, one subject per page.
    page.get_by_role("link", name="Modifier mes informations").click()
    page.get_by_role("link", name="Ma situation").click()
    page.get_by_label("Employeur (facultatif)").fill("Boulangerie du Coin")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status").first).to_contain_text("Vos modifications sont enregistrées")
    expect(page.get_by_text("Vous, en ligne").first).to_be_visible()

    # The other pages, with an error where it helps: each one checked by axe.
    for lien in (
        "Mon téléphone et mon adresse",
        "Mes ressources et mon logement actuel",
        "Mes souhaits de logement",
    ):
        page.goto("/portail/ma-demande/modifier/")
        page.get_by_role("link", name=lien).click()
        expect(page.get_by_role("button", name="Enregistrer")).to_be_visible()
    page.goto("/portail/ma-demande/modifier/adresse-electronique/")
    page.get_by_label("Nouvelle adresse électronique").fill("pas une adresse")
    page.get_by_role("button", name="Recevoir le lien d'activation").click()
    expect(page.locator("#resume-erreurs")).to_be_visible()

    # Renouncing: a confirmation first.
    page.goto("/portail/ma-demande/")
    page.get_by_role("link", name="Renoncer à ma demande").click()
    page.get_by_role("button", name="Je renonce à ma demande").click()
    expect(page.locator("#resume-erreurs")).to_contain_text("Cochez la case")
    page.locator("label[for=id_confirmation]").click()  # the DSFR box is drawn by its label
    page.get_by_role("button", name="Je renonce à ma demande").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile("Votre demande est radiée"))
    ).to_be_visible()
    demande.refresh_from_db()
    assert not demande.est_active
