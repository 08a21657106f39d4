"""`Authorization: Bearer <jeton>` (ADR 0012): 401 problem documents, the desk's identity,
throttling per token, the body size limit, 404 and 405 as problem documents."""

import pytest
from django.test import override_settings

from sne.comptes import jetons
from sne.comptes.models import JetonApi
from tests.factories import GuichetFactory, gestionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def guichet():
    return GuichetFactory(code="93TA1", departements=["93"], communes=["93066"])


@pytest.fixture
def jeton(guichet):
    _, en_clair = jetons.creer_jeton(guichet, libelle="Logiciel X")
    return en_clair


def _bearer(jeton):
    return {"HTTP_AUTHORIZATION": f"Bearer {jeton}"}


def test_le_jeton_donne_son_guichet_et_son_perimetre(client, jeton):
    reponse = client.get("/api/v1/moi", **_bearer(jeton))

    assert reponse.status_code == 200
    assert reponse.json() == {
        "code": "93TA1",
        "nom": reponse.json()["nom"],
        "organisation": reponse.json()["organisation"],
        "parametre": True,
        "departements_habilites": ["93"],
        "perimetre_consultation": {
            "departements": [],
            "communes": [{"code_insee": "93066", "nom": "Saint-Denis"}],
        },
        "peut_enregistrer": True,
        "jeton": {"prefixe": jeton[: len("sne_93TA1_") + 6], "libelle": "Logiciel X"},
    }
    assert "no-store" in reponse["Cache-Control"]
    assert JetonApi.objects.get().utilise_le is not None


@pytest.mark.parametrize(
    ("entete", "erreur_oauth"),
    [
        (None, False),
        ("", False),
        ("Bearer", False),
        ("Basic dXRpbGlzYXRldXI6bW90ZGVwYXNzZQ==", False),
        ("Bearer sne_93TA1_inconnu", True),
        ("Bearer " + "x" * 5000, True),
        ("Bearer été", True),
    ],
)
def test_sans_jeton_valide_la_reponse_est_un_probleme_401(client, jeton, entete, erreur_oauth):
    extra = {} if entete is None else {"HTTP_AUTHORIZATION": entete}

    reponse = client.get("/api/v1/moi", **extra)

    assert reponse.status_code == 401
    assert reponse["Content-Type"] == "application/problem+json"
    assert reponse.json()["code"] == "jeton_invalide"
    assert reponse.json()["detail"].startswith(("Jeton d'accès absent", "Ce jeton d'accès"))
    assert reponse["WWW-Authenticate"].startswith("Bearer")
    assert ('error="invalid_token"' in reponse["WWW-Authenticate"]) is erreur_oauth


def test_un_jeton_revoque_est_refuse_a_la_requete_suivante(client, guichet, jeton):
    assert client.get("/api/v1/moi", **_bearer(jeton)).status_code == 200

    jetons.revoquer_jeton(JetonApi.objects.get(), par=gestionnaire("93"))

    reponse = client.get("/api/v1/moi", **_bearer(jeton))
    assert reponse.status_code == 401
    assert reponse.json()["code"] == "jeton_invalide"


def test_la_sante_et_les_referentiels_restent_publics(client):
    assert client.get("/api/v1/sante").status_code == 200
    assert client.get("/api/v1/referentiels/communes", {"q": "Saint-Denis"}).status_code == 200
    assert client.get("/api/v1/referentiels/codes-postaux/93200").status_code == 200


def test_le_contrat_openapi_dit_quels_appels_demandent_un_jeton(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["components"]["securitySchemes"]["JetonGuichet"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/moi"]["get"]["security"] == [{"JetonGuichet": []}]
    assert "401" in schema["paths"]["/api/v1/moi"]["get"]["responses"]
    assert "security" not in schema["paths"]["/api/v1/sante"]["get"]
    assert "security" not in schema["paths"]["/api/v1/referentiels/communes"]["get"]


@override_settings(SNE_API_REQUETES_PAR_FENETRE=3, SNE_API_FENETRE_SECONDES=60)
def test_au_dela_de_la_limite_le_jeton_recoit_429_avec_retry_after(client, guichet, jeton):
    for _ in range(3):
        assert client.get("/api/v1/moi", **_bearer(jeton)).status_code == 200

    reponse = client.get("/api/v1/moi", **_bearer(jeton))

    assert reponse.status_code == 429
    assert reponse["Content-Type"] == "application/problem+json"
    assert reponse.json()["code"] == "trop_de_requetes"
    assert 1 <= int(reponse["Retry-After"]) <= 60
    # Another token of the same desk, and the public calls, are counted apart.
    _, autre = jetons.creer_jeton(guichet, libelle="Autre logiciel")
    assert client.get("/api/v1/moi", **_bearer(autre)).status_code == 200
    assert client.get("/api/v1/sante").status_code == 200


@override_settings(SNE_API_REQUETES_PAR_FENETRE=2, SNE_API_FENETRE_SECONDES=60)
def test_la_limite_repart_a_la_fenetre_suivante(client, jeton, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    for _ in range(2):
        client.get("/api/v1/moi", **_bearer(jeton))
    refus = client.get("/api/v1/moi", **_bearer(jeton))
    assert refus.status_code == 429

    time_machine.shift(int(refus["Retry-After"]))

    assert client.get("/api/v1/moi", **_bearer(jeton)).status_code == 200


@override_settings(SNE_API_TAILLE_MAX_CORPS=1024)
def test_un_corps_trop_volumineux_est_refuse_en_413_sans_etre_lu(client, jeton):
    reponse = client.post(
        "/api/v1/moi",
        data=b'{"a": "' + b"x" * 2000 + b'"}',
        content_type="application/json",
        **_bearer(jeton),
    )

    assert reponse.status_code == 413
    assert reponse["Content-Type"] == "application/problem+json"
    assert reponse.json()["code"] == "corps_trop_volumineux"


def test_un_corps_de_dix_mega_octets_est_un_413(client):
    reponse = client.post(
        "/api/v1/sante", data=b"\x00" * (10 * 1024 * 1024), content_type="application/json"
    )

    assert reponse.status_code == 413
    assert reponse.json()["code"] == "corps_trop_volumineux"


@pytest.mark.parametrize(
    "chemin", ["/api/v1/nulle-part", "/api/v1/moi/", "/api/v2/moi", "/api/", "/api/v1/sante/x"]
)
def test_une_adresse_inconnue_de_l_api_est_un_probleme_404(client, chemin):
    reponse = client.get(chemin)

    assert reponse.status_code == 404
    assert reponse["Content-Type"] == "application/problem+json"
    assert reponse.json()["code"] == "adresse_inconnue"


@pytest.mark.parametrize("methode", ["post", "put", "patch", "delete"])
def test_une_methode_non_acceptee_est_un_probleme_405(client, methode):
    reponse = getattr(client, methode)("/api/v1/sante")

    assert reponse.status_code == 405
    assert reponse["Content-Type"] == "application/problem+json"
    assert reponse.json()["code"] == "methode_non_autorisee"
    assert reponse["Allow"] == "GET"


def test_la_sante_indisponible_garde_son_propre_schema(client, monkeypatch):
    monkeypatch.setattr("sne.api.sante._base_de_donnees", lambda: "indisponible")

    reponse = client.get("/api/v1/sante")

    assert reponse.status_code == 503
    assert reponse.json()["statut"] == "indisponible"


def test_les_pages_hors_de_l_api_gardent_leurs_pages_d_erreur(client):
    reponse = client.get("/nulle-part/")

    assert reponse.status_code == 404
    assert reponse["Content-Type"].startswith("text/html")
