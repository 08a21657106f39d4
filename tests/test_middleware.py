"""What every request goes through: a NUL character is refused once for all (PostgreSQL would
answer 500), and no page of a signed-in person is kept in a cache."""

import pytest
from django.urls import reverse

from tests.factories import GuichetFactory, agent, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "adresse",
    [
        "/gestion/journal/?utilisateur=a%00",
        "/gestion/utilisateurs/?q=a%00",
        "/demandes/?nom=MART%00",
        "/demandes/075%0001260000175BA1/",
        "/referentiels/communes/?q=%00",
    ],
)
def test_un_caractere_nul_dans_l_adresse_est_refuse_par_une_page_400(client, adresse):
    connecter(client, gestionnaire("75"))
    reponse = client.get(adresse)
    assert reponse.status_code == 400
    assert "caractère nul" in texte(reponse)


def test_un_caractere_nul_dans_un_formulaire_est_refuse(client):
    reponse = client.post(
        reverse("comptes:mot_de_passe_inconnu"), {"email": "agent\x00@exemple.fr"}
    )
    assert reponse.status_code == 400


def test_un_caractere_nul_dans_un_corps_json_est_refuse_en_probleme_rfc_9457(client):
    reponse = client.post(
        "/api/v1/referentiels/communes", '{"q": "a\\u0000"}', content_type="application/json"
    )
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "caractere_nul"


def test_les_pages_d_une_personne_connectee_ne_sont_jamais_gardees_en_cache(client):
    guichet = GuichetFactory(code="75TS1", departements=["75"])
    connecter(client, agent(guichet))
    reponse = client.get(reverse("demandes:recherche"))
    assert "no-store" in reponse["Cache-Control"]
    assert "private" in reponse["Cache-Control"]
