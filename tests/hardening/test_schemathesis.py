"""schemathesis against the OpenAPI schema that drf-spectacular serves (/api/v1/schema/):
for every operation, positive and negative data, sent to the WSGI application directly
(no live server) with a resident's token and, separately, a planner's, on the test
database holding the demo municipality, with every schemathesis check (server errors,
status codes, content types, headers, response schemas, negative data refused, positive
data accepted except where only the data can say no: BEYOND_THE_SCHEMA, missing headers,
methods, authentication). Then the stateful phase: sequences of calls along the schema's
links (a create, then what can be done with the new object), every check after each call.

``make test`` draws NABOLAGET_SCHEMATHESIS_EXAMPLES (25) examples per operation, the same
every run; ``make fuzz`` draws 1000 new ones (NABOLAGET_SCHEMATHESIS_SEED=N repeats a run).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import Role
from nabolaget.wsgi import application
from tests.priorities.factories import UserFactory, staff

EXAMPLES = int(os.environ.get("NABOLAGET_SCHEMATHESIS_EXAMPLES", "25"))
SEED = os.environ.get("NABOLAGET_SCHEMATHESIS_SEED")

# What a schema cannot say: whether an id or a slug names an object that exists, and
# rules across parameters. A 400 to schema-valid data that names only these (in the
# problem's errors) is the API doing its job; any other refusal of schema-valid data
# fails, as schemathesis' positive_data_acceptance does.
BEYOND_THE_SCHEMA = {
    "area": "an area id that may not exist",
    "areas": "area ids that may not exist",
    "area_type": "an area type slug that may not exist",
    "type": "an area type slug that may not exist",
    "category": "a category slug that may not exist",
    "council": "a council id that may not exist",
    "case": "a case number that may not exist",
    "consultation": "a consultation that may not exist or be closed",
    "municipality": "a municipality code that may not exist",
    "bbox": "west < east and south < north, within longitude and latitude",
    "contains": "a longitude and a latitude within their ranges",
    "since": "since <= until",
    "until": "since <= until",
    "password": "the account's own password",
    "email": "the account's own e-mail address",
    "geometry": "inside the municipality",
    "non_field_errors": "rules across fields",
    "after": "a cursor from a 'next' link",
    # Text is normalised (NFC, no zero-width or control characters) before its length is
    # checked (core/text.py): the schema's minLength counts what was sent.
    "title": "at least its minimum length once normalised",
    "text": "at least its minimum length once normalised",
    "public_text": "at least its minimum length once normalised",
    "name": "at least its minimum length once normalised",
    "before": "a cursor from a 'previous' link",
    "hearing": "a hearing id that may not exist, or not be open yet",
    "signed_name": "given unless the name is withheld",
    "organisation_name": "given when an organisation answers",
    "organisation_number": "a valid check digit, when an organisation answers",
    "contact_person": "given when an organisation answers",
}


def _names_beyond_the_schema(errors) -> bool:
    """Whether every error is about something in BEYOND_THE_SCHEMA (a GeoJSON Feature's
    errors are under "properties")."""
    if not isinstance(errors, dict) or not errors:
        return False
    for name, value in errors.items():
        if name == "properties" and isinstance(value, dict):
            if not _names_beyond_the_schema(value):
                return False
        elif name not in BEYOND_THE_SCHEMA:
            return False
    return True


@schemathesis.check
def schema_valid_data_accepted(ctx, response, case):
    """positive_data_acceptance, except for refusals only the data can justify."""
    if (
        response.status_code == 400
        and response.headers.get("content-type", [""])[0].startswith("application/problem+json")
        and _names_beyond_the_schema(response.json().get("errors"))
    ):
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = {
    "excluded_checks": [positive_data_acceptance],
    "additional_checks": [schema_valid_data_accepted],
}


# Loaded once, when the module is collected: drf-spectacular builds the schema from the
# code alone (no database). (schemathesis.pytest.from_fixture, the lazy loader, does not
# work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
# No NUL characters in generated text: PostgreSQL text cannot hold one, the API refuses it
# with a 400 naming the field (test_a_null_character_in_a_query_is_a_400_naming_it and the
# bad-input corpus), and a schema has no way to say so.
schema.config.generation.update(allow_x00=False)


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
    # make test draws the same examples every run (reproducible); make fuzz draws new ones,
    # from NABOLAGET_SCHEMATHESIS_SEED if given (to repeat a run).
    derandomize="NABOLAGET_SCHEMATHESIS_EXAMPLES" not in os.environ and SEED is None,
)


def _seeded(test):
    return seed(int(SEED))(test) if SEED is not None else test


def _token(token: str) -> dict:
    return {"Authorization": f"Token {token}"}


@schema.parametrize()
@_seeded
@EXAMPLE_SETTINGS
def test_the_api_as_a_resident(case, resident_token):
    case.call_and_validate(headers=_token(resident_token), **CHECKS)


@schema.parametrize()
@_seeded
@EXAMPLE_SETTINGS
def test_the_api_as_a_planner(case, planner_token):
    case.call_and_validate(headers=_token(planner_token), **CHECKS)


def _workflow(token: str):
    """The stateful phase: sequences of calls that follow the schema's links (an object
    created by one call, read, supported or answered by the next), every check after
    each call."""

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": _token(token)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                headers=_token(token),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
                **CHECKS,
            )

    return Workflow


STATEFUL_SETTINGS = settings(
    EXAMPLE_SETTINGS, max_examples=max(1, EXAMPLES // 10), stateful_step_count=6
)


def test_the_api_step_by_step_as_a_resident(resident_token):
    _workflow(resident_token).run(settings=STATEFUL_SETTINGS)


def test_the_api_step_by_step_as_a_planner(planner_token):
    _workflow(planner_token).run(settings=STATEFUL_SETTINGS)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_null_character_in_a_query_is_a_400_naming_it(client, language):
    """Found by schemathesis: PostgreSQL text cannot hold NUL, so it was a server error."""
    response = client.get(
        "/api/v1/priorities/by-area/",
        {"area_type": "skole\x00krets"},
        headers={"accept-language": language},
    )

    assert response.status_code == 400
    (message,) = response.json()["errors"]["area_type"]
    assert message == ("Null-tegn er ikke tillatt." if language == "nb" else NULL_MESSAGE)


NULL_MESSAGE = "Null characters are not allowed."
