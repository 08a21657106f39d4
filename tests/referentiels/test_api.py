import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/referentiels/communes"


def test_une_commune_trouvee_est_decrite_avec_ses_codes_postaux(client):
    reponse = client.get(URL, {"q": "St-Denis", "departement": "93"})

    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["statut"] == "trouvee"
    assert corps["communes"] == [
        {
            "code_insee": "93066",
            "nom": "Saint-Denis",
            "departement": "93",
            "type": "commune",
            "codes_postaux": ["93200", "93210", "93380"],
            "code_postal": "93200",
            "score": 100,
            "raison": "nom officiel",
        }
    ]


def test_une_adresse_cedex_donne_la_commune_et_son_code_postal_de_reference(client):
    corps = client.get(URL, {"q": "75913 PARIS CEDEX 13"}).json()

    assert corps["statut"] == "trouvee"
    assert corps["cedex"] is True
    assert corps["communes"][0]["code_insee"] == "75113"
    assert corps["communes"][0]["code_postal"] == "75013"


def test_un_homonyme_donne_les_candidates_classees(client):
    corps = client.get(URL, {"q": "Saint-Denis"}).json()

    assert corps["statut"] == "ambigue"
    assert [c["code_insee"] for c in corps["communes"][:2]] == ["97411", "93066"]
    assert "précisez" in corps["message"]


def test_un_debut_de_nom_donne_des_suggestions(client):
    corps = client.get(URL, {"q": "bord", "limite": 3}).json()

    assert len(corps["communes"]) == 3
    assert corps["communes"][0]["nom"] == "Bordeaux"


def test_une_saisie_inconnue_n_est_pas_une_erreur_mais_un_resultat_vide(client):
    corps = client.get(URL, {"q": "xyzzy"}).json()

    assert corps["statut"] == "introuvable"
    assert corps["communes"] == []
    assert "Vérifiez l'orthographe" in corps["message"]


def test_un_departement_mal_forme_est_refuse(client):
    reponse = client.get(URL, {"q": "Paris", "departement": "750"})

    assert reponse.status_code == 422
    assert reponse.json()["erreurs"][0]["champ"] == "departement"


def test_les_communes_d_un_code_postal(client):
    corps = client.get("/api/v1/referentiels/codes-postaux/01000").json()

    assert corps["statut"] == "ambigue"
    assert [c["code_insee"] for c in corps["communes"]] == ["01053", "01344"]


def test_un_code_postal_inconnu_est_un_probleme_404_qui_parle_du_cedex(client):
    reponse = client.get("/api/v1/referentiels/codes-postaux/75913")

    assert reponse.status_code == 404
    assert reponse.json()["code"] == "code_postal_inconnu"
    assert "CEDEX" in reponse.json()["detail"]


def test_un_code_postal_mal_forme_est_un_probleme_422(client):
    reponse = client.get("/api/v1/referentiels/codes-postaux/7500")

    assert reponse.status_code == 422
    assert reponse.json()["code"] == "code_postal_invalide"
