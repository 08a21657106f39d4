"""/api/v1/docs and the OpenAPI description in French (issue 9): everything the project writes
(title, descriptions, tags, summaries, parameters, fields, responses and errors) is French;
only Swagger UI's own buttons stay as the library has them."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests.outils import texte

pytestmark = pytest.mark.django_db

# What ninja and pydantic write by themselves when the project says nothing.
ANGLAIS = {
    "OK",
    "Created",
    "Bad Request",
    "Not Found",
    "Unprocessable Entity",
    "Unprocessable Content",
    "Internal Server Error",
    "Service Unavailable",
}


@pytest.fixture
def description(client):
    return client.get("/api/v1/openapi.json").json()


def test_la_page_de_documentation_est_en_francais_et_sans_cdn(client):
    page = texte(client.get("/api/v1/docs"))

    assert '<html lang="fr">' in page
    assert "<title>Documentation — SNE — API v1 des systèmes connectés</title>" in page
    assert "cdn.jsdelivr.net" not in page and "django-ninja.dev" not in page
    for fichier in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert finders.find(fichier.removeprefix(static(""))), fichier


def test_chaque_operation_a_un_resume_une_description_et_des_parametres_decrits(description):
    assert description["info"]["title"] == "SNE — API v1 des systèmes connectés"
    assert {"Authentification", "Santé", "Référentiels", "Demandes"} <= {
        t["name"] for t in description["tags"]
    }
    assert all(t["description"] for t in description["tags"])
    for chemin, operations in description["paths"].items():
        for operation in operations.values():
            assert operation["summary"] and operation["description"], chemin
            assert operation["tags"], chemin
            for parametre in operation.get("parameters", []):
                assert parametre.get("description"), (chemin, parametre["name"])


def test_chaque_reponse_est_decrite_en_francais_et_chaque_erreur_est_un_document_probleme(
    description,
):
    for chemin, operations in description["paths"].items():
        for operation in operations.values():
            reponses = operation["responses"]
            assert "500" in reponses, chemin  # nothing a client sends produces a raw 500
            for statut, reponse in reponses.items():
                assert reponse["description"] not in ANGLAIS, (chemin, statut)
                if int(statut) >= 400 and chemin != "/api/v1/sante":
                    assert reponse["content"] == {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Probleme"}
                        }
                    }, (chemin, statut)
    code_postal = description["paths"]["/api/v1/referentiels/codes-postaux/{code}"]["get"]
    assert code_postal["responses"]["404"]["description"] == (
        "Code postal inconnu de la base des codes postaux"
    )
    assert "422" in description["paths"]["/api/v1/referentiels/communes"]["get"]["responses"]


def test_chaque_champ_des_schemas_a_un_titre_et_une_description_en_francais(description):
    schemas = description["components"]["schemas"]
    assert {"Probleme", "ErreurDeChamp"} <= set(schemas)
    for nom, schema in schemas.items():
        for champ, proprietes in schema.get("properties", {}).items():
            assert proprietes.get("description"), (nom, champ)
    assert schemas["CommuneSortie"]["properties"]["departement"]["title"] == "Département"
    assert schemas["CommuneSortie"]["properties"]["code_insee"]["title"] == "Code INSEE"
