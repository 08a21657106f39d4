import re
from copy import deepcopy
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from sne.demandes import services as demandes
from sne.notifications.sms import MemoireSms
from sne.portail import services_compte
from sne.portail.models import AdresseVerifiee
from sne.portail.session import CLE_DEMANDE
from tests.factories import GuichetFactory, PointContactFactory, agent

DONNEES = {
    "departement": "93",
    "demandeur": {
        "nom": "Benali",
        "prenom": "Samia",
        "civilite": "MME",
        "date_naissance": "1990-06-15",
        "email": "samia.benali@example.fr",
        "telephone": "06 12 34 56 78",
        "piece_identite": {"type": "carte_identite", "numero": "X4RTBPFW4"},
        "adresse": {"ligne1": "4 rue de la République", "commune": "93066"},
    },
    "deja_locataire_hlm": False,
    "motifs": ["logement_trop_petit"],
    "souhaits": {"communes": ["93066"], "typologies": ["T3"]},
}


@pytest.fixture(autouse=True)
def medias(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    MemoireSms.boite.clear()


@pytest.fixture
def guichet():
    g = GuichetFactory(code="93BA1", departements=["93"])
    PointContactFactory(guichet=g)
    return g


@pytest.fixture
def agent_saisie(guichet):
    return agent(guichet)


@pytest.fixture
def demande(guichet, agent_saisie, django_capture_on_commit_callbacks):
    """A demande registered at a desk, its attestation sent (then the outbox emptied)."""
    with django_capture_on_commit_callbacks(execute=True):
        d = demandes.enregistrer_demande(guichet, agent_saisie, deepcopy(DONNEES))
    mail.outbox.clear()
    return d


NAISSANCE = date(1990, 6, 15)
EMAIL = "samia.benali@example.fr"
CODE_DANS_LE_TEXTE = re.compile(r"\b(\d{8})\b")
LIEN_DANS_LE_TEXTE = re.compile(r"https?://\S+/portail/activation/(\S+)/")


def code_recu(canal: str = "email") -> str:
    """The code télédemandeur of the last e-mail or SMS sent."""
    texte = MemoireSms.boite[-1]["texte"] if canal == "sms" else mail.outbox[-1].body
    return CODE_DANS_LE_TEXTE.search(texte).group(1)


def jeton_recu() -> str:
    return LIEN_DANS_LE_TEXTE.search(mail.outbox[-1].body).group(1)


@pytest.fixture
def code(demande, django_capture_on_commit_callbacks):
    """A code télédemandeur sent by e-mail for `demande`, read in the e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        services_compte.demander_code(demande.numero_unique, NAISSANCE, "email", "192.0.2.1")
    return code_recu()


@pytest.fixture
def adresse_activee(demande):
    """The applicant already activated the e-mail known for the demande."""
    return AdresseVerifiee.objects.create(demande=demande, email=EMAIL, verifiee_le=timezone.now())


def ouvrir_session_portail(client, demande) -> None:
    """Sign the test client in on the portal (its own cookie), as the login does."""
    session = client.get("/portail/").wsgi_request.portail
    session[CLE_DEMANDE] = demande.pk
    session.save()
    client.cookies[settings.SNE_PORTAIL_COOKIE] = session.session_key


@pytest.fixture
def connecte(client, demande):
    ouvrir_session_portail(client, demande)
    return client
