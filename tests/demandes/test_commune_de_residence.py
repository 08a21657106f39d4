"""The residence typed freely in the wizard (issue 9: « St-Ouen » in the 93 was not found):
read with the postal code typed next to it."""

import pytest

from sne.demandes.models import Demande
from tests.demandes.test_pages import donnees_etapes, parcourir
from tests.factories import GuichetFactory, agent
from tests.outils import connecter

pytestmark = pytest.mark.django_db


def test_st_ouen_avec_le_code_postal_93400_est_saint_ouen_sur_seine(client):
    guichet = GuichetFactory(code="93TA1", departements=["93"])
    connecter(client, agent(guichet))
    etapes = donnees_etapes(
        guichet,
        demandeur={"commune": "St-Ouen", "commune_code": "", "code_postal": "93400"},
        souhaits={"commune_1": "St-Ouen 93400", "commune_1_code": "", "commune_2": ""},
    )
    etapes["guichet"]["departement"] = "93"

    url = parcourir(client, etapes)
    client.post(client.post(url, {}).url, {})

    demandeur = Demande.objects.get().demandeur
    assert (demandeur.commune_id, demandeur.code_postal) == ("93070", "93400")
