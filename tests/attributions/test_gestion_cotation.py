"""The gestionnaire publishes the cotation grid of their département from the back office."""

import pytest

from sne.attributions.models import GrilleCotation
from tests.factories import gestionnaire
from tests.outils import connecter, texte

from .fixtures import AUJOURD_HUI

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]
URL = "/gestion/cotation/"


def test_le_gestionnaire_publie_une_grille_puis_une_nouvelle_version(
    client, django_capture_on_commit_callbacks
):
    connecter(client, gestionnaire("75"))
    assert "Le département n'a pas encore de grille" in texte(client.get(URL))

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            URL,
            {
                "departement": "75",
                "dalo-retenu": "1",
                "dalo-points": "300",
                "anciennete-retenu": "1",
                "anciennete-points": "2",
                "anciennete-plafond": "120",
                "violences-points": "80",  # not ticked: not in the grid
                "presentation": "Notre grille.",
            },
            follow=True,
        )

    page = texte(reponse)
    assert "La grille du 75 est publiée (version 1)" in page
    assert "Être reconnu prioritaire par la commission de médiation (DALO) : 300 points." in page
    grille = GrilleCotation.objects.get()
    assert [c.critere for c in grille.criteres.all()] == ["anciennete", "dalo"]
    assert grille.presentation == "Notre grille."

    client.post(URL, {"departement": "75", "dalo-retenu": "1", "dalo-points": "250"})
    assert GrilleCotation.objects.filter(departement_id="75").count() == 2


def test_une_grille_mal_remplie_est_refusee_en_francais_sans_rien_publier(client):
    connecter(client, gestionnaire("75"))
    reponse = client.post(
        URL,
        {"departement": "75", "ressources_faibles-retenu": "1", "ressources_faibles-points": "9"},
    )
    assert reponse.status_code == 422
    assert "indiquez le seuil" in texte(reponse)
    assert client.post(URL, {"departement": "75"}).status_code == 422  # nothing ticked
    assert not GrilleCotation.objects.exists()


def test_un_gestionnaire_ne_publie_que_pour_ses_departements(client):
    connecter(client, gestionnaire("93"))
    reponse = client.post(URL, {"departement": "75", "dalo-retenu": "1", "dalo-points": "300"})
    assert reponse.status_code == 403
    assert not GrilleCotation.objects.exists()
    assert "Le département n'a pas encore de grille" in texte(client.get(URL + "?departement=75"))


def test_un_agent_n_a_pas_la_page(client, agent_bailleur):
    connecter(client, agent_bailleur)
    assert client.get(URL).status_code in (302, 403)
