"""The second factor is asked before any page, not only at the login form."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .securite import a_un_double_facteur, double_facteur_obligatoire


class DoubleFacteurMiddleware:
    """A logged-in person who must have a second factor (gestionnaire, national administrator,
    technical administration), or who has added one, reaches no page before typing a code in
    this session: they are sent to the verification page, or to the page adding an
    application if they have none yet.

    Left free: the login and logout pages, these two pages, static files and `/api/` (systems
    authenticate there with their own tokens). Goes after django-otp's `OTPMiddleware`, which
    tells whether the session is verified (`request.user.is_verified()`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self._redirection(request)
        return reponse or self.get_response(request)

    def _redirection(self, request):
        utilisateur = getattr(request, "user", None)
        if utilisateur is None or not utilisateur.is_authenticated or utilisateur.is_verified():
            return None
        if self._page_libre(request.path):
            return None
        if a_un_double_facteur(utilisateur):
            cible = reverse("securite:verifier")
        elif double_facteur_obligatoire(utilisateur):
            cible = reverse("securite:activer")
        else:
            return None
        if request.method == "GET":
            cible = f"{cible}?{urlencode({'next': request.get_full_path()})}"
        return redirect(cible)

    @staticmethod
    def _page_libre(chemin: str) -> bool:
        libres = (
            reverse("comptes:connexion"),
            reverse("comptes:deconnexion"),
            reverse("securite:verifier"),
            reverse("securite:activer"),
        )
        prefixes = ("/api/", "/" + settings.STATIC_URL.lstrip("/"))
        return chemin in libres or chemin.startswith(prefixes)
