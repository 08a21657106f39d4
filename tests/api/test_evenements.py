"""`GET /api/v1/evenements` (API-CONTRACT « Change feed », ADR 0013): the token's desk reads the
events of what it may see, oldest first, with a cursor; bad parameters get a 422 problem."""

import pytest

from sne.comptes import jetons
from sne.demandes import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def mairie():
    return GuichetFactory(code="93TE1", departements=["93"], communes=["93066"])


@pytest.fixture
def entete(mairie):
    _, en_clair = jetons.creer_jeton(mairie, libelle="Logiciel X")
    return {"HTTP_AUTHORIZATION": f"Bearer {en_clair}"}


def _enregistrer(guichet, commune, nom):
    donnees = donnees_minimales(departement="93", souhaits={"communes": [commune]})
    donnees["demandeur"] = {**donnees["demandeur"], "nom": nom}
    return services.enregistrer_demande(guichet, agent(guichet), donnees)


def test_le_guichet_lit_les_evenements_de_son_perimetre_dans_l_ordre(client, mairie, entete):
    autre = GuichetFactory(code="93TE2", departements=["93"])
    a_saint_denis = _enregistrer(autre, "93066", "Durand")
    _enregistrer(autre, "93048", "Lefebvre")  # Montreuil: not for the town hall of Saint-Denis
    services.renouveler(a_saint_denis, agent(autre), autre)

    reponse = client.get("/api/v1/evenements?limite=1", **entete)

    assert reponse.status_code == 200
    page = reponse.json()
    assert [(e["type"], e["code_fichier"]) for e in page["evenements"]] == [("creation", "CRE")]
    assert page["evenements"][0]["numero_unique"] == a_saint_denis.numero_unique
    assert page["curseur"] == page["evenements"][0]["curseur"]
    suite = client.get(f"/api/v1/evenements?apres={page['curseur']}", **entete).json()
    assert [(e["type"], e["code_fichier"]) for e in suite["evenements"]] == [
        ("renouvellement", "REN")
    ]
    fin = client.get(f"/api/v1/evenements?apres={suite['curseur']}", **entete).json()
    assert fin["evenements"] == [] and fin["curseur"] >= suite["curseur"]


def test_sans_jeton_le_flux_repond_401(client):
    reponse = client.get("/api/v1/evenements")

    assert reponse.status_code == 401
    assert reponse.json()["code"] == "jeton_invalide"


@pytest.mark.parametrize(
    "requete",
    ["apres=-1", "apres=abc", f"apres={2**63}", "limite=0", "limite=1001", "limite=1e3"],
)
def test_un_parametre_invalide_donne_un_probleme_422(client, entete, requete):
    reponse = client.get(f"/api/v1/evenements?{requete}", **entete)

    assert reponse.status_code == 422
    assert reponse["Content-Type"].startswith("application/problem+json")
    assert reponse.json()["code"] == "donnees_invalides"
    assert reponse.json()["erreurs"][0]["champ"] in ("apres", "limite")
