"""Every form field and GET parameter of the organisations' pages, fed hostile values one at
a time (empty, 10,000 characters, emoji, huge numbers, impossible dates), answers without a
server error, on SQLite and on PostgreSQL. (NUL bytes are refused for every request by
`sne.middleware`, tested there.)"""

import pytest

from sne.organisations.models import Association, DemandeAuGestionnaire
from sne.referentiels.models import Departement
from tests.factories import GuichetFactory, PointContactFactory, agent, gestionnaire
from tests.outils import connecter

pytestmark = pytest.mark.django_db

HOSTILES = [
    "",
    "x" * 10_000,
    "🏠🔑 Maison d'à côté 🏠",
    "999999999999999999999",
    "-1",
    "0001-01-01",
    "2026-02-31",
    "' OR 1=1 --",
]

# (method, url, parameters sent with valid values); each parameter in turn gets each value.
PAGES_GESTIONNAIRE = [
    ("get", "/gestion/guichets/", {"q": "93", "departement": "93"}),
    ("get", "/gestion/departements/contacts/", {"departement": "93"}),
    ("get", "/gestion/departements/associations/", {"departement": "93", "q": "a", "page": "1"}),
    ("get", "/gestion/departements/demandes/", {"statut": "ouverte", "page": "1"}),
    (
        "post",
        "/gestion/guichets/nouveau/",
        {
            "organisation_nom": "Foyer",
            "organisation_type": "bailleur",
            "organisation_siren": "999990039",
            "code": "93FD1",
            "nom": "Agence",
            "email": "a@b.fr",
            "departements": "93",
        },
    ),
    ("post", "/gestion/guichets/93CO3/convention/", {"convention_signee_le": "2025-01-02"}),
    (
        "post",
        "/gestion/guichets/93CO3/perimetre/",
        {"departements_entiers": "93", "communes": "Saint-Denis"},
    ),
    (
        "post",
        "/gestion/guichets/93CO3/contacts/nouveau/",
        {
            "libelle": "Accueil",
            "adresse": "1 rue",
            "commune": "Saint-Denis",
            "code_postal": "93200",
            "horaires": "9 h",
            "telephone": "01",
            "email": "a@b.fr",
        },
    ),
    (
        "post",
        "/gestion/guichets/93CO3/agents/",
        {"email": "c@d.fr", "prenom": "C", "nom": "D", "role": "saisie"},
    ),
    (
        "post",
        "/gestion/departements/associations/93/ajouter/",
        {"nom": "Le Relais", "siren": "", "adresse": "", "date_creation": "1990-05-01"},
    ),
    ("post", "/gestion/departements/associations/{association}/etat/", {"active": "0"}),
    ("post", "/gestion/departements/demandes/{demande}/", {"reponse": "Fait."}),
]
PAGES_AGENT = [
    (
        "get",
        "/gestion/departements/associations/recherche/",
        {"departement": "93", "q": "rel", "champ": "q"},
    ),
    ("get", "/gestion/departements/demandes/guichet/", {"objet": "autre", "page": "1"}),
    (
        "post",
        "/gestion/departements/demandes/guichet/",
        {"guichet": "{guichet}", "departement": "93", "objet": "autre", "message": "Bonjour"},
    ),
]


def cas(pages):
    return [
        pytest.param(methode, url, donnees, champ, id=f"{methode} {url} {champ}")
        for methode, url, donnees in pages
        for champ in donnees
    ]


@pytest.fixture
def registre():
    guichet = GuichetFactory(code="93CO3", departements=["93"])
    PointContactFactory(guichet=guichet)
    auteur = agent(guichet)
    return {
        "guichet": guichet,
        "agent": auteur,
        "association": Association.objects.create(
            departement=Departement.objects.get(code="93"), nom="Emmaüs"
        ).pk,
        "demande": DemandeAuGestionnaire.objects.create(
            guichet=guichet,
            departement_id="93",
            auteur=auteur,
            objet="autre",
            message="Question",
        ).pk,
    }


def parcourir(client, registre, methode, url, donnees, champ):
    url = url.format(**registre)
    donnees = {k: str(v).format(guichet=registre["guichet"].pk) for k, v in donnees.items()}
    for valeur in HOSTILES:
        reponse = getattr(client, methode)(url, {**donnees, champ: valeur})
        assert reponse.status_code < 500, (url, champ, valeur[:30], reponse.status_code)


@pytest.mark.parametrize(("methode", "url", "donnees", "champ"), cas(PAGES_GESTIONNAIRE))
def test_les_pages_du_gestionnaire_repondent_sans_erreur_serveur(
    client, registre, methode, url, donnees, champ
):
    connecter(client, gestionnaire("93"))

    parcourir(client, registre, methode, url, donnees, champ)


@pytest.mark.parametrize(("methode", "url", "donnees", "champ"), cas(PAGES_AGENT))
def test_les_pages_de_l_agent_repondent_sans_erreur_serveur(
    client, registre, methode, url, donnees, champ
):
    connecter(client, registre["agent"])

    parcourir(client, registre, methode, url, donnees, champ)
