from copy import deepcopy

import pytest
from django.core import mail

from sne.demandes import services as demandes
from tests.factories import GuichetFactory, PointContactFactory, agent

DONNEES = {
    "departement": "93",
    "demandeur": {
        "nom": "Benali",
        "prenom": "Samia",
        "civilite": "MME",
        "date_naissance": "1990-06-15",
        "email": "samia.benali@example.fr",
        "piece_identite": {"type": "carte_identite", "numero": "X4RTBPFW4"},
        "adresse": {"ligne1": "4 rue de la République", "commune": "93066"},
    },
    "deja_locataire_hlm": False,
    "souhaits": {"communes": ["93066"], "typologies": ["T3"]},
}


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
    """A demande of 93 registered at 93BA1 (its attestation sent, then the outbox emptied)."""
    with django_capture_on_commit_callbacks(execute=True):
        d = demandes.enregistrer_demande(guichet, agent_saisie, deepcopy(DONNEES))
    mail.outbox.clear()
    return d


@pytest.fixture
def guichet_ailleurs():
    """A desk of 75 whose consultation scope does not reach 93."""
    g = GuichetFactory(code="75BA1", departements=["75"])
    PointContactFactory(guichet=g)
    return g


@pytest.fixture
def agent_ailleurs(guichet_ailleurs):
    return agent(guichet_ailleurs)
