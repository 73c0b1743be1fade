"""Parameters that used to end in a server error are refused with a 400 naming the parameter,
in the request's language (nb and en), and nothing is written.

- ``min_support`` past PostgreSQL's integer (2147483648): Django's lookup gave up on the
  value (EmptyResultSet in ``estimate_count``);
- a digest's period from 0001-01-01: the trend's year back from it is before the first date
  there is (OverflowError).

An integer of hundreds of digits as a coordinate is in the geometry corpus
(tests/data/bad_geometry/huge.jsonl, ``integer-400-digits``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Role
from areas.models import Area
from tests.cases.factories import make_case
from tests.hardening.language import in_language
from tests.priorities.factories import staff
from tests.tables import changed_tables, row_counts

pytestmark = pytest.mark.django_db

TOO_MANY_SUPPORTS = str(2**31)
FIRST_DAY = "0001-01-01"


@dataclass(frozen=True)
class Case:
    """A request with one bad parameter, and where the answer must name it."""

    name: str
    url: str
    params: dict
    parameter: str
    method: str = "get"
    page: bool = False  # a page answers with a form error; the API with a JSON body
    planner: bool = False


CASES = [
    Case("priorities", "/api/v1/priorities/", {"min_support": TOO_MANY_SUPPORTS}, "min_support"),
    Case(
        "priorities-by-area",
        "/api/v1/priorities/by-area/",
        {"area_type": "skolekrets", "min_support": TOO_MANY_SUPPORTS},
        "min_support",
    ),
    Case(
        "area-stats",
        "/api/v1/areas/{area}/stats/",
        {"min_support": TOO_MANY_SUPPORTS},
        "min_support",
    ),
    Case(
        "planner-page",
        "/planner/",
        {"min_support": TOO_MANY_SUPPORTS},
        "min_support",
        page=True,
        planner=True,
    ),
    Case("area-digest-until", "/api/v1/areas/{area}/digest/", {"until": FIRST_DAY}, "until"),
    Case("area-digest-since", "/api/v1/areas/{area}/digest/", {"since": FIRST_DAY}, "since"),
    Case("case-digest-until", "/api/v1/cases/{case}/digest/", {"until": FIRST_DAY}, "until"),
    Case(
        "area-digest-page",
        "/areas/{area}/digest/",
        {"until": FIRST_DAY},
        "until",
        page=True,
    ),
    Case(
        "case-digest-page",
        "/cases/{case}/digest/",
        {"until": FIRST_DAY},
        "until",
        page=True,
    ),
    Case(
        "case-freeze-api",
        "/api/v1/cases/{case}/digests/",
        {"until": FIRST_DAY},
        "until",
        method="post",
        planner=True,
    ),
    Case(
        "case-freeze-page",
        "/cases/{case}/freeze/",
        {"until": FIRST_DAY},
        "until",
        method="post",
        page=True,
        planner=True,
    ),
]


def _form_errors(context) -> dict[str, list[str]]:
    """The field errors a page shows: the planner's filter errors, or a form's."""
    if "filter_errors" in context:
        return {k: [str(m) for m in v] for k, v in context["filter_errors"].items()}
    form = context.get("freeze_form") or context["form"]
    return {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_parameter_out_of_range_is_a_400_naming_it(client, case, language):
    planner = staff(Role.PLANNER)
    if case.planner:
        client.force_login(planner)
    context = {
        "area": Area.objects.get(type__slug="kommune", code="1804").pk,
        "case": make_case(planner).pk,
    }
    before = row_counts()

    send = getattr(client, case.method)
    response = send(case.url.format(**context), case.params, headers={"accept-language": language})

    assert response.status_code == 400, response.content[:300]
    if case.page:
        errors = _form_errors(response.context)
    else:  # problem details (RFC 9457), the fields at fault under "errors"
        assert response["Content-Type"] == "application/problem+json"
        errors = response.json()["errors"]
    assert case.parameter in errors, errors
    assert all(in_language(m, language) for m in errors[case.parameter]), errors
    assert not changed_tables(before, row_counts())
