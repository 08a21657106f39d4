from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from sne import views
from sne.api.api import api
from sne.attestations import urls_demandes as attestation_demande
from sne.demandes import urls as demandes
from sne.notifications import urls_demandes as messages_demande

# The demande's pages, its attestation's download which the attestations app serves, and the
# messages sent to the applicant (notifications app).
pages_demandes = (
    messages_demande.urlpatterns + demandes.urlpatterns + attestation_demande.urlpatterns
)

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("comptes/", include("sne.comptes.urls")),
    path("comptes/securite/", include("sne.comptes.urls_securite")),
    path("gestion/", include("sne.organisations.urls")),
    path("gestion/utilisateurs/", include("sne.comptes.urls_gestion")),
    path("gestion/fiche-collecte/", include("sne.organisations.urls_fiche_collecte")),
    path("gestion/departements/", include("sne.organisations.urls_departement")),
    path("gestion/journal/", include("sne.gestion.urls")),
    path("gestion/doublons/", include("sne.gestion.urls_doublons")),
    path("gestion/courriers/", include("sne.gestion.urls_courriers")),
    path("gestion/campagne/", include("sne.gestion.urls_campagne")),
    path("gestion/cotation/", include("sne.attributions.urls_gestion")),
    path("gestion/statistiques/", include("sne.statistiques.urls")),
    path("referentiels/", include("sne.referentiels.urls")),
    path("demandes/", include((pages_demandes, "demandes"))),
    path("lots/", include("sne.lots.urls")),
    # The pièces of the dossier unique: the desks' pages, a pièce's file behind its rights.
    path("pieces/", include("sne.pieces.urls")),
    path("cotation/", include("sne.attributions.urls_cotation")),
    path("donnees-ouvertes/", include("sne.statistiques.urls_ouvertes")),
    # A desk's own activity, for its agents (the gestionnaires' statistics are under gestion/).
    path("statistiques/guichet/", include("sne.statistiques.urls_guichet")),
    # The applicants' own pages, with their own session (sne/portail/session.py).
    path("portail/", include("sne.portail.urls")),
    # The landlords' CAL: their dwellings, sessions, candidates and decisions (issue 15).
    path("attributions/", include("sne.attributions.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # The e-mail provider's delivery events (django-anymail): only with a shared secret, which
    # anymail checks on every call (without one it would accept anybody's events).
    urlpatterns.append(path("anymail/", include("anymail.urls")))

handler404 = "sne.erreurs.page_introuvable"
handler500 = "sne.erreurs.erreur_serveur"
