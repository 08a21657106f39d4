import pytest

pytestmark = pytest.mark.django_db


def test_le_contrat_openapi_est_publie(client):
    reponse = client.get("/api/v1/openapi.json")

    assert reponse.status_code == 200
    chemins = reponse.json()["paths"]
    assert "/api/v1/sante" in chemins
    assert "/api/v1/referentiels/communes" in chemins
    assert "/api/v1/referentiels/codes-postaux/{code}" in chemins


def test_la_documentation_de_l_api_est_navigable(client):
    assert client.get("/api/v1/docs").status_code == 200


def test_une_donnee_invalide_est_un_document_probleme_en_francais(client):
    reponse = client.get("/api/v1/referentiels/communes", {"q": "Paris", "limite": "beaucoup"})

    assert reponse.status_code == 422
    assert reponse["Content-Type"] == "application/problem+json"
    probleme = reponse.json()
    assert probleme["code"] == "donnees_invalides"
    assert probleme["status"] == 422
    assert probleme["erreurs"] == [
        {"champ": "limite", "code": "int_parsing", "message": "Un nombre entier est attendu."}
    ]


def test_un_parametre_obligatoire_manquant_est_nomme(client):
    reponse = client.get("/api/v1/referentiels/communes")

    assert reponse.status_code == 422
    assert reponse.json()["erreurs"][0]["champ"] == "q"
    assert reponse.json()["erreurs"][0]["message"] == "Ce champ est obligatoire."


def test_une_adresse_inconnue_de_l_api_est_un_probleme_404(client):
    reponse = client.get("/api/v1/nulle-part")

    assert reponse.status_code == 404


def test_une_erreur_inattendue_n_expose_rien_et_reste_un_document_probleme(client, monkeypatch):
    def panne(*args, **kwargs):
        raise RuntimeError("détail interne à ne pas montrer")

    monkeypatch.setattr("sne.referentiels.api.resoudre_commune", panne)

    reponse = client.get("/api/v1/referentiels/communes", {"q": "Paris"})

    assert reponse.status_code == 500
    assert reponse["Content-Type"] == "application/problem+json"
    assert reponse.json()["code"] == "erreur_interne"
    assert "détail interne" not in reponse.content.decode()
