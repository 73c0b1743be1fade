"""schemathesis against the OpenAPI schema that drf-spectacular serves (/api/v1/schema/):
for every operation, positive and negative data, sent to the WSGI application directly
(no live server) with a resident's token and, separately, a planner's, on the test
database holding the demo municipality. The checks: no server error, only documented
status codes, responses that match their schema, and negative data refused.

``make test`` draws NABOLAGET_SCHEMATHESIS_EXAMPLES (100) examples per operation;
``make fuzz`` draws 1000.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from nabolaget.models import Role
from nabolaget.wsgi import application
from tests.priorities.factories import UserFactory, staff

EXAMPLES = int(os.environ.get("NABOLAGET_SCHEMATHESIS_EXAMPLES", "100"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# Loaded once, when the module is collected: drf-spectacular builds the schema from the
# code alone (no database). (schemathesis.pytest.from_fixture, the lazy loader, does not
# work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _connection_kept(db):
    """The WSGI handler closes the database connection after each request (as it should in
    production); here that connection holds the test's transaction, so it stays open, as
    Django's own test client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def _generous_rate_limits(settings):
    """Hundreds of creates from one account: the rate limits (tested elsewhere) would 429."""
    settings.NABOLAGET_RATES = {scope: "1000000/hour" for scope in settings.NABOLAGET_RATES}


@pytest.fixture
def resident_token(db, _generous_rate_limits) -> str:
    return Token.objects.create(user=UserFactory()).key


@pytest.fixture
def planner_token(db, _generous_rate_limits) -> str:
    return Token.objects.create(user=staff(Role.PLANNER)).key


EXAMPLE_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    # make test draws the same examples every run (reproducible); make fuzz draws new ones.
    derandomize="NABOLAGET_SCHEMATHESIS_EXAMPLES" not in os.environ,
)


@schema.parametrize()
@EXAMPLE_SETTINGS
def test_the_api_as_a_resident(case, resident_token):
    case.call_and_validate(headers={"Authorization": f"Token {resident_token}"}, checks=CHECKS)


@schema.parametrize()
@EXAMPLE_SETTINGS
def test_the_api_as_a_planner(case, planner_token):
    case.call_and_validate(headers={"Authorization": f"Token {planner_token}"}, checks=CHECKS)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_null_character_in_a_query_is_a_400_naming_it(client, language):
    """Found by schemathesis: PostgreSQL text cannot hold NUL, so it was a server error."""
    response = client.get(
        "/api/v1/priorities/by-area/",
        {"area_type": "skole\x00krets"},
        headers={"accept-language": language},
    )

    assert response.status_code == 400
    (message,) = response.json()["area_type"]
    assert message == ("Null-tegn er ikke tillatt." if language == "nb" else NULL_MESSAGE)


NULL_MESSAGE = "Null characters are not allowed."
