from django.urls import path

from . import views

app_name = "comptes"

urlpatterns = [
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("deconnexion/", views.DeconnexionView.as_view(), name="deconnexion"),
    path("mot-de-passe-inconnu/", views.mot_de_passe_inconnu, name="mot_de_passe_inconnu"),
    path("activation/<str:uidb64>/<str:jeton>/", views.activation, name="activation"),
    path("mon-compte/", views.mon_compte, name="mon_compte"),
    path("confirmer-email/<str:jeton>/", views.confirmer_email, name="confirmer_email"),
    path(
        "accepter-habilitation/<str:jeton>/",
        views.accepter_habilitation,
        name="accepter_habilitation",
    ),
]
