"""The guided step of a separation (FAQ « Un couple se sépare »): one page, the former
co-demandeur's identity document, new address and contact, who the children follow and both
situations; nothing is written until everything is valid (`dupliquer_pour_separation`)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sne.comptes.decorateurs import habilite_requis
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire, resume_erreurs

from .. import services
from ..forms.separation import SeparationForm
from ..regles import ModificationConcurrente
from .commun import demande_complete, pour_agir, vers_demande
from .fiche import lignes_historique


@require_http_methods(["GET", "POST"])
@habilite_requis
def separer(request, numero):
    trouvee, guichet = pour_agir(request, numero)
    d = demande_complete(trouvee.pk)
    if not services.peut_dupliquer_pour_separation(d):
        return render(
            request,
            "demandes/separation.html",
            {"title": f"Séparation du couple de la demande {d.numero_unique}", "d": d},
        )
    form = SeparationForm(request.POST or None, demande=d)
    changements_concurrents = []
    if request.method == "POST" and form.is_valid():
        try:
            nouvelle = services.dupliquer_pour_separation(
                d, request.user, guichet, form.separation(), version=form.cleaned_data["version"]
            )
        except ModificationConcurrente as e:
            # What the agent typed is kept, on the current version; what changed is shown.
            d = demande_complete(d.pk)
            if not services.peut_dupliquer_pour_separation(d):
                messages.error(request, e.message)
                return redirect(vers_demande(d.numero_unique))
            donnees = request.POST.copy()
            donnees["version"] = str(d.version)
            form = SeparationForm(donnees, demande=d)
            form.is_valid()
            form.add_error(None, e.message)
            changements_concurrents = lignes_historique(
                d.historique.filter(pk__in=e.details["historique"]).order_by("horodatage", "pk")
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(
                request,
                f"Séparation enregistrée : {nouvelle.demandeur} a désormais sa propre demande "
                f"{nouvelle.numero_unique}, avec l'ancienneté de la demande {d.numero_unique} "
                f"(dépôt le {nouvelle.date_depot:%d/%m/%Y}). Son attestation d'enregistrement "
                "lui est envoyée, et chacun des deux est informé.",
            )
            return redirect(vers_demande(nouvelle.numero_unique))
    services.consulter(d, request.user, guichet)  # the page shows the household
    return render(
        request,
        "demandes/separation.html",
        {
            "title": f"Séparation du couple de la demande {d.numero_unique}",
            "d": d,
            "demandeur": d.demandeur,
            "co": d.co_demandeur,
            "form": form,
            "guichet": guichet,
            "resume_erreurs": resume_erreurs(form),
            "changements_concurrents": changements_concurrents,
        },
    )
