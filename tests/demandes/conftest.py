import pytest

from tests.factories import GuichetFactory, agent


@pytest.fixture
def guichet_75():
    return GuichetFactory(code="75TS1", departements=["75", "92"])


@pytest.fixture
def agent_75(guichet_75):
    return agent(guichet_75, "saisie")


def donnees_minimales(**surcharges):
    """What the law allows to require at registration (CCH R441-2-3), and nothing else."""
    donnees = {
        "departement": "75",
        "demandeur": {
            "nom": "Martin",
            "prenom": "Élodie",
            "date_naissance": "1987-04-12",
            "piece_identite": {"type": "carte_identite"},
            "adresse": {"ligne1": "12 rue des Lilas", "commune": "Paris 20e"},
        },
        "deja_locataire_hlm": False,
        "souhaits": {"communes": ["75120"]},
    }
    for cle, valeur in surcharges.items():
        donnees[cle] = valeur
    return donnees


@pytest.fixture
def donnees():
    return donnees_minimales()
