"""Signing up and logging in (django-allauth) in Nynorsk: allauth has no Nynorsk catalogue
and Django falls back to Bokmål, so ours carries the Nynorsk of every allauth text our
pages and e-mails show. allauth's e-mails name the site and link to NABOLAGET_SITE_URL."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from tests.priorities.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://nabolaget.bodo.kommune.no"
# Words of Bokmål that Nynorsk does not have (what allauth's Bokmål shows on a Nynorsk page).
BOKMAL = re.compile(
    r"\b(allerede|vennligst|glemt|ikke|hvis|noen|hver|enda|fra|mottar|bekreft\w*|"
    r"tilbakestill\w*|registrert|ugyldig pålogging)\b",
    re.IGNORECASE,
)
PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]


def visible_text(html: str) -> str:
    """The page's text without its markup, scripts and the language menu's own names."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<option [^>]*lang="[a-z]+"[^>]*>.*?</option>', " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


def attributes(html: str) -> str:
    """Texts people meet in attributes: placeholders, titles and labels."""
    return " ".join(re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', html))


@pytest.fixture
def nynorsk(client):
    client.cookies["django_language"] = "nn"
    return client


@pytest.mark.parametrize("path", PAGES)
def test_allauth_pages_in_nynorsk_have_no_bokmal(nynorsk, path):
    response = nynorsk.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nn">' in html
    found = BOKMAL.findall(visible_text(html) + " " + attributes(html))
    assert not found, f"Bokmål on the Nynorsk page {path}: {found}"


def test_a_failed_login_and_a_bad_signup_say_so_in_nynorsk(nynorsk):
    UserFactory(email="kari@example.no")

    login = nynorsk.post(
        "/accounts/login/", {"login": "kari@example.no", "password": "feil-passord"}
    ).content.decode()
    signup = nynorsk.post(
        "/accounts/signup/",
        {"email": "kari@example.no", "password1": PASSWORD, "password2": PASSWORD + "x"},
    ).content.decode()

    for html in (login, signup):
        assert 'class="errorlist' in html or "errorlist" in html
        found = BOKMAL.findall(visible_text(html) + " " + attributes(html))
        assert not found, f"Bokmål in a Nynorsk form error: {found}"


@override_settings(NABOLAGET_SITE_URL=SITE, NABOLAGET_SITE_NAME="Nabolaget Bodø")
def test_the_confirmation_email_names_the_site_links_to_the_site_url_in_nynorsk(nynorsk):
    response = nynorsk.post(
        "/accounts/signup/",
        {"email": "ny@example.no", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    (message,) = mail.outbox
    text = message.subject + "\n" + message.body
    assert "Nabolaget Bodø" in message.body
    assert "testserver" not in text
    urls = re.findall(r"https?://\S+", message.body)
    assert urls and all(url.startswith(SITE + "/accounts/confirm-email/") for url in urls)
    found = BOKMAL.findall(text)
    assert not found, f"Bokmål in the Nynorsk confirmation e-mail: {found}\n{text}"


@override_settings(NABOLAGET_SITE_URL=SITE)
def test_the_password_reset_email_links_to_the_site_url(client):
    UserFactory(email="kari@example.no")

    client.post("/accounts/password/reset/", {"email": "kari@example.no"})

    (message,) = mail.outbox
    urls = re.findall(r"https?://\S+", message.body)
    assert urls and all(url.startswith(SITE + "/accounts/password/reset/key/") for url in urls)
