from django.core.paginator import Paginator
from django.shortcuts import render

from sne.comptes.decorateurs import gestionnaire_requis

from .models import EvenementAudit


@gestionnaire_requis
def journal(request):
    """The audit log a gestionnaire may read, filtered by person, desk and action."""
    evenements = EvenementAudit.objects.visibles_par(request.user).select_related(
        "utilisateur", "guichet"
    )
    filtres = {
        "utilisateur": request.GET.get("utilisateur", "").strip()[:254],
        "guichet": request.GET.get("guichet", "").strip().upper()[:5],
        "action": request.GET.get("action", ""),
        "demande": request.GET.get("demande", "").strip()[:30],
    }
    if filtres["utilisateur"]:
        evenements = evenements.filter(utilisateur__email__icontains=filtres["utilisateur"])
    if filtres["guichet"]:
        evenements = evenements.filter(guichet__code=filtres["guichet"])
    if filtres["demande"]:
        # The log of a demande: who consulted or changed it, for which desk, when.
        from sne.demandes.models import Demande
        from sne.demandes.numero import normaliser

        pk = (
            Demande.objects.filter(numero_unique=normaliser(filtres["demande"]))
            .values_list("pk", flat=True)
            .first()
        )
        evenements = evenements.filter(objet_type="demandes.demande", objet_id=str(pk))
    if filtres["action"] in EvenementAudit.Action.values:
        evenements = evenements.filter(action=filtres["action"])
    page = Paginator(evenements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/journal.html",
        {
            "title": "Journal d'audit",
            "rubrique": "journal",
            "page": page,
            "evenements": page.object_list,
            "filtres": filtres,
            "actions": EvenementAudit.Action.choices,
        },
    )
