"""Logging in: a lockout per (e-mail, address) after repeated failures, a limit per e-mail
address from any address, for the residents' login form and for the admin alike."""

import pytest
from django.test import override_settings

from tests.priorities.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def log_in(client, email, password, address="198.51.100.7"):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        headers=EN,
        REMOTE_ADDR=address,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_that_email_from_that_address(client):
    user = UserFactory()
    for _ in range(4):
        response = log_in(client, user.email, "wrong-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    assert log_in(client, user.email, "wrong-password").status_code == 429

    locked = log_in(client, user.email, PASSWORD)

    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 30 * 60
    assert "Too many failed logins" in locked.content.decode()
    assert not logged_in(client)


def test_a_lockout_does_not_shut_out_the_owner_elsewhere_or_other_accounts_here(client):
    """Locking by the pair: an attacker at one address cannot lock everybody out."""
    victim, neighbour = UserFactory(), UserFactory()
    for _ in range(6):
        log_in(client, victim.email, "wrong-password")

    assert log_in(client, neighbour.email, PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, victim.email, PASSWORD, address="203.0.113.50").status_code == 302
    assert logged_in(client)


def test_a_lockout_is_in_the_users_language(client):
    user = UserFactory()
    for _ in range(5):
        log_in(client, user.email, "wrong-password")

    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        headers={"accept-language": "nn"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 429
    assert "For mange mislukka innloggingar" in response.content.decode()


def test_the_email_address_is_matched_whatever_its_case(client):
    user = UserFactory()
    for n in range(5):
        log_in(client, user.email.upper() if n % 2 else user.email, "wrong-password")

    assert log_in(client, user.email.title(), PASSWORD).status_code == 429


def test_guessing_one_email_from_many_addresses_meets_the_per_email_limit(client):
    """Each address stays under the lockout; the limit per e-mail address still holds."""
    user = UserFactory()
    for n in range(20):
        log_in(client, user.email, "wrong-password", address=f"192.0.2.{n + 1}")

    response = log_in(client, user.email, PASSWORD, address="192.0.2.200")

    assert "Too many failed login attempts" in response.content.decode()
    assert not logged_in(client)


@override_settings(NABOLAGET_NUM_PROXIES=0)
def test_a_forged_forwarded_for_header_does_not_lift_a_lockout(client):
    user = UserFactory()
    for n in range(5):
        client.post(
            "/accounts/login/",
            {"login": user.email, "password": "wrong"},
            headers={"x-forwarded-for": f"10.0.0.{n}"},
            REMOTE_ADDR="198.51.100.7",
        )

    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        headers={"x-forwarded-for": "10.9.9.9"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 429


def test_the_admin_login_is_locked_too(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for n in range(5):
        response = client.post(
            "/admin/login/",
            {"username": admin.username, "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.9",
        )
        assert response.status_code == (200 if n < 4 else 429)

    response = client.post(
        "/admin/login/",
        {"username": admin.username, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )

    assert response.status_code == 429
    assert not logged_in(client)


def test_a_successful_login_forgets_earlier_failures(client):
    user = UserFactory()
    for _ in range(4):
        log_in(client, user.email, "wrong-password")
    assert log_in(client, user.email, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        log_in(client, user.email, "wrong-password")

    assert log_in(client, user.email, PASSWORD).status_code == 302
