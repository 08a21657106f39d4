from copy import deepcopy

import pytest
from django.core import mail

from sne.demandes import services as demandes
from sne.notifications.sms import MemoireSms
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
