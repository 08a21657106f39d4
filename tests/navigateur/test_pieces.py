"""An agent adds pièces to a demande from its page: several files at once through the file
field, each with its progress bar and its own result (one refused), then sees them in the list,
opens one and validates it. axe-core checks every page seen (tests/navigateur/conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from sne.demandes import services
from sne.pieces.models import Piece
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter
from tests.navigateur.test_demande import MOT_DE_PASSE
from tests.pieces import fichiers

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_agent_depose_plusieurs_pieces_ouvre_et_valide(
    page, live_server, referentiels_charges, antivirus
):
    guichet = GuichetFactory(code="75PJ1", departements=["75"])
    agent = UtilisateurFactory(email="lea.agent@bailleur-test.fr", password=MOT_DE_PASSE)
    habiliter(agent, "saisie", guichet=guichet)
    demande = services.enregistrer_demande(guichet, agent, donnees_minimales())

    page.goto(f"/comptes/connexion/?next=/demandes/{demande.numero_unique}/?onglet=pieces")
    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Aucune pièce pour l'instant.")).to_be_visible()
    expect(page.get_by_text("Glissez-déposez ici")).to_be_visible()  # the script is there

    page.get_by_label("Type de pièce").select_option("identite")
    page.get_by_label("Fichiers").set_input_files(
        [
            {"name": "carte.pdf", "mimeType": "application/pdf", "buffer": fichiers.pdf()},
            {"name": "verso.jpg", "mimeType": "image/jpeg", "buffer": fichiers.jpeg()},
            {
                "name": "piege.pdf",
                "mimeType": "application/pdf",
                "buffer": fichiers.pdf_avec_javascript(),
            },
        ]
    )
    expect(page.get_by_text("3 fichiers choisis.")).to_be_visible()
    page.get_by_role("button", name="Ajouter les pièces").click()

    statut = page.locator("[data-pieces-statut]")
    expect(statut).to_contain_text("Envoi terminé : 2 pièces ajoutées, 1 fichier refusé.")
    expect(page.get_by_role("progressbar", name="Envoi de carte.pdf")).to_have_attribute(
        "value", "100"
    )
    expect(page.locator("[data-pieces-resultats] li")).to_have_count(3)
    expect(page.locator('[data-resultat="refusee"]')).to_contain_text(
        "Refusé : Ce PDF contient un programme (JavaScript"
    )
    expect(page.locator('[data-resultat="ajoutee"]')).to_have_count(2)
    # The list is read again: the two pièces are there, without reloading the page.
    sections = page.locator("#pieces-liste section")
    expect(sections).to_have_count(2)
    expect(page.get_by_text("Aucune pièce pour l'instant.")).to_have_count(0)

    piece = Piece.objects.get(demande=demande, nom_fichier="carte.pdf")
    lien = page.locator(f'a[href="/pieces/{piece.uid}/"]')
    expect(lien).to_be_visible()
    reponse = page.request.get(lien.get_attribute("href"))
    assert reponse.status == 200
    assert reponse.headers["content-type"] == "application/pdf"
    assert reponse.headers["content-security-policy"] == "sandbox"

    page.locator(f"#section-piece-{piece.uid}").get_by_role(
        "button", name=re.compile("^Valider")
    ).click()
    expect(page.get_by_text("Pièce validée : Pièce d'identité")).to_be_visible()
    expect(page.locator(f"#section-piece-{piece.uid}")).to_contain_text("Validée")
    piece.refresh_from_db()
    assert piece.statut == "validee"
