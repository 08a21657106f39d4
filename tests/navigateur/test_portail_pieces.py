"""An applicant signed in on the portal opens « Mes pièces justificatives » from their demande,
sends two files at once through the desks' drag-and-drop script (one refused, with its reason),
then replaces the pièce a desk refused. axe-core checks every page
(tests/navigateur/conftest.py)."""

from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from sne.demandes import services
from sne.pieces import services as pieces
from sne.pieces.models import Piece
from sne.portail.session import CLE_DEMANDE, PREFIXE
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.navigateur.conftest import pages_verifiees
from tests.pieces import fichiers

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def connecter_au_portail(page, live_server, demande) -> None:
    """The applicant's portal session, without typing a code (the login has its own test)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[CLE_DEMANDE] = demande.pk
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SNE_PORTAIL_COOKIE,
                "value": session.session_key,
                "url": f"{live_server.url}{PREFIXE}",
            }
        ]
    )


def test_un_demandeur_envoie_ses_pieces_et_remplace_celle_qui_est_refusee(
    page, live_server, referentiels_charges, antivirus
):
    guichet = GuichetFactory(code="75PJ3", departements=["75"])
    moi = agent(guichet)
    demande = services.enregistrer_demande(guichet, moi, donnees_minimales())
    connecter_au_portail(page, live_server, demande)

    page.goto("/portail/ma-demande/")
    page.get_by_role("link", name="Mes pièces justificatives").click()
    expect(page.get_by_role("heading", name="Mes pièces justificatives", level=1)).to_be_visible()
    expect(page.get_by_text("Vous n'avez encore envoyé aucune pièce.")).to_be_visible()
    expect(page.get_by_text("Glissez-déposez ici")).to_be_visible()  # the script is there

    page.get_by_label("Type de pièce").select_option("identite")
    page.get_by_label("Fichiers").set_input_files(
        [
            {"name": "carte.pdf", "mimeType": "application/pdf", "buffer": fichiers.pdf()},
            {
                "name": "piege.pdf",
                "mimeType": "application/pdf",
                "buffer": fichiers.pdf_avec_javascript(),
            },
        ]
    )
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("[data-pieces-statut]")).to_contain_text("1 fichier refusé")
    expect(page.locator('[data-resultat="refusee"]')).to_contain_text(
        "Ce PDF contient un programme (JavaScript"
    )
    # The list is read again without reloading the page.
    expect(page.locator("#pieces-liste tbody tr")).to_have_count(1)
    expect(page.locator("#pieces-liste")).to_contain_text("envoyée par vous, en ligne")

    piece = Piece.objects.get(demande=demande)
    assert piece.origine == "portail"
    pieces.refuser_piece(piece, "illisible", par=moi, guichet=guichet)
    page.reload()
    expect(page.locator("#pieces-liste")).to_contain_text(
        "Motif du refus : illisible ou incomplète."
    )
    page.get_by_role("link", name="Envoyer un nouveau fichier").click()
    expect(page.get_by_role("heading", name="Envoyer un nouveau fichier")).to_be_visible()
    page.get_by_label("Nouveau fichier").set_input_files(
        {"name": "carte-nette.pdf", "mimeType": "application/pdf", "buffer": fichiers.pdf(2)}
    )
    page.get_by_role("button", name="Envoyer le nouveau fichier").click()
    expect(page.get_by_text("Nouveau fichier envoyé pour : Pièce d'identité")).to_be_visible()
    expect(page.locator("#pieces-liste tbody tr")).to_have_count(2)
    piece.refresh_from_db()
    assert piece.statut == "remplacee" and piece.remplacee_par.nom_fichier == "carte-nette.pdf"
    verifiees = pages_verifiees(page)
    assert any(u.endswith("/portail/ma-demande/pieces/") for u in verifiees), verifiees
    assert any(u.endswith("/remplacer/") for u in verifiees), verifiees
