"""Every answer under /api/ that is not a success is RFC 9457 problem details
(application/problem+json) in the request's language; pages keep their HTML."""

import json

import pytest
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import translation

from nabolaget.views import server_error

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("language", "title", "detail"),
    [
        ("nb", "Ikke funnet", "Det finnes ingenting på denne adressen."),
        ("nn", "Ikkje funne", "Det finst ingenting på denne adressa."),
        ("en", "Not found", "There is nothing at this address."),
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/priorities/abc/", "/api/v1/areas/%C2%84/stats/", "/api/v1/nothing/"]
)
def test_an_address_no_url_matches_is_a_problem_in_the_language(
    client, path, language, title, detail
):
    response = client.get(path, headers={"accept-language": language})

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": title,
        "status": 404,
        "detail": detail,
    }


def test_a_page_not_found_stays_a_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_bad_input_is_a_problem_naming_the_fields(client):
    response = client.get(
        "/api/v1/areas/", {"page": "0", "simplify": "-5"}, headers={"accept-language": "nn"}
    )

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == (
        "about:blank",
        "Ugyldig førespurnad",
        400,
    )
    assert set(body["errors"]) == {"simplify"}
    assert body["detail"] == body["errors"]["simplify"][0]


def test_a_refusal_without_fields_is_a_problem_with_drfs_message(client):
    response = client.post(
        "/api/v1/priorities/",
        {},
        content_type="application/json",
        headers={"accept-language": "en"},
    )

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["title"] == "Not logged in"
    assert body["detail"] == "Authentication credentials were not provided."
    assert "errors" not in body


def test_a_null_character_refused_by_the_middleware_is_a_problem(client):
    response = client.get("/api/v1/areas/", {"type": "a\x00b"}, headers={"accept-language": "en"})

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"] == {"type": ["Null characters are not allowed."]}


def test_a_server_error_under_the_api_is_a_problem():
    """Django's handler500 (the root URL conf's) answers an API request with a problem."""
    request = RequestFactory().get("/api/v1/areas/")
    assert get_resolver().resolve_error_handler(500) is server_error

    with translation.override("nb"):
        response = server_error(request)

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["title"] == "Feil på tjeneren"
    assert body["detail"] == "Noe gikk galt hos oss. Prøv igjen senere."


def test_a_server_error_on_a_page_stays_a_page():
    response = server_error(RequestFactory().get("/priorities/"))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_page_zero_and_an_empty_page_are_told_apart(client):
    """The schema says pages start at 1, and an empty value means the parameter is absent."""
    assert client.get("/api/v1/submissions/", {"page": "0"}).status_code == 400
    assert client.get("/api/v1/submissions/", {"page": ""}).status_code == 200
    assert client.get("/api/v1/areas/", {"geometry": "", "page_size": "1"}).status_code == 200
