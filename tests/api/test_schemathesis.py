"""The API against its own contract: schemathesis generates requests from the OpenAPI that the
running application publishes (`/api/v1/openapi.json`), sends them in process (WSGI, no
server) with the token of a finalised desk, and checks every answer: never a 5xx, a status
code the contract documents, the documented content type and headers, a body that matches its
schema, a request outside the schema refused, and a request inside it refused only for a rule
of the register, never for its form (`refus_pour_la_forme_seulement_hors_schema`).

Bounded so that CI runs it on SQLite and PostgreSQL in about a minute: the examples of the
contract, a few generated requests per operation (`EXEMPLES_PAR_OPERATION`), no deadline (the
machine is shared), and the boundary values of every field (schemathesis' « coverage » phase)
except on the two large bodies (registration, modification: 1,200 requests each).
`SNE_SCHEMATHESIS_COMPLET=1` runs everything, more examples included (several minutes).
See docs/api.md « Robustesse et contrat »."""

import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sne.api.erreurs import ERREURS_PYDANTIC
from sne.comptes import jetons
from sne.demandes.services import enregistrer_demande
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory

pytestmark = pytest.mark.django_db

COMPLET = os.environ.get("SNE_SCHEMATHESIS_COMPLET") == "1"
EXEMPLES_PAR_OPERATION = 100 if COMPLET else 25

CONFIGURATION = f"""
[generation]
max-examples = {EXEMPLES_PAR_OPERATION}
# The token is the fixture's, sent on every request; a missing or wrong token has its own
# tests (401, test_authentification.py) and schemathesis' `ignored_auth` check.
with-security-parameters = false
# An unknown query parameter is ignored, not refused: HTTP APIs do so, and a client written
# for a later version of the contract keeps working.
allow-extra-parameters = false
"""
if not COMPLET:
    CONFIGURATION += """
[[operations]]
include-name = ["POST /api/v1/demandes", "PATCH /api/v1/demandes/{numero_unique}"]
phases.coverage.enabled = false
"""

# Refusals of pydantic that mean « not the form the schema describes ». A request that the
# schema accepts and that comes back with one of them shows a schema that says less than the
# code checks (a pattern, a bound, a required field missing from the contract).
REFUS_DE_FORME = ERREURS_PYDANTIC - {"value_error", "assertion_error"}


@pytest.fixture
def connexion_gardee():
    """Django closes the database connection at the end of each request (`request_finished`);
    inside the test's transaction that would close it under the test (PostgreSQL). Django's
    test client disconnects these signals around its requests; schemathesis calls the WSGI
    application directly, so the same is done here for the whole test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def guichet():
    return GuichetFactory(code="75CT1", departements=["75", "92"])


@pytest.fixture
def jeton(guichet):
    return jetons.creer_jeton(guichet, libelle="Schemathesis")[1]


@pytest.fixture
def demande(guichet):
    """A demande of the token's desk, so that reading and modifying it answer 200 (and their
    bodies are checked against the schema) and not only 404 for a made-up numéro."""
    compte = jetons.compte_systeme(guichet)
    donnees = donnees_minimales(reference_externe="ST-1")
    # Not the person of the contract's example, which the examples phase registers (201).
    donnees["demandeur"] = {**donnees["demandeur"], "nom": "Schemathesis", "prenom": "Léa"}
    return enregistrer_demande(guichet, compte, donnees)


@pytest.fixture
def schema_api(settings, connexion_gardee, demande):
    # Hundreds of requests with one token: the throttle would answer 429 (documented, but then
    # nothing else is exercised). Its behaviour has its own tests (test_authentification.py).
    settings.SNE_API_REQUETES_PAR_FENETRE = 1_000_000
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json",
        get_wsgi_application(),
        config=schemathesis.Config.from_str(CONFIGURATION),
    )

    @schema.hook
    def map_case(context, case):
        # Half of the valid requests on `/demandes/{numero_unique}` name the existing demande
        # (which half: from the generated numéro, so that a failure replays the same).
        numero = (case.path_parameters or {}).get("numero_unique")
        if numero is None or case.meta is None or not case.meta.generation.mode.is_positive:
            return case
        if zlib.crc32(str(numero).encode()) % 2:
            case.path_parameters = {**case.path_parameters, "numero_unique": demande.numero_unique}
        return case

    return schema


def refus_pour_la_forme_seulement_hors_schema(ctx, response, case):
    """Replaces schemathesis' `positive_data_acceptance`, which wants every request inside the
    schema accepted: a registration inside the schema may still break a rule of the register
    (an unknown commune, `deja_locataire_hlm` not given, an identity document missing — CCH
    R441-2-3), which no JSON Schema can say; that is a 422 with its own code, documented.
    What must never happen is a refusal *for the form* of a request the schema accepts."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code != 422:
        return None
    corps = response.json()
    refus = [e for e in corps.get("erreurs") or [] if e.get("code") in REFUS_DE_FORME]
    assert not refus, (
        "Une requête conforme au schéma publié est refusée pour sa forme : le schéma ne dit "
        f"pas ce que le code vérifie ({refus})"
    )
    return None


schema = schemathesis.pytest.from_fixture("schema_api")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_chaque_operation_respecte_son_contrat(case, jeton):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {jeton}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[refus_pour_la_forme_seulement_hors_schema],
    )
