from django.urls import path

from . import candidats, views

app_name = "attributions"

urlpatterns = [
    path("", views.seances, name="seances"),
    path("seances/nouvelle/", views.nouvelle_seance, name="nouvelle_seance"),
    path("seances/<int:pk>/", views.seance, name="seance"),
    path("seances/<int:pk>/presenter/", views.presenter, name="presenter"),
    path("candidatures/<int:pk>/decision/", views.decision, name="decision"),
    path("candidatures/<int:pk>/condition/", views.condition, name="condition"),
    path("candidatures/<int:pk>/refus/", views.refus, name="refus"),
    path("candidatures/<int:pk>/bail/", views.bail, name="bail"),
    path("logements/", views.logements, name="logements"),
    path("logements/nouveau/", views.nouveau_logement, name="nouveau_logement"),
    path("logements/<int:pk>/", views.logement, name="logement"),
    path("logements/<int:pk>/candidats/", candidats.candidats, name="candidats"),
]
