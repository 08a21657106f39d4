"""Error pages that tell a person what happened and what to do, in French.

`ErreursMetierMiddleware` is the one place where a refusal of the rights layer or a missing
object, raised anywhere below a page (`NonAutorise`, `Introuvable`), becomes the 403 or 404
page: views do not catch them one by one. An `Introuvable` whose code has its own page
(`erreurs/<code>.html`, e.g. `erreurs/demande_introuvable.html` with the close numéros) gets it;
any other `ErreurMetier` that no form caught is the 400 page with its message.
"""

from django.shortcuts import render
from django.template.loader import select_template

from sne.exceptions import ErreurMetier, Introuvable, NonAutorise


def page_introuvable(request, exception=None):
    return render(request, "erreurs/404.html", status=404)


def erreur_serveur(request):
    # No context processors that could hit the database: this page must render when it is down.
    return render(request, "erreurs/500.html", status=500)


class ErreursMetierMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NonAutorise):
            return render(request, "erreurs/403.html", {"message": exception.message}, status=403)
        if isinstance(exception, Introuvable):
            gabarit = select_template([f"erreurs/{exception.code}.html", "erreurs/404.html"])
            contexte = {"message": exception.message, **exception.details}
            return render(request, gabarit.template.name, contexte, status=404)
        if isinstance(exception, ErreurMetier):
            # Any other refusal no form caught: what the address holds is refused (a numéro
            # unique typed in the URL with month 00), with its message, never a 500.
            return render(request, "erreurs/400.html", {"message": exception.message}, status=400)
        return None
