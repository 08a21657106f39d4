import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_la_sante_est_ok_quand_la_base_repond(client):
    reponse = client.get("/api/v1/sante")

    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "ok"
    assert reponse.json()["composants"] == {
        "base_de_donnees": "ok",
        "referentiels": "ok",
        "file_de_taches": "ok",
        "stockage": "ok",
    }


def test_la_sante_dit_quelle_partie_n_est_pas_ok(client, settings, tmp_path):
    fichier = tmp_path / "pas-un-dossier"
    fichier.write_text("")
    settings.MEDIA_ROOT = fichier / "media"

    reponse = client.get("/api/v1/sante")

    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "degrade"
    assert reponse.json()["composants"]["stockage"] == "indisponible"


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
