from copy import deepcopy
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from sne.demandes import services as demandes
from sne.pieces import services
from sne.pieces.models import Piece
from tests.factories import GuichetFactory, agent
from tests.pieces import fichiers
from tests.pieces.conftest import DONNEES

pytestmark = pytest.mark.django_db


def test_la_sante_est_ok_quand_la_base_repond(client, antivirus):
    reponse = client.get("/api/v1/sante")

    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "ok"
    assert reponse.json()["composants"] == {
        "base_de_donnees": "ok",
        "referentiels": "ok",
        "file_de_taches": "ok",
        "stockage": "ok",
        "antivirus": "ok",
    }


def test_la_sante_dit_quelle_partie_n_est_pas_ok(client, settings, tmp_path):
    fichier = tmp_path / "pas-un-dossier"
    fichier.write_text("")
    settings.MEDIA_ROOT = fichier / "media"

    reponse = client.get("/api/v1/sante")

    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "degrade"
    assert reponse.json()["composants"]["stockage"] == "indisponible"


def test_la_sante_dit_que_l_antivirus_ne_repond_pas(client, antivirus_en_panne):
    reponse = client.get("/api/v1/sante")

    assert reponse.json()["statut"] == "degrade"
    assert reponse.json()["composants"]["antivirus"] == "indisponible"


def test_des_pieces_qui_attendent_l_antivirus_depuis_30_minutes_se_voient(client, antivirus):
    guichet = GuichetFactory(code="93BA1", departements=["93"])
    par = agent(guichet)
    demande = demandes.enregistrer_demande(guichet, par, deepcopy(DONNEES))
    with time_machine.travel(timedelta(minutes=-31)):
        piece = services.deposer_piece(
            demande, fichiers.pdf(), type="identite", par=par, guichet=guichet
        )
    Piece.objects.filter(pk=piece.pk).update(statut="en_attente_analyse")

    assert client.get("/api/v1/sante").json()["composants"]["antivirus"] == "en_retard"


def test_la_sante_repond_503_quand_la_base_ne_repond_pas(client, monkeypatch):
    def en_panne(*args, **kwargs):
        raise connection.OperationalError("base arrêtée")

    monkeypatch.setattr("sne.api.sante.connection.cursor", en_panne)

    reponse = client.get("/api/v1/sante")

    assert reponse.status_code == 503
    assert reponse.json() == {
        "statut": "indisponible",
        "composants": {"base_de_donnees": "indisponible"},
    }
