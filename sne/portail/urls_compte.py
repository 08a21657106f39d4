"""Logging in (code télédemandeur, e-mail confirmation, activation link) and the signed-in
applicant's pages (`vues_compte`)."""

from django.urls import path

from . import vues_compte as v
from . import vues_pieces

urlpatterns = [
    path("connexion/", v.connexion, name="connexion"),
    path("code/", v.demander_code, name="demander_code"),
    path("code/envoye/", v.code_envoye, name="code_envoye"),
    path("connexion/adresse-electronique/", v.confirmer_email, name="confirmer_email"),
    path("connexion/adresse-inchangee/", v.email_non_modifie, name="email_non_modifie"),
    path("connexion/lien-envoye/", v.lien_envoye, name="lien_envoye"),
    path("activation/<str:jeton>/", v.activation, name="activation"),
    path("deconnexion/", v.deconnexion, name="deconnexion"),
    path("ma-demande/", v.ma_demande, name="ma_demande"),
    path("ma-demande/attestations/<int:pk>/", v.attestation, name="attestation"),
    path("ma-demande/renouveler/", v.renouveler, name="renouveler"),
    path("ma-demande/modifier/", v.modifier, name="modifier"),
    path("ma-demande/modifier/adresse-electronique/", v.modifier_email, name="modifier_email"),
    path("ma-demande/modifier/<slug:section>/", v.modifier_section, name="modifier_section"),
    path("ma-demande/renoncer/", v.renoncer, name="renoncer"),
    path("ma-demande/pieces/", vues_pieces.mes_pieces, name="mes_pieces"),
    path("ma-demande/pieces/<str:uid>/", vues_pieces.ouvrir_piece, name="ouvrir_piece"),
    path(
        "ma-demande/pieces/<str:uid>/remplacer/",
        vues_pieces.remplacer_piece,
        name="remplacer_piece",
    ),
]
