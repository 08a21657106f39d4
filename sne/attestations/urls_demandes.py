"""The attestation of a demande, among the demande's pages (/demandes/<numéro>/attestation/,
URL name `demandes:attestation`): `sne/urls.py` mounts these patterns in the `demandes`
namespace, since the demandes app does not import the attestations built on it."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:numero>/attestation/", views.telecharger, name="attestation"),
]
