"""The gestionnaire's list pages make as many queries for 30 rows as for 3: no query per row
(guichets, utilisateurs, journal d'audit, courriers à imprimer)."""

import itertools

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sne.audit.services import journaliser
from sne.demandes import services
from sne.notifications import services as notifications
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, PointContactFactory, agent, gestionnaire
from tests.outils import connecter

pytestmark = pytest.mark.django_db

SUITE = itertools.count()


def guichets(n):
    for _ in range(n):
        guichet = GuichetFactory(departements=["93", "94"])
        PointContactFactory(guichet=guichet)
        agent(guichet)
        agent(guichet, "consultation")


def utilisateurs(n):
    guichet = GuichetFactory(departements=["93"])
    for i in range(n):
        agent(guichet, "saisie" if i % 2 else "consultation")


def journal(n):
    guichet = GuichetFactory(departements=["93"])
    personnes = [agent(guichet) for _ in range(3)]
    for i in range(n):
        journaliser(
            "consultation",
            utilisateur=personnes[i % 3],
            guichet=guichet,
            resume=f"Consultation n° {i}",
        )


def courriers(n):
    guichet = GuichetFactory(departements=["93"])
    personne = agent(guichet)
    for _ in range(n):
        i = next(SUITE)
        donnees = donnees_minimales(departement="93", souhaits={"communes": ["93066"]})
        naissance = f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}"  # one person each time
        donnees["demandeur"] = {**donnees["demandeur"], "date_naissance": naissance}
        demande = services.enregistrer_demande(guichet, personne, donnees)
        # The letter produced after registration, waiting to be printed (its PDF is not
        # what is measured here).
        attestation = demande.attestations.create(
            type="enregistrement",
            donnees={"demandeur": {"nom": "Martin", "adresse": {"ligne1": "1 rue"}}},
            fichier=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"courrier-{i}.pdf"),
        )
        notifications.notifier_attestation(attestation)


PAGES = {
    "/gestion/guichets/": guichets,
    "/gestion/utilisateurs/": utilisateurs,
    "/gestion/journal/": journal,
    "/gestion/courriers/": courriers,
}


@pytest.mark.parametrize("url", PAGES)
def test_une_liste_de_gestion_fait_autant_de_requetes_pour_30_lignes_que_pour_3(
    client, django_assert_max_num_queries, url
):
    connecter(client, gestionnaire("93"))
    PAGES[url](3)
    assert client.get(url).status_code == 200  # session and caches warmed up
    with CaptureQueriesContext(connection) as pour_trois:
        lignes_pour_trois = client.get(url).content.decode().count("<tr")

    PAGES[url](27)
    with django_assert_max_num_queries(len(pour_trois)):
        reponse = client.get(url)

    assert reponse.status_code == 200
    assert reponse.content.decode().count("<tr") >= lignes_pour_trois + 20  # a page of 25 rows
