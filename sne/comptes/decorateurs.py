"""Access to pages by habilitation: the web side of the permission layer (`droits.py`)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from .droits import droits_de


def habilitation_requise(test, message: str):
    def decorateur(vue):
        @wraps(vue)
        def enveloppe(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(droits_de(request.user)):
                return render(request, "erreurs/403.html", {"message": message}, status=403)
            return vue(request, *args, **kwargs)

        return enveloppe

    return decorateur


gestionnaire_requis = habilitation_requise(
    lambda d: d.est_gestionnaire,
    "Cette page est réservée aux gestionnaires territoriaux et à l'assistance nationale.",
)
national_requis = habilitation_requise(
    lambda d: d.national, "Cette page est réservée à l'assistance nationale."
)
habilite_requis = habilitation_requise(
    lambda d: d.a_une_habilitation,
    "Votre compte n'a aucune habilitation en cours : contactez votre gestionnaire territorial.",
)
agent_de_guichet_requis = habilitation_requise(
    lambda d: bool(d.guichets_consultation),
    "Cette page est réservée aux agents des guichets enregistreurs.",
)
