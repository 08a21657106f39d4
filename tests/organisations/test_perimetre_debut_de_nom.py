"""The consultation scope typed line by line (issue 9: « St-Ouen » was « introuvable » in the 93):
the beginning of the name of one commune of the gestionnaire's départements is that commune;
shared by several, each is offered."""

import pytest

from tests.factories import GuichetFactory, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


def test_st_ouen_dans_le_perimetre_du_93_est_saint_ouen_sur_seine(client):
    guichet = GuichetFactory(code="93CO8", departements=["93"])
    connecter(client, gestionnaire("93"))

    reponse = client.post("/gestion/guichets/93CO8/perimetre/", {"communes": "St-Ouen\nAulnay"})

    assert reponse.status_code == 302
    assert set(guichet.consultation_communes.values_list("code_insee", flat=True)) == {
        "93070",
        "93005",
    }


def test_un_debut_de_nom_partage_dans_le_perimetre_propose_les_communes(client):
    GuichetFactory(code="93CO8", departements=["93"])
    connecter(client, gestionnaire("93"))

    contenu = texte(client.post("/gestion/guichets/93CO8/perimetre/", {"communes": "Noisy"}))

    assert "« Noisy » : précisez — Noisy-le-Grand (93051), Noisy-le-Sec (93053)" in contenu
