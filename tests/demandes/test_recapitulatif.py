"""The wizard's summary reads like the CERFA 14069 (issue 9: it listed the contact details
before the identity)."""

import re

import pytest

from tests.demandes.test_pages import donnees_etapes, parcourir
from tests.factories import GuichetFactory, agent
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

ORDRE_DU_CERFA = [
    "Civilité",
    "Nom d'usage",
    "Prénom",
    "Date de naissance",
    "Pièce d'identité présentée",
    "Numéro de la pièce",
    "Date d'expiration de la pièce",
    "Adresse (numéro et voie)",
    "Commune de résidence",
    "Adresse e-mail",
    "Téléphone",
    "Situation familiale",
]


def test_le_recapitulatif_presente_l_identite_puis_le_contact_dans_l_ordre_du_cerfa(client):
    guichet = GuichetFactory(code="75TA1", departements=["75"])
    connecter(client, agent(guichet))
    etapes = donnees_etapes(guichet, demandeur={"telephone": "06 12 34 56 78"})
    url = client.post(parcourir(client, etapes), {}).url
    assert url.endswith("/recapitulatif/")

    page = texte(client.get(url))

    section = page[page.index('id="recap-demandeur"') : page.index('id="recap-menage"')]
    libelles = re.findall(r"<dt[^>]*>(.*?)</dt>", section)
    assert [lib for lib in libelles if lib in ORDRE_DU_CERFA] == ORDRE_DU_CERFA
    assert "06 12 34 56 78" in section
