"""Applying online (vues_demande_en_ligne.py): the draft is the portal session's, never named
in an address."""

from django.urls import path

from . import vues_demande_en_ligne as v

urlpatterns = [
    path("", v.commencer, name="demande_en_ligne"),
    path("reprendre/", v.reprendre, name="demande_en_ligne_reprendre"),
    path("lien-envoye/", v.lien_envoye, name="demande_en_ligne_lien_envoye"),
    path("ouvrir/<str:jeton>/", v.ouvrir, name="demande_en_ligne_ouvrir"),
    path("etape/<str:etape>/", v.etape, name="demande_en_ligne_etape"),
    path("enregistree/", v.plus_tard, name="demande_en_ligne_plus_tard"),
    path("envoyee/", v.envoyee, name="demande_en_ligne_envoyee"),
    path("a-voir-avec-un-guichet/", v.guichet, name="demande_en_ligne_guichet"),
]
