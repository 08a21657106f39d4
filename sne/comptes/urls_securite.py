from django.urls import path

from . import views_securite as vues

app_name = "securite"

urlpatterns = [
    path("", vues.tableau, name="tableau"),
    path("activer/", vues.activer, name="activer"),
    path("verifier/", vues.verifier, name="verifier"),
    path("codes-de-secours/", vues.nouveaux_codes, name="codes"),
    path("desactiver/", vues.desactiver, name="desactiver"),
]
