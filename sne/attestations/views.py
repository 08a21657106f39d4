"""The attestation an agent downloads from the demande page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import guichet_agissant, guichet_de_consultation
from sne.demandes.services import trouver_demande
from sne.exceptions import ErreurMetier

from . import services


@require_GET
@habilite_requis
def telecharger(request, numero):
    """The last attestation sent, as a PDF; « en préparation » while it is being produced."""
    demande = trouver_demande(numero, request.user)
    page_demande = reverse("demandes:demande", kwargs={"numero": demande.numero_unique})
    piece = services.attestation_a_jour(demande)
    if piece is None:
        return render(
            request,
            "attestations/en_preparation.html",
            {"title": "Attestation en préparation", "d": demande, "delai": 5},
        )
    guichet = guichet_agissant(request.user, demande) or guichet_de_consultation(
        request.user, demande
    )
    try:
        nom, contenu = services.pdf_pour_agent(piece, request.user, guichet)
    except ErreurMetier as e:
        messages.error(request, e.message)
        return redirect(page_demande)
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse
