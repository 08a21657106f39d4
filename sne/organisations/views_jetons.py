"""The gestionnaire's page of a desk's API tokens (ADR 0012): list, create (the token shown
once), revoke after a confirmation. Rights and audit are in `sne.comptes.jetons`."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sne.comptes import jetons as services_jetons
from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.models import JetonApi
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire, resume_erreurs

from .forms import NouveauJetonForm
from .views import _guichet_gere


def _page(request, guichet, form, status=200):
    return render(
        request,
        "organisations/jetons.html",
        {
            "title": f"Jetons d'API du guichet {guichet.code}",
            "rubrique": "guichets",
            "guichet": guichet,
            "jetons": JetonApi.objects.filter(guichet=guichet).select_related(
                "cree_par", "revoque_par"
            ),
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
        status=status,
    )


@gestionnaire_requis
@require_http_methods(["GET", "POST"])
def jetons(request, code):
    guichet = _guichet_gere(request, code)
    if request.method == "GET":
        return _page(request, guichet, NouveauJetonForm())
    form = NouveauJetonForm(request.POST)
    if form.is_valid():
        try:
            jeton, en_clair = services_jetons.creer_jeton(
                guichet, par=request.user, libelle=form.cleaned_data["libelle"]
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            # Answered here, never redirected nor put in the session: the token is shown once.
            return render(
                request,
                "organisations/jeton_cree.html",
                {
                    "title": "Jeton d'API créé",
                    "rubrique": "guichets",
                    "guichet": guichet,
                    "jeton": jeton,
                    "en_clair": en_clair,
                },
            )
    return _page(request, guichet, form, status=422)


@gestionnaire_requis
@require_POST
def revoquer_jeton(request, code, pk):
    """Asks first (the button of the tokens page), then revokes."""
    guichet = _guichet_gere(request, code)
    jeton = get_object_or_404(JetonApi, pk=pk, guichet=guichet)
    if request.POST.get("confirme") != "1":
        return render(
            request,
            "organisations/revoquer_jeton.html",
            {"title": "Révoquer un jeton d'API", "guichet": guichet, "jeton": jeton},
        )
    try:
        services_jetons.revoquer_jeton(jeton, par=request.user)
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Jeton {jeton.prefixe}… « {jeton.libelle} » révoqué.")
    return redirect("gestion:jetons", code=guichet.code)
