"""The gestionnaire's view of people: who is habilitated where, and what they did."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sne.audit.services import adresse_ip
from sne.exceptions import ErreurMetier

from . import securite
from .decorateurs import gestionnaire_requis
from .droits import journal_visible_par
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
    evenements = (
        journal_visible_par(request.user).filter(utilisateur=personne).select_related("guichet")
    )
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
            "double_facteur": securite.a_un_double_facteur(personne),
        },
    )


@gestionnaire_requis
@require_POST
def reinitialiser_double_facteur(request, pk):
    personne = get_object_or_404(Utilisateur.objects.visibles_par(request.user), pk=pk)
    try:
        securite.reinitialiser_double_facteur(
            personne, par=request.user, adresse_ip=adresse_ip(request)
        )
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"Double authentification de {personne.email} réinitialisée : elle en configurera "
            "une nouvelle à sa prochaine connexion.",
        )
    return redirect("gestion_comptes:utilisateur", pk=personne.pk)
