"""Closing an account asks for the password again: it is no way round the login lockout.
Wrong passwords there count as failed logins of the account (django-axes), and the
endpoint and the page are rate-limited per account and per address."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.priorities.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.23"


def api_client(user, language="en") -> Client:
    token = Token.objects.get_or_create(user=user)[0]
    return Client(
        headers={"Authorization": f"Token {token.key}", "accept-language": language},
        REMOTE_ADDR=ADDRESS,
    )


def close_api(api, password):
    return api.post("/api/v1/me/close/", {"password": password}, content_type="application/json")


def test_twelve_wrong_passwords_through_the_api_lock_closing_and_logging_in(client):
    user = UserFactory()
    api = api_client(user, language="nb")

    answers = [close_api(api, f"gjett-{n}") for n in range(12)]

    assert [a.status_code for a in answers] == [400] * 4 + [429] * 8
    assert answers[0].json()["errors"] == {
        "password": ["Det er ikke passordet ditt. Ingenting er endret."]
    }
    locked = (
        "Innlogging på denne kontoen fra din adresse er sperret i 30 minutter "
        "etter for mange feil passord."
    )
    assert [a.json()["detail"] for a in answers[4:10]] == [locked] * 6
    assert {int(a["Retry-After"]) for a in answers[4:10]} == {30 * 60}
    # The 11th and 12th are over the endpoint's own limit (10 an hour) as well.
    assert answers[10].json()["detail"].startswith("Du har gjort dette for ofte.")
    # Once that hour is over (the counters emptied), the lockout still holds.
    cache.clear()
    right = close_api(api, PASSWORD)
    assert right.status_code == 429 and right.json()["detail"] == locked
    assert User.objects.get(pk=user.pk).is_active
    login = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        headers={"accept-language": "en"},
        REMOTE_ADDR=ADDRESS,
    )
    assert login.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_on_the_page_lock_it_with_the_lockout_page_in_the_users_language(client):
    user = UserFactory()
    client.force_login(user)

    def close(password):
        return client.post(
            "/me/privacy/",
            {"password": password},
            headers={"accept-language": "nn"},
            REMOTE_ADDR=ADDRESS,
        )

    answers = [close("gjett") for _ in range(5)]
    right = close(PASSWORD)

    assert [a.status_code for a in answers] == [400] * 4 + [429]
    assert "Det er ikkje passordet ditt." in answers[0].content.decode()
    assert right.status_code == 429
    assert "For mange mislukka innloggingar" in right.content.decode()
    assert User.objects.get(pk=user.pk).is_active


def test_failed_logins_lock_closing_too(client):
    user = UserFactory()
    for _ in range(5):
        client.post(
            "/accounts/login/", {"login": user.email, "password": "feil"}, REMOTE_ADDR=ADDRESS
        )

    assert close_api(api_client(user), PASSWORD).status_code == 429
    assert User.objects.get(pk=user.pk).is_active


def test_a_name_posted_beside_the_password_does_not_move_the_count_to_another_account():
    """The login form's field names posted to the closing page count against the account
    itself, not against the name they give."""
    user = UserFactory()
    page = Client(REMOTE_ADDR=ADDRESS)
    page.force_login(user)
    for n in range(5):
        page.post("/me/privacy/", {"password": "gjett", "login": f"other{n}@example.no"})

    assert close_api(api_client(user), PASSWORD).status_code == 429


def test_closing_is_rate_limited_per_account(settings):
    """Also for an account without a password (it confirms with its e-mail address)."""
    user = UserFactory(email="idporten@example.no")
    user.set_unusable_password()
    user.save()
    api = api_client(user)

    answers = [
        api.post(
            "/api/v1/me/close/", {"email": f"x{n}@example.no"}, content_type="application/json"
        )
        for n in range(11)
    ]

    assert [a.status_code for a in answers] == [400] * 10 + [429]
    assert answers[-1].json()["detail"].startswith("You have done this too often.")
    assert 0 < int(answers[-1]["Retry-After"]) <= 3600
    assert User.objects.get(pk=user.pk).is_active
