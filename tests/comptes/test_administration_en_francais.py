"""The technical administration (/admin/) speaks French, the libraries' pages included
(issue 9: it showed « Static devices », « TOTP devices »)."""

import re

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sne.comptes.models import Utilisateur
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

ANGLAIS = [
    "Static device",
    "static device",
    "TOTP device",
    "Static token",
    "StaticToken object",
    "Otp_Static",
    "Otp_Totp",
    ">Axes<",
    "Identity",
    "Timestamps",
    "Throttling",
    "Created at",
    "Last used at",
    "Confirmed",
    "Search by",
    "The user that this device belongs to",
    "The human-readable name",
    "Is this device ready",
    "hex-encoded",
    "time step",
    "Locked Out",
    "User Agent",
    "Access attempt",
    "access attempt",
]


@pytest.fixture
def administrateur(client):
    personne = Utilisateur.objects.create_superuser("technique@sne-test.fr", "un long mot de passe")
    connecter(client, personne)  # with a StaticDevice, as the second factor requires
    TOTPDevice.objects.create(user=personne, name="Téléphone")
    StaticDevice.objects.get(user=personne).token_set.create(token="abcd1234")
    return personne


def _sans_anglais(page: str) -> list[str]:
    lisible = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    return [mot for mot in ANGLAIS if mot in lisible]


def test_l_accueil_de_l_administration_nomme_applications_et_modeles_en_francais(
    client, administrateur
):
    page = texte(client.get("/admin/"))

    assert '<html lang="fr"' in page
    assert _sans_anglais(page) == []
    for nom in (
        "Double authentification : codes de secours",
        "Jeux de codes de secours",
        "Double authentification : applications",
        "Applications d'authentification",
        "Verrouillage après échecs de connexion",
    ):
        assert nom in page


@pytest.mark.parametrize(
    "adresse",
    [
        "/admin/otp_static/staticdevice/",
        "/admin/otp_static/staticdevice/{codes}/change/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_totp/totpdevice/add/",
        "/admin/otp_totp/totpdevice/{application}/change/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
    ],
)
def test_les_pages_de_la_double_authentification_et_du_verrouillage_sont_en_francais(
    client, administrateur, adresse
):
    adresse = adresse.format(
        codes=StaticDevice.objects.get().pk, application=TOTPDevice.objects.get().pk
    )
    reponse = client.get(adresse)

    assert reponse.status_code == 200
    assert _sans_anglais(texte(reponse)) == []


def test_les_noms_francais_ne_demandent_aucune_migration():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
