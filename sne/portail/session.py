"""The portal's own session, separate from the agents' (issue 13: « an applicant is not a
Utilisateur; an agent's session never opens the portal and vice versa »).

`SessionPortailMiddleware` gives every request under `/portail/` a `request.portail`: a Django
session of its own, in its own cookie (`SNE_PORTAIL_COOKIE`, path `/portail/`, HttpOnly,
SameSite=Lax), never the agents' `request.session`. A signed-in agent who opens the portal is
not signed in there, and the portal's cookie is never even sent to the agents' pages. It
expires after `SNE_PORTAIL_DUREE_SESSION` seconds without activity.

`ouvrir_session`, `fermer_session`, `demande_connectee` and the `demandeur_requis` decorator are
what the portal's views use.
"""

from functools import wraps
from importlib import import_module

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

PREFIXE = "/portail/"
CLE_DEMANDE = "demande_id"


def _magasin():
    return import_module(settings.SESSION_ENGINE).SessionStore


class SessionPortailMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIXE):
            return self.get_response(request)
        cle = request.COOKIES.get(settings.SNE_PORTAIL_COOKIE)
        request.portail = _magasin()(session_key=cle)
        reponse = self.get_response(request)
        session = request.portail
        if CLE_DEMANDE in session or session.modified:
            # Every page of a signed-in applicant shows personal data: never cached.
            add_never_cache_headers(reponse)
            patch_cache_control(reponse, private=True)
        if session.modified and not session.is_empty():
            session.set_expiry(settings.SNE_PORTAIL_DUREE_SESSION)
            session.save()
            reponse.set_cookie(
                settings.SNE_PORTAIL_COOKIE,
                session.session_key,
                max_age=settings.SNE_PORTAIL_DUREE_SESSION,
                path=PREFIXE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif session.modified and cle:
            reponse.delete_cookie(settings.SNE_PORTAIL_COOKIE, path=PREFIXE, samesite="Lax")
        return reponse


def ouvrir_session(request, demande) -> None:
    """The applicant is signed in on their demande: a new session key (no fixation)."""
    request.portail.cycle_key()
    request.portail[CLE_DEMANDE] = demande.pk
    request.portail["ouverte_le"] = timezone.now().isoformat()


def fermer_session(request) -> None:
    request.portail.flush()


def demande_connectee(request):
    """The demande of the signed-in applicant, or None."""
    from sne.demandes.models import Demande

    portail = getattr(request, "portail", None)
    if portail is None or CLE_DEMANDE not in portail:
        return None
    return Demande.objects.filter(pk=portail[CLE_DEMANDE]).first()


def demandeur_requis(vue):
    """The view's applicant is signed in (`request.demande` is their demande); else back to the
    login page, then here."""

    @wraps(vue)
    def _vue(request, *args, **kwargs):
        demande = demande_connectee(request)
        if demande is None:
            return redirect(f"{reverse('portail:connexion')}?suivant={request.path}")
        request.portail.modified = True  # activity extends the session
        request.demande = demande
        return vue(request, *args, **kwargs)

    return _vue
