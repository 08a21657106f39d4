"""The gestionnaire's view of people: who is habilitated where, and what they did."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from sne.audit.models import EvenementAudit

from .decorateurs import gestionnaire_requis
from .models import Habilitation, Utilisateur


@gestionnaire_requis
def utilisateurs(request):
    q = request.GET.get("q", "").strip()[:100]
    liste = Utilisateur.objects.visibles_par(request.user).order_by("nom", "prenom", "email")
    if q:
        liste = liste.filter(Q(email__icontains=q) | Q(nom__icontains=q) | Q(prenom__icontains=q))
    page = Paginator(liste, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "comptes/gestion/utilisateurs.html",
        {"title": "Utilisateurs", "rubrique": "utilisateurs", "page": page, "q": q},
    )


@gestionnaire_requis
def utilisateur(request, pk):
    """A person: habilitations (current and past) and their log (« log of a user »)."""
    personne = get_object_or_404(Utilisateur.objects.visibles_par(request.user), pk=pk)
    evenements = EvenementAudit.objects.filter(utilisateur=personne).select_related("guichet")
    page = Paginator(evenements, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "comptes/gestion/utilisateur.html",
        {
            "title": personne.email,
            "rubrique": "utilisateurs",
            "personne": personne,
            "habilitations": Habilitation.objects.filter(utilisateur=personne).select_related(
                "guichet", "departement"
            ),
            "page": page,
            "evenements": page.object_list,
        },
    )
