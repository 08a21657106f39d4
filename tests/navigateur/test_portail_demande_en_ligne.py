"""A new applicant applies online from scratch to a numéro unique (issue 13): the e-mail
link, the steps (the first ones with the keyboard only), the identity document, the summary,
then the numéro unique. axe-core checks every page (tests/navigateur/conftest.py)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from sne.demandes.models import Demande
from sne.portail.models import DemandeEnLigne
from tests.navigateur.conftest import pages_verifiees
from tests.pieces import fichiers

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

EMAIL = "awa.diallo.demandeuse@fournisseur-courriel.example"
PNG = fichiers.png()


def taper(page, libelle: str, texte: str) -> None:
    """Reach a field and type in it, as a keyboard user does (no click)."""
    page.get_by_label(libelle).focus()
    page.keyboard.type(texte, delay=10)


def test_un_demandeur_fait_sa_demande_en_ligne_de_zero_au_numero_unique(
    page, live_server, referentiels_charges, settings
):
    mail.outbox.clear()
    page.goto("/portail/")
    page.get_by_role("link", name="Je fais ma première demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Faire ma demande de logement social en ligne"
    )
    expect(page.get_by_role("main")).to_contain_text(
        f"après {settings.SNE_PORTAIL_PURGE_BROUILLON_JOURS} jours"
    )

    # Keyboard only: the address, Enter.
    taper(page, "Votre adresse e-mail", EMAIL)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Regardez vos e-mails")
    lien = re.search(r"https?://\S+/ouvrir/\S+/", mail.outbox[-1].body).group(0)
    assert lien.startswith(live_server.url)

    page.goto(lien)
    page.get_by_role("button", name="Ouvrir ma demande").focus()
    page.keyboard.press("Enter")

    # 1. The département: a native list, chosen by typing, then Tab to « Continuer ».
    expect(page.get_by_text("Étape 1 sur 8")).to_be_visible()
    page.get_by_label("Dans quel département cherchez-vous un logement ?").focus()
    page.keyboard.type("93", delay=50)
    expect(page.get_by_label("Dans quel département cherchez-vous un logement ?")).to_have_value(
        "93"
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    # 2. The applicant, keyboard only; sent first with a forgotten field: the error is linked.
    expect(page.get_by_text("Étape 2 sur 8")).to_be_visible()
    nom = page.get_by_label(re.compile(r"Votre nom(?! de naissance)"))
    nom.focus()
    page.keyboard.type("Diallo")
    taper(page, "Votre prénom", "Awa")
    nom.press("Enter")
    resume = page.locator("#resume-erreurs")
    expect(resume).to_contain_text("Votre pièce d'identité")
    expect(resume).to_be_focused()
    page.get_by_role("radio", name="Passeport").focus()
    page.keyboard.press("Space")
    page.get_by_label("Votre date de naissance").focus()
    page.keyboard.type("11021987")
    page.get_by_role("button", name="Continuer", exact=True).focus()
    page.keyboard.press("Enter")

    # 3. The address, keyboard only (the commune picked from the suggestions).
    expect(page.get_by_text("Étape 3 sur 8")).to_be_visible()
    expect(page.get_by_label("Votre adresse e-mail")).to_have_value(EMAIL)  # the proved one
    taper(page, "Votre adresse (numéro et rue)", "8 rue Gabriel Péri")
    champ = page.get_by_label("Votre commune")
    champ.focus()
    page.keyboard.type("93200", delay=30)
    expect(page.get_by_role("button", name="Saint-Denis — 93")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(champ).to_have_value("Saint-Denis (93200)")
    page.get_by_role("button", name="Continuer", exact=True).focus()
    page.keyboard.press("Enter")

    # 4. Who will live there: alone; saved by leaving and coming back (« continuer plus tard »).
    expect(page.get_by_text("Étape 4 sur 8")).to_be_visible()
    page.get_by_role("button", name="Enregistrer et continuer plus tard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est enregistrée")
    # Nothing to add was a complete answer: back where the applicant goes on.
    page.get_by_role("link", name="continuer ma demande").click()

    # 5. Housing and resources.
    expect(page.get_by_text("Étape 5 sur 8")).to_be_visible()
    page.get_by_label("Non", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer", exact=True).click()

    # 6. The wished commune, picked with the keyboard.
    expect(page.get_by_text("Étape 6 sur 8")).to_be_visible()
    champ = page.get_by_label("Commune souhaitée n° 1")
    champ.press_sequentially("montreuil", delay=30)
    expect(page.get_by_role("button", name="Montreuil — 93")).to_be_visible()
    champ.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(champ).to_have_value("Montreuil (93100)")
    page.get_by_role("button", name="Continuer", exact=True).click()

    # 7. The identity document: a file that lies about its type first, then the real one.
    expect(page.get_by_text("Étape 7 sur 8")).to_be_visible()
    page.get_by_label("Photo ou scan de votre pièce d'identité").set_input_files(
        {"name": "passeport.pdf", "mimeType": "application/pdf", "buffer": b"MZ pas un PDF"}
    )
    page.get_by_role("button", name="Continuer", exact=True).click()
    expect(page.locator("#resume-erreurs")).to_contain_text("ni un PDF, ni une image")
    page.get_by_label("Photo ou scan de votre pièce d'identité").set_input_files(
        {"name": "passeport.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Continuer", exact=True).click()

    # 8. The summary, then « Envoyer ma demande ».
    expect(page.get_by_text("Étape 8 sur 8")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Montreuil (93048)")
    expect(page.get_by_role("main")).to_contain_text("passeport.png")
    page.get_by_role("button", name="Envoyer ma demande").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est enregistrée")
    demande = Demande.objects.get()
    expect(page.get_by_role("main")).to_contain_text(demande.numero_unique)
    assert demande.demarches_en_ligne is True
    assert DemandeEnLigne.objects.get().demande == demande
    expect(page.get_by_role("link", name="Ma demande").first).to_be_visible()

    assert len(pages_verifiees(page)) >= 10
