"""Demandes with and without duplicates, for the forced creations, the stock audit and the
decisions of gestionnaires (issue 11)."""

import pytest

from sne.demandes import services
from sne.doublons.models import CreationForcee, PaireDoublon
from tests.demandes.conftest import donnees_minimales, personne_distincte
from tests.factories import GuichetFactory, agent


def enregistrer(guichet, justification="Homonyme vérifié au guichet", **demandeur):
    """A demande of `guichet`'s first département for this demandeur (Élodie Martin, born on
    12/04/1987, by default), forced past any suspicion with `justification`."""
    departement = guichet.departements.order_by("code").first().code
    donnees = donnees_minimales(departement=departement)
    if departement == "93":
        donnees["demandeur"]["adresse"] = {"ligne1": "1 place du Caquet", "commune": "Saint-Denis"}
        donnees["souhaits"] = {"communes": ["93066"]}
    co = demandeur.pop("co_demandeur", None)
    donnees["demandeur"] = {**donnees["demandeur"], **demandeur}
    if co:
        donnees["demandeur"]["situation_familiale"] = "marie"
        donnees["co_demandeur"] = co
    return services.enregistrer_demande(guichet, agent(guichet), donnees, justification)


def stock_sans_decision():
    """As if the demandes had been registered before the duplicate check existed: no forced
    creation, no pair yet."""
    CreationForcee.objects.all().delete()
    PaireDoublon.objects.all().delete()


@pytest.fixture
def guichet_75():
    return GuichetFactory(code="75DB1", departements=["75"])


@pytest.fixture
def guichet_93():
    return GuichetFactory(code="93DB1", departements=["93"])


@pytest.fixture
def distinctes(guichet_75):
    """Eight people no one may confuse."""
    return [enregistrer(guichet_75, **personne_distincte(i)) for i in range(8)]
