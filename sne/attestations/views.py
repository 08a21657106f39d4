"""The attestation an agent downloads from the demande page, and the gestionnaire's print run:
attestations of applicants without an e-mail address."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sne.comptes.decorateurs import gestionnaire_requis, habilite_requis
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


@gestionnaire_requis
def courriers(request):
    courriers = list(services.courriers_a_imprimer(par=request.user)[:500])
    services.lire_courriers(courriers, request.user)
    return render(
        request,
        "attestations/gestion/courriers.html",
        {
            "title": "Courriers à imprimer",
            "rubrique": "courriers",
            "courriers": courriers,
        },
    )


@gestionnaire_requis
def courriers_pdf(request):
    """All the letters waiting, in one PDF, to print in one go."""
    courriers = list(services.courriers_a_imprimer(par=request.user)[:500])
    try:
        contenu = services.pdf_groupe(courriers)
        services.lire_courriers(courriers, request.user, pour_impression=True)
    except ErreurMetier as e:
        messages.info(request, e.message)
        return redirect("courriers:liste")
    reponse = HttpResponse(contenu, content_type="application/pdf")
    nom = f"courriers-sne-{timezone.localdate():%Y%m%d}.pdf"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@gestionnaire_requis
@require_POST
def marquer_imprimes(request):
    ids = [int(i) for i in request.POST.getlist("attestation") if i.isdigit()]
    try:
        nombre = services.marquer_imprimes(ids, request.user)
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        pluriel = "s" if nombre > 1 else ""
        messages.success(
            request, f"{nombre} courrier{pluriel} marqué{pluriel} comme posté{pluriel}."
        )
    return redirect("courriers:liste")
