"""`Idempotency-Key` on every POST and `reference_externe` per desk (API-CONTRACT
« Idempotency »): a request sent again gets the first answer; two identical requests racing
each other create one demande (real concurrent requests on the database)."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sne.comptes import jetons
from sne.comptes.models import ReponseIdempotente
from sne.comptes.tasks import purger_reponses_idempotentes
from sne.demandes.models import Demande
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory


def _entete(guichet, **autres):
    _, en_clair = jetons.creer_jeton(guichet, libelle="Logiciel X")
    return {"HTTP_AUTHORIZATION": f"Bearer {en_clair}", **autres}


def _poster(client, entete, corps, chemin="/api/v1/demandes"):
    return client.post(chemin, json.dumps(corps), content_type="application/json", **entete)


@pytest.mark.django_db
def test_la_meme_cle_rejoue_la_premiere_reponse(client):
    entete = _entete(GuichetFactory(code="75ID1", departements=["75"]), HTTP_IDEMPOTENCY_KEY="k1")

    premiere = _poster(client, entete, donnees_minimales())
    seconde = _poster(client, entete, donnees_minimales())

    assert premiere.status_code == seconde.status_code == 201
    assert seconde.content == premiere.content
    assert seconde["Location"] == premiere["Location"]
    assert seconde["Idempotent-Replayed"] == "true"
    assert Demande.objects.count() == 1


@pytest.mark.django_db
def test_le_jeton_n_est_cherche_qu_une_fois_par_requete(client):
    entete = _entete(GuichetFactory(code="75ID2", departements=["75"]), HTTP_IDEMPOTENCY_KEY="k9")

    with CaptureQueriesContext(connection) as requetes:
        reponse = _poster(client, entete, donnees_minimales())

    assert reponse.status_code == 201
    lectures = [
        q["sql"] for q in requetes.captured_queries if 'FROM "comptes_jetonapi"' in q["sql"]
    ]
    assert len(lectures) == 1


@pytest.mark.django_db
def test_la_meme_cle_pour_une_autre_requete_est_refusee(client):
    entete = _entete(GuichetFactory(code="75ID2", departements=["75"]), HTTP_IDEMPOTENCY_KEY="k2")
    _poster(client, entete, donnees_minimales())

    autre = donnees_minimales()
    autre["demandeur"] = {**autre["demandeur"], "prenom": "Inès"}
    reponse = _poster(client, entete, autre)

    assert reponse.status_code == 422
    assert reponse.json()["code"] == "cle_idempotence_reutilisee"
    assert Demande.objects.count() == 1


@pytest.mark.django_db
def test_une_erreur_n_est_pas_retenue_la_requete_corrigee_passe(client):
    guichet = GuichetFactory(code="75ID3", departements=["75"])
    entete = _entete(guichet, HTTP_IDEMPOTENCY_KEY="k3")
    corps = donnees_minimales()
    del corps["demandeur"]["piece_identite"]

    assert _poster(client, entete, corps).status_code == 422
    assert not ReponseIdempotente.objects.exists()
    assert _poster(client, entete, donnees_minimales()).status_code == 201


@pytest.mark.django_db
def test_les_cles_sont_propres_a_chaque_guichet(client):
    a = _entete(GuichetFactory(code="75ID4", departements=["75"]), HTTP_IDEMPOTENCY_KEY="même")
    b = _entete(GuichetFactory(code="75ID5", departements=["75"]), HTTP_IDEMPOTENCY_KEY="même")

    _poster(client, a, donnees_minimales(reference_externe="A"))
    corps = donnees_minimales(reference_externe="B")
    corps["demandeur"] = {**corps["demandeur"], "prenom": "Karim"}
    reponse = _poster(client, b, corps)

    assert reponse.status_code == 201
    assert "Idempotent-Replayed" not in reponse


@pytest.mark.django_db
@pytest.mark.parametrize("cle", ["", "x" * 201, "a\tb"])
def test_une_cle_mal_formee_est_refusee(client, cle):
    entete = _entete(GuichetFactory(code="75ID6", departements=["75"]), HTTP_IDEMPOTENCY_KEY=cle)
    reponse = _poster(client, entete, donnees_minimales())
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "cle_idempotence_invalide"


@pytest.mark.django_db
def test_les_reponses_de_plus_d_un_jour_sont_oubliees(client):
    entete = _entete(GuichetFactory(code="75ID7", departements=["75"]), HTTP_IDEMPOTENCY_KEY="k7")
    _poster(client, entete, donnees_minimales())
    ReponseIdempotente.objects.update(cree_le=timezone.now() - timedelta(days=2))

    assert purger_reponses_idempotentes.call_local() == 1


def _en_meme_temps(n, requete):
    """Run `requete(i)` in `n` threads released together; their answers and exceptions."""
    depart = threading.Barrier(n)
    reponses, erreurs = [], []

    def fil(i):
        try:
            depart.wait()
            reponses.append(requete(i))
        except Exception as e:  # pragma: no cover - reported below
            erreurs.append(repr(e))
        finally:
            connection.close()

    fils = [threading.Thread(target=fil, args=(i,)) for i in range(n)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    return reponses, erreurs


def _concurrence_possible():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("SQLite en mémoire : un seul connecteur partagé, pas de vraie concurrence.")


@pytest.mark.django_db(transaction=True)
def test_deux_envois_simultanes_de_la_meme_reference_creent_une_demande(referentiels_charges):
    _concurrence_possible()
    entete = _entete(GuichetFactory(code="75IC1", departements=["75"]))
    corps = donnees_minimales(reference_externe="OPH-COURSE")

    reponses, erreurs = _en_meme_temps(4, lambda i: _poster(Client(), entete, corps))

    assert erreurs == []
    assert sorted(r.status_code for r in reponses) == [200, 200, 200, 201]
    assert len({r.json()["numero_unique"] for r in reponses}) == 1
    assert Demande.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deux_envois_simultanes_avec_la_meme_cle_creent_une_demande(referentiels_charges):
    _concurrence_possible()
    entete = _entete(
        GuichetFactory(code="75IC2", departements=["75"]), HTTP_IDEMPOTENCY_KEY="course"
    )

    reponses, erreurs = _en_meme_temps(4, lambda i: _poster(Client(), entete, donnees_minimales()))

    assert erreurs == []
    assert [r.status_code for r in reponses] == [201] * 4
    assert len({r.json()["numero_unique"] for r in reponses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in reponses) == 3
    assert Demande.objects.count() == 1
