"""Logging in with FranceConnect (sne/portail/vues_franceconnect.py), under /portail/franceconnect/.
The redirect URIs declared at FranceConnect are `retour/` and `deconnecte/`
(SNE_FRANCECONNECT_REDIRECT_URI, SNE_FRANCECONNECT_POST_LOGOUT_REDIRECT_URI)."""

from django.urls import path

from . import vues_franceconnect as v

urlpatterns = [
    path("", v.connexion, name="franceconnect"),
    path("retour/", v.retour, name="franceconnect_retour"),
    path("lier-ma-demande/", v.lier, name="franceconnect_lier"),
    path("deconnexion/", v.deconnexion, name="franceconnect_deconnexion"),
    path("deconnecte/", v.deconnecte, name="franceconnect_deconnecte"),
]
