"""The API against its own contract: schemathesis generates requests from the OpenAPI that the
running application publishes (`/api/v1/openapi.json`), sends them in process (WSGI, no
server) with the token of a finalised desk, and checks every answer: never a 5xx, a status
code the contract documents, the documented content type, a body that matches its schema.

Bounded so that CI runs it on SQLite and PostgreSQL: a few examples per operation
(`max_examples`), no deadline (the machine is shared). See docs/api.md « Robustesse et contrat »."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from sne.comptes import jetons
from tests.factories import GuichetFactory

pytestmark = pytest.mark.django_db

EXEMPLES_PAR_OPERATION = 25


@pytest.fixture
def schema_api(settings):
    # Hundreds of requests with one token: the throttle would answer 429 (documented, but then
    # nothing else is exercised). Its behaviour has its own tests (test_authentification.py).
    settings.SNE_API_REQUETES_PAR_FENETRE = 1_000_000
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    schema.config.generation.update(
        max_examples=EXEMPLES_PAR_OPERATION,
        # The token is the fixture's, sent on every request; a missing or wrong token has its
        # own tests (401, test_authentification.py) and schemathesis' `ignored_auth` check.
        with_security_parameters=False,
        # An unknown query parameter is ignored, not refused: HTTP APIs do so, and a client
        # written for a later version of the contract keeps working.
        allow_extra_parameters=False,
    )
    return schema


@pytest.fixture
def jeton():
    guichet = GuichetFactory(code="75CT1", departements=["75", "92"])
    return jetons.creer_jeton(guichet, libelle="Schemathesis")[1]


schema = schemathesis.pytest.from_fixture("schema_api")


@schema.parametrize()
@settings(
    max_examples=EXEMPLES_PAR_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_chaque_operation_respecte_son_contrat(case, jeton):
    case.call_and_validate(headers={"Authorization": f"Bearer {jeton}"})
