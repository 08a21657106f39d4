"""The fixtures of the attributions, shared by tests/attributions and tests/api (registered in
tests/conftest.py: `pytest_plugins`)."""

from copy import deepcopy
from datetime import date

import pytest

from sne.attributions import services
from sne.demandes import services as demandes
from sne.organisations.models import Organisation
from tests.demandes.conftest import NOMS_DISTINCTS, donnees_minimales
from tests.factories import GuichetFactory, OrganisationFactory, agent

AUJOURD_HUI = date(2027, 3, 15)


@pytest.fixture
def bailleur(horloge):
    return OrganisationFactory(nom="Habitat Parisien", type=Organisation.Type.BAILLEUR)


@pytest.fixture
def guichet(bailleur):
    """A desk of the landlord, habilitated on 75, consulting all of it."""
    return GuichetFactory(code="75BA1", organisation=bailleur, departements=["75"])


@pytest.fixture
def agent_bailleur(guichet):
    return agent(guichet)


@pytest.fixture
def guichet_mairie(horloge):
    """A town hall's desk of 75 (not a landlord)."""
    mairie = OrganisationFactory(nom="Mairie du 13e", type=Organisation.Type.COMMUNE)
    return GuichetFactory(code="75MA1", organisation=mairie, departements=["75"])


def nouvelle_demande(guichet, par, numero: int = 0, **surcharges):
    donnees = deepcopy(donnees_minimales(**surcharges))
    donnees["demandeur"]["nom"] = NOMS_DISTINCTS[numero]
    return demandes.enregistrer_demande(guichet, par, donnees)


@pytest.fixture
def candidats(guichet, agent_bailleur):
    """Three demandes of 75, filed on paper on 2 April 2026 (keyed in within the year)."""
    return [nouvelle_demande(guichet, agent_bailleur, i, date_depot="2026-04-02") for i in range(3)]


LOGEMENT = {
    "reference": "PE-0412-03",
    "identifiant_rpls": "075123456789",
    "adresse": "12 rue de Tolbiac",
    "commune": "75113",
    "typologie": "T3",
    "surface": "64.5",
    "loyer": "612.40",
    "charges": "85",
    "etage": "3",
    "ascenseur": True,
    "reservataire": "PPRIOR",
}


@pytest.fixture
def logement(guichet, agent_bailleur):
    return services.enregistrer_logement(dict(LOGEMENT), par=agent_bailleur, guichet=guichet)


MEMBRES = [
    ("bailleur", "Habitat Parisien"),
    ("bailleur", "Habitat Parisien"),
    ("maire", "Ville de Paris"),
    ("prefet", "Préfecture de Paris (DRIHL)"),
    ("locataires", "CNL Paris"),
]


@pytest.fixture
def seance(horloge, guichet, agent_bailleur):
    return services.ouvrir_seance(
        date_seance=date(2027, 3, 10), membres=MEMBRES, par=agent_bailleur, guichet=guichet
    )
