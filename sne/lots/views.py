"""The desk's agents follow the lots their connected systems sent: the list with each lot's
progress, a lot's per-line results, and its attestations in one PDF. Readable by anyone who
consults for the desk (`sne.comptes.droits`); the pages refresh their progress with htmx while
a lot is processed."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import habilite_requis
from sne.exceptions import ErreurMetier

from . import services
from .models import LigneLot

LOTS_PAR_PAGE = 20
LIGNES_PAR_PAGE = 50
DELAI_RAFRAICHISSEMENT = 3  # seconds between two progress readings while a lot is processed


@require_GET
@habilite_requis
def liste(request):
    page = Paginator(services.lots_visibles_par(request.user), LOTS_PAR_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "lots/liste.html",
        {
            "title": "Lots reçus des systèmes connectés",
            "page": page,
            "en_cours": any(not lot.est_fini for lot in page.object_list),
            "delai": DELAI_RAFRAICHISSEMENT,
        },
    )


@require_GET
@habilite_requis
def lot(request, lot_id):
    lot = services.trouver_lot(lot_id, request.user)
    statut = request.GET.get("statut", "")
    if statut not in LigneLot.Statut.values:
        statut = ""
    lignes = lot.lignes.order_by("ligne")
    if statut:
        lignes = lignes.filter(statut=statut)
    page = Paginator(lignes, LIGNES_PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "lots/lot.html",
        {
            "title": f"Lot du {lot.recu_le:%d/%m/%Y}",
            "lot": lot,
            "page": page,
            "comptes": services.compter_par_statut(lot),
            "statuts": LigneLot.Statut.choices,
            "statut": statut,
            "delai": DELAI_RAFRAICHISSEMENT,
        },
    )


@require_GET
@habilite_requis
def attestations(request, lot_id):
    """The attestations of the lot's registered demandes in one PDF (by parts of
    `services.ATTESTATIONS_PAR_PDF`), written to the audit log as a reading of each."""
    lot = services.trouver_lot(lot_id, request.user)
    apres = request.GET.get("apres_ligne", "0")
    apres = int(apres) if apres.isdigit() and len(apres) < 10 else 0
    try:
        contenu, _ = services.attestations_du_lot(lot, request.user, apres_ligne=apres)
    except ErreurMetier as e:
        messages.error(request, e.message)
        return redirect(reverse("lots:lot", kwargs={"lot_id": lot.pk}))
    reponse = HttpResponse(contenu, content_type="application/pdf")
    suffixe = f"-apres-{apres}" if apres else ""
    reponse["Content-Disposition"] = (
        f'attachment; filename="attestations-lot-{lot.pk}{suffixe}.pdf"'
    )
    return reponse
