"""What a desk sees of the messages sent to an applicant: the « Courriers et messages » tab of
the demande page (each notice, its channel, its content as sent and every delivery event — the
proof the FAQ asks for, without a gestionnaire), and the list of applicants the register could
not reach, to correct their contact details."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import droits_de
from sne.demandes.services import trouver_demande

from . import services
from .models import Message

PAR_PAGE = 50


def contexte_onglet(request, demande) -> dict:
    """The tab's content: read with the demande page (its opening is already audited)."""
    return {
        "messages_envoyes": services.messages_de(demande),
        "gere_le_departement": droits_de(request.user).gere_departement(demande.departement_id),
    }


@require_GET
@never_cache
@habilite_requis
def a_corriger(request):
    """Applicants the register could not reach (no postal address, e-mail refused, letter
    returned), among the demandes the agent may see: correct their contact details."""
    messages = services.a_corriger(request.user)
    page = Paginator(messages, PAR_PAGE).get_page(request.GET.get("page"))
    services.lire_a_corriger(page.object_list, request.user)
    return render(
        request,
        "notifications/a_corriger.html",
        {"title": "Demandeurs à recontacter", "page": page},
    )


@require_GET
@never_cache
@habilite_requis
def courrier_pdf(request, numero, pk):
    """A letter as sent, printed again (the same data, the same layout): the proof a desk
    hands over. Reading it is audited like the demande."""
    demande = trouver_demande(numero, request.user)
    message = get_object_or_404(
        Message.objects.select_related("attestation"), pk=pk, demande=demande
    )
    nom, contenu = services.reimprimer(message, request.user)
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse
