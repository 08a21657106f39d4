from django.urls import path

from . import views, views_jetons

app_name = "gestion"

urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("guichets/", views.guichets, name="guichets"),
    path("guichets/nouveau/", views.nouveau_guichet, name="nouveau_guichet"),
    path("guichets/<str:code>/", views.guichet, name="guichet"),
    path("guichets/<str:code>/convention/", views.convention, name="convention"),
    path("guichets/<str:code>/finaliser/", views.finaliser, name="finaliser"),
    path("guichets/<str:code>/perimetre/", views.perimetre, name="perimetre"),
    path("guichets/<str:code>/contacts/nouveau/", views.point_contact, name="nouveau_contact"),
    path("guichets/<str:code>/contacts/<int:pk>/", views.point_contact, name="contact"),
    path(
        "guichets/<str:code>/contacts/<int:pk>/supprimer/",
        views.supprimer_point_contact,
        name="supprimer_contact",
    ),
    path("guichets/<str:code>/agents/", views.ajouter_agent, name="ajouter_agent"),
    path(
        "guichets/<str:code>/habilitations/<int:pk>/retirer/",
        views.retirer_habilitation,
        name="retirer_habilitation",
    ),
    path("guichets/<str:code>/jetons/", views_jetons.jetons, name="jetons"),
    path(
        "guichets/<str:code>/jetons/<int:pk>/revoquer/",
        views_jetons.revoquer_jeton,
        name="revoquer_jeton",
    ),
]
