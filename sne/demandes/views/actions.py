"""The actions on a demande: renew (CCH R441-2-7), strike off (R441-2-8), reactivate. Each asks
for confirmation, then calls its service (the separation has its own guided step:
`views/separation.py`)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sne.comptes.decorateurs import habilite_requis
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire, resume_erreurs

from .. import services
from ..forms.actions import RadiationForm, ReactivationForm
from ..regles import un_an_apres
from .commun import pour_agir, vers_demande


@require_http_methods(["GET", "POST"])
@habilite_requis
def renouveler(request, numero):
    d, guichet = pour_agir(request, numero)
    if request.method == "POST":
        try:
            d = services.renouveler(d, request.user, guichet)
        except ErreurMetier as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                f"Demande renouvelée : elle expire désormais le {d.date_expiration:%d/%m/%Y}. "
                "L'attestation de renouvellement est envoyée au demandeur.",
            )
        return redirect(vers_demande(d.numero_unique))
    services.consulter(d, request.user, guichet)  # the page shows the demandeur
    return render(
        request,
        "demandes/confirmation.html",
        {
            "title": f"Renouveler la demande {d.numero_unique}",
            "d": d,
            "action": "renouveler",
            "nouvelle_expiration": un_an_apres(timezone.localdate()),
            "guichet": guichet,
        },
    )


def _minuscule_initiale(libelle: str) -> str:
    """« Irrecevabilité décidée par la CAL » inside a sentence: only the first letter lowered."""
    return libelle[:1].lower() + libelle[1:]


@require_http_methods(["GET", "POST"])
@habilite_requis
def radier(request, numero):
    d, guichet = pour_agir(request, numero)
    form = RadiationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            d = services.radier(
                d,
                donnees["motif"],
                donnees["sous_motif"],
                par=request.user,
                guichet=guichet,
                commentaire=donnees["commentaire"],
                date_avertissement=donnees["date_avertissement"],
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            fin = services.fin_fenetre_reactivation(d)
            motif = _minuscule_initiale(d.get_motif_radiation_display())
            messages.success(
                request,
                f"Demande radiée ({motif}). Elle reste consultable ; une réactivation est "
                f"possible jusqu'au {fin:%d/%m/%Y}.",
            )
            return redirect(vers_demande(d.numero_unique))
    if not d.est_active:
        messages.info(request, "Cette demande est déjà radiée.")
        return redirect(vers_demande(d.numero_unique))
    services.consulter(d, request.user, guichet)  # the page shows the demandeur
    return render(
        request,
        "demandes/radiation.html",
        {
            "title": f"Radier la demande {d.numero_unique}",
            "d": d,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def reactiver(request, numero):
    d, guichet = pour_agir(request, numero)
    form = ReactivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.reactiver(d, request.user, guichet, form.cleaned_data["commentaire"])
        except ErreurMetier as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                f"Demande réactivée avec son numéro et son ancienneté ; elle expire le "
                f"{d.date_expiration:%d/%m/%Y}.",
            )
        return redirect(vers_demande(d.numero_unique))
    services.consulter(d, request.user, guichet)  # the page shows the demandeur
    return render(
        request,
        "demandes/confirmation.html",
        {
            "title": f"Réactiver la demande {d.numero_unique}",
            "d": d,
            "action": "reactiver",
            "form": form,
            "fin_reactivation": services.fin_fenetre_reactivation(d),
            "guichet": guichet,
        },
    )
