"""A session ends after a while without requests; every request renews it."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_an_idle_session_is_logged_out(client, settings):
    client.force_login(UserFactory())
    assert client.get("/me/").status_code == 200
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get("/me/")

    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_each_request_moves_the_end_of_the_session(client, settings):
    client.force_login(UserFactory())
    soon = timezone.now() + datetime.timedelta(seconds=30)
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=soon)

    assert client.get("/").status_code == 200

    renewed = session_row(client).expire_date
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((renewed - expected).total_seconds()) < 60
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600, "an idle limit, not a remember-me"
