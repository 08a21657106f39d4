"""The demande page reads in order with a screen reader: no heading level skipped (issue 9:
it jumped from h1 to h3), and the CAL keeps its capitals."""

import re
from itertools import pairwise

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from sne.demandes import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.outils import connecter

pytestmark = pytest.mark.django_db


def _niveaux(page: str) -> list[int]:
    contenu = BeautifulSoup(page, "html.parser").find("main")
    return [int(h.name[1]) for h in contenu.find_all(re.compile(r"^h[1-6]$"))]


@pytest.mark.parametrize("radiee", [False, True])
def test_la_page_d_une_demande_ne_saute_aucun_niveau_de_titre(client, radiee):
    guichet = GuichetFactory(code="75TS1", departements=["75"])
    personne = agent(guichet)
    demande = services.enregistrer_demande(guichet, personne, donnees_minimales())
    if radiee:
        services.radier(demande, "renonciation", par=personne, guichet=guichet)
    connecter(client, personne)

    niveaux = _niveaux(
        client.get(reverse("demandes:demande", args=[demande.numero_unique])).content.decode()
    )

    assert niveaux[0] == 1
    assert all(suivant <= precedent + 1 for precedent, suivant in pairwise(niveaux))
