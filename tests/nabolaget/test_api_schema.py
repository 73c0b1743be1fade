"""The OpenAPI schema says what the API does (found by schemathesis)."""

import datetime
import json

import pytest

from areas.models import Area, Municipality
from councils import services as council_services
from councils.models import Council, CouncilKind, CouncilMembership
from tests.cases.factories import make_case
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/v1/schema/?format=json").json()


def _parameter(schema, path, name, method="get"):
    (parameter,) = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    return parameter


def test_pages_and_page_sizes_start_at_one(schema, client):
    for path in ("/api/v1/areas/", "/api/v1/submissions/"):
        assert _parameter(schema, path, "page")["schema"]["minimum"] == 1
        assert _parameter(schema, path, "page_size")["schema"]["minimum"] == 1
    assert _parameter(schema, "/api/v1/priorities/", "page_size")["schema"]["minimum"] == 1
    assert client.get("/api/v1/areas/", {"page_size": "0"}).status_code == 400


def test_a_bounding_box_is_four_numbers(schema, client):
    parameter = _parameter(schema, "/api/v1/priorities/map/", "bbox")

    assert parameter["required"] is True
    assert parameter["schema"]["pattern"].startswith("^")
    zoom = _parameter(schema, "/api/v1/priorities/map/", "zoom")["schema"]
    assert (zoom["minimum"], zoom["maximum"]) == (0, 22)
    assert client.get("/api/v1/priorities/map/", {"bbox": "", "zoom": "8"}).status_code == 400


def test_a_layer_download_is_true_or_false(client, schema):
    case = make_case()
    url = f"/api/v1/cases/{case.pk}/layers/case/"

    refused = client.get(url, {"download": "\x0f"}, headers={"accept-language": "en"})
    inline = client.get(url, {"download": "false"})
    attachment = client.get(url, {"download": "true"})

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"download": ["Use true or false."]}
    assert "Content-Disposition" not in inline
    assert attachment["Content-Disposition"].startswith("attachment;")
    path = "/api/v1/cases/{id}/layers/{key}/"
    assert _parameter(schema, path, "download")["schema"] == {"type": "boolean"}


def test_a_submission_without_a_case_has_case_null(client, schema):
    secretary = UserFactory()
    council = Council.objects.create(
        municipality=Municipality.objects.get(code="1804"),
        kind=CouncilKind.objects.get(slug="ungdomsrad"),
        name="Ungdomsrådet",
    )
    CouncilMembership.objects.create(council=council, user=secretary, role="secretary")
    submission = council_services.submission_file(
        secretary=secretary,
        council=council,
        kind="statement",
        title="Uttalelse om sykkelvei",
        text="Ungdomsrådet støtter en trygg sykkelvei.",
        meeting_date=datetime.date(2026, 1, 10),
        areas=[Area.objects.current().get(type__slug="kommune", code="1804")],
    )

    body = client.get(f"/api/v1/submissions/{submission.pk}/").json()

    assert body["properties"]["case"] is None
    properties = schema["components"]["schemas"]["Submission"]["properties"]["properties"]
    assert properties["properties"]["case"]["nullable"] is True


def test_a_case_archive_address_is_a_uri_or_null(client, schema):
    with_address = make_case(archive_url='https://einnsyn.no/sok?q="2026/4321"&s=æ')
    without = make_case(number="2026/4322")

    assert client.get(f"/api/v1/cases/{with_address.pk}/").json()["archive_url"] == (
        "https://einnsyn.no/sok?q=%222026/4321%22&s=%C3%A6"
    )
    assert client.get(f"/api/v1/cases/{without.pk}/").json()["archive_url"] is None
    archive_url = schema["components"]["schemas"]["Case"]["properties"]["archive_url"]
    assert archive_url == {"type": "string", "format": "uri", "nullable": True, "readOnly": True}


def test_error_answers_are_documented_as_problem_details(schema):
    responses = schema["paths"]["/api/v1/priorities/"]["post"]["responses"]

    for code in ("400", "401", "403", "413", "415", "429"):
        (media_type,) = responses[code]["content"]
        assert media_type == "application/problem+json"
    assert json.dumps(responses["400"]).count('"errors"') == 1


@pytest.mark.parametrize("path", ["/api/v1/submissions/", "/api/v1/priorities/"])
def test_a_case_number_filter_is_refused_unless_written_as_the_archive_does(client, path, schema):
    response = client.get(path, {"case": "AAA"}, headers={"accept-language": "en"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "case": ["A case number is written like the archive does: 2026/1234."]
    }
    assert _parameter(schema, path, "case")["schema"]["pattern"] == r"^\d{4}/\d{1,7}$"


def test_a_new_priority_links_to_what_can_be_done_with_it(schema):
    """Schemathesis' stateful phase follows these links from a create to the new object."""
    links = schema["paths"]["/api/v1/priorities/"]["post"]["responses"]["201"]["links"]

    assert set(links) == {
        "priorities_retrieve",
        "priorities_status_create",
        "priorities_support_create",
        "priorities_support_destroy",
    }
    assert links["priorities_support_create"]["parameters"] == {"id": "$response.body#/id"}


def test_min_support_is_a_whole_number(client, schema):
    for path in ("/api/v1/priorities/", "/api/v1/areas/{id}/stats/"):
        assert _parameter(schema, path, "min_support")["schema"]["type"] == "integer"
    response = client.get("/api/v1/priorities/", {"min_support": "1e-05"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"min_support"}


def test_a_bad_page_is_refused_on_a_point_lookup_too(client):
    """?contains= is not paged, but a page that is not a whole number from 1 is still a 400."""
    response = client.get("/api/v1/areas/", {"contains": "14.40,67.28", "page": "0.5"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"page"}
