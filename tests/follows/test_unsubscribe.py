"""One-click unsubscribe (RFC 8058): the signed link works without a log-in; POST ends the
follows at once (no CSRF token: mail clients send none), GET asks to confirm; a tampered
link or one signed for something else is refused (400) and changes nothing."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from follows.links import UNSUBSCRIBE_SALT, unsubscribe_token
from follows.models import Follow
from tests.follows.helpers import area, bodo
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def follows():
    user = UserFactory()
    school = Follow.objects.create(user=user, municipality=bodo(), area=area("1804-SK01"))
    whole = Follow.objects.create(user=user, municipality=bodo())
    return school, whole


def url(token: str) -> str:
    return f"/follows/unsubscribe/{token}/"


def test_get_asks_to_confirm_and_changes_nothing(follows):
    school, whole = follows
    response = Client().get(url(unsubscribe_token(school.user_id, [school.pk])))
    assert response.status_code == 200
    page = response.content.decode()
    assert school.area.name in page
    assert '<form method="post"' in page
    assert Follow.objects.count() == 2


def test_post_ends_the_named_follows_at_once_without_log_in_or_csrf(follows):
    school, whole = follows
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url(unsubscribe_token(school.user_id, [school.pk])), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert list(Follow.objects.values_list("pk", flat=True)) == [whole.pk]
    # Again: nothing left to end, still a success.
    again = client.post(url(unsubscribe_token(school.user_id, [school.pk])))
    assert again.status_code == 200
    assert Follow.objects.count() == 1


def test_a_tampered_link_is_refused_and_changes_nothing(follows):
    school, _whole = follows
    token = unsubscribe_token(school.user_id, [school.pk])
    payload, signature = token.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (f"{payload}:{flipped}", "x" + token, token[:-3], "nonsense"):
        response = Client().post(url(bad))
        assert response.status_code == 400, bad
        assert "Denne lenken virker ikke" in response.content.decode()
        assert Client().get(url(bad)).status_code == 400
    assert Follow.objects.count() == 2


def test_a_link_to_another_accounts_follow_ends_nothing(follows):
    school, _whole = follows
    stranger = UserFactory()
    # Signed for the stranger, naming the owner's follow: the follow is not the stranger's.
    response = Client().post(url(unsubscribe_token(stranger.pk, [school.pk])))
    assert response.status_code == 200
    assert Follow.objects.count() == 2


def test_a_value_signed_for_something_else_is_refused(follows):
    school, _whole = follows
    payload = {"u": school.user_id, "f": [school.pk]}
    for token in (
        signing.dumps(payload, salt="something.else", compress=True),
        signing.dumps(payload, compress=True),
        signing.dumps({"u": "x", "f": "all"}, salt=UNSUBSCRIBE_SALT),
    ):
        assert Client().post(url(token)).status_code == 400
    assert Follow.objects.count() == 2


def test_the_refusal_is_in_nynorsk_for_a_nynorsk_reader():
    response = Client(HTTP_ACCEPT_LANGUAGE="nn").get(url("nonsense"))
    assert response.status_code == 400
    assert "Denne lenkja verkar ikkje" in response.content.decode()
