from django.urls import path

from . import vues_compte as v

urlpatterns = [
    path("connexion/", v.connexion, name="connexion"),
    path("deconnexion/", v.deconnexion, name="deconnexion"),
    path("ma-demande/", v.ma_demande, name="ma_demande"),
]
