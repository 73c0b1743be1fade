"""Our own 400, 403, 404 and 500 pages: in the reader's language, with the site's header
and a way on (the API keeps its problem details)."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from nabolaget.views import server_error
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADINGS = {
    404: {
        "nb": "Vi finner ikke siden",
        "nn": "Vi finn ikkje sida",
        "en": "We cannot find that page",
    },
    403: {
        "nb": "Du har ikke tilgang til denne siden",
        "nn": "Du har ikkje tilgang til denne sida",
        "en": "You do not have access to this page",
    },
    400: {
        "nb": "Vi forstod ikke forespørselen",
        "nn": "Vi forstod ikkje førespurnaden",
        "en": "We could not understand the request",
    },
    500: {
        "nb": "Noe gikk galt hos oss",
        "nn": "Noko gjekk gale hos oss",
        "en": "Something went wrong on our side",
    },
}
WAY_ON = {
    "nb": "Hvor vil du gå videre?",
    "nn": "Kvar vil du gå vidare?",
    "en": "Where to go from here",
}


def assert_our_page(html: str, status: int, language: str) -> None:
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html  # the site's header and menu
    assert f"<h1>{HEADINGS[status][language]}</h1>" in html
    assert WAY_ON[language] in html and 'href="/"' in html
    assert "Server Error" not in html and "Not Found" not in html


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_an_unknown_address_is_our_404_page(client, language):
    client.cookies["django_language"] = language

    response = client.get("/ingen-slik-side/")

    assert response.status_code == 404
    assert_our_page(response.content.decode(), 404, language)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_page_for_staff_is_our_403_page_for_a_resident(client, language):
    client.force_login(UserFactory(language=language))
    client.cookies["django_language"] = language

    response = client.get("/planner/")

    assert response.status_code == 403
    assert_our_page(response.content.decode(), 403, language)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_request_for_an_unknown_host_is_our_400_page(client, language):
    client.cookies["django_language"] = language

    response = client.get("/", HTTP_HOST="ukjent.example")

    assert response.status_code == 400
    assert_our_page(response.content.decode(), 400, language)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_server_error_is_our_500_page_without_the_database(language, django_assert_num_queries):
    request = RequestFactory().get("/")

    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    assert_our_page(response.content.decode(), 500, language)


def test_the_api_keeps_its_problem_details(client):
    response = client.get("/api/v1/ingen-slik-ressurs/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
