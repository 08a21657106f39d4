"""An agent follows a lot sent by the desk's software: from the navigation to the lot's page,
its per-line results filtered by statut, then the registered demande; every page checked by
axe-core."""

import io
import json

import pytest
from playwright.sync_api import expect

from sne.comptes.jetons import compte_systeme
from sne.lots import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def test_l_agent_suit_un_lot_jusqu_a_la_demande_enregistree(page, referentiels_charges):
    guichet = GuichetFactory(code="75LT1", departements=["75"])
    habiliter(
        UtilisateurFactory(email="lea.agent@bailleur-test.fr", password=MOT_DE_PASSE),
        "saisie",
        guichet=guichet,
    )
    corps = (
        json.dumps(donnees_minimales(reference_externe="DOSSIER-1")).encode()
        + b'\n{"reference_externe": "DOSSIER-2", "departement": "75"}\n'
    )
    lot, _ = services.recevoir_lot(
        guichet, compte_systeme(guichet), io.BytesIO(corps), taille_max=10**6
    )
    services.traiter_lot(lot.pk, lot.bail_par)
    numero = lot.lignes.get(ligne=1).numero_unique

    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill("lea.agent@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Lots").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lots reçus des systèmes connectés")
    ligne = page.get_by_role("row").filter(has_text="75LT1")
    expect(ligne).to_contain_text("2 / 2 lignes")
    expect(ligne).to_contain_text("Terminé")
    ligne.get_by_role("link", name="Voir le lot").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Lot reçu le")
    expect(page.get_by_text("1 enregistrée", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Attestations du lot (PDF)")).to_be_visible()
    page.get_by_label("Lignes à afficher").select_option("rejetee")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("row").filter(has_text="DOSSIER-2")).to_contain_text(
        "Ce champ est obligatoire."
    )
    expect(page.get_by_role("link", name=numero)).to_have_count(0)

    page.get_by_label("Lignes à afficher").select_option("")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name=numero).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(numero)


def test_la_page_d_un_lot_en_cours_suit_son_avancement_sans_se_recharger(
    page, referentiels_charges, monkeypatch
):
    monkeypatch.setattr(services, "_lancer", lambda *args: None)  # the worker has not run yet
    guichet = GuichetFactory(code="75LT2", departements=["75"])
    habiliter(
        UtilisateurFactory(email="sam.agent@bailleur-test.fr", password=MOT_DE_PASSE),
        "consultation",
        guichet=guichet,
    )
    lot, _ = services.recevoir_lot(
        guichet, compte_systeme(guichet), io.BytesIO(b"[]\n[1]\n"), taille_max=10**6
    )

    page.goto(f"/comptes/connexion/?next=/lots/{lot.pk}/")
    page.get_by_label("Adresse e-mail").fill("sam.agent@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("0 / 2 lignes")).to_be_visible()
    expect(page.get_by_text("En attente", exact=True)).to_be_visible()
    page.evaluate("window.pasRecharge = true")

    services.traiter_lot(lot.pk, lot.bail_par)

    expect(page.get_by_text("2 / 2 lignes")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Terminé", exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="doit être un objet JSON")).to_have_count(2)
    expect(page.get_by_text("2 rejetées")).to_be_visible()
    assert page.evaluate("window.pasRecharge") is True  # the same page, refreshed by htmx
