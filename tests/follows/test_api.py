"""The account's follows in the API: list, create (with idempotency keys), update, delete;
bad input refused as problem details, nothing written; the feeds' addresses given."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from follows.models import Follow
from tests.areas.factories import AreaFactory, MunicipalityFactory
from tests.follows.helpers import area, bodo
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/follows/"


def api(user=None, language: str = "nb") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_resident_follows_lists_changes_and_stops_through_the_api():
    user = UserFactory()
    school = area("1804-SK01")
    client = api(user)
    response = client.post(
        URL, {"area": school.pk, "topics": ["hearing", "case"], "frequency": "daily"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["municipality"] == "1804"
    assert body["area"] == school.pk
    assert body["topics"] == ["case", "hearing"]
    assert body["feed"].endswith(f"/areas/{school.pk}/feed.atom")
    whole = client.post(URL, {"municipality": "1804", "topics": ["answer"]}, format="json")
    assert whole.status_code == 201
    assert whole.json()["frequency"] == "immediate"
    assert whole.json()["feed"].endswith("/kommune/1804/feed.atom")
    listed = client.get(URL).json()
    assert [item["area"] for item in listed] == [None, school.pk]
    follow_id = body["id"]
    changed = client.patch(f"{URL}{follow_id}/", {"frequency": "weekly"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["frequency"] == "weekly"
    assert changed.json()["topics"] == ["case", "hearing"]
    assert client.delete(f"{URL}{follow_id}/").status_code == 204
    assert list(Follow.objects.filter(user=user).values_list("area", flat=True)) == [None]


def test_following_again_changes_the_follow():
    user = UserFactory()
    client = api(user)
    client.post(URL, {"municipality": "1804", "topics": ["answer"]}, format="json")
    again = client.post(URL, {"municipality": "1804", "topics": ["case"]}, format="json")
    assert again.status_code == 200
    assert Follow.objects.get(user=user).topics == ["case"]


def test_an_idempotency_key_replays_the_first_answer():
    user = UserFactory()
    client = api(user)
    data = {"area": area("1804-SK01").pk, "topics": ["case"]}
    first = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="follow-1")
    second = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="follow-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    other = client.post(
        URL, {**data, "topics": ["answer"]}, format="json", HTTP_IDEMPOTENCY_KEY="follow-1"
    )
    assert other.status_code == 422
    assert Follow.objects.get(user=user).topics == ["case"]


def test_the_api_needs_a_log_in_and_shows_only_ones_own_follows():
    owner = UserFactory()
    follow = Follow.objects.create(user=owner, municipality=bodo(), topics=["case"])
    assert api().get(URL).status_code in (401, 403)
    assert api().post(
        URL, {"municipality": "1804", "topics": ["case"]}, format="json"
    ).status_code in (401, 403)
    stranger = api(UserFactory())
    assert stranger.get(URL).json() == []
    assert stranger.get(f"{URL}{follow.pk}/").status_code == 404
    assert (
        stranger.patch(f"{URL}{follow.pk}/", {"topics": ["answer"]}, format="json").status_code
        == 404
    )
    assert stranger.delete(f"{URL}{follow.pk}/").status_code == 404
    follow.refresh_from_db()
    assert follow.topics == ["case"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"municipality": "1804", "topics": ["gossip"]},
            "topics",
            "gossip",
        ),
        ({"municipality": "1804", "topics": []}, "topics", "Velg minst én ting å følge."),
        ({"municipality": "1804", "topics": ["case"], "frequency": "hourly"}, "frequency", None),
        ({"topics": ["case"]}, "municipality", "Velg et område eller en kommune å følge."),
        (
            {"municipality": "0000", "topics": ["case"]},
            "municipality",
            "Det finnes ingen kommune 0000.",
        ),
        ({"area": 0, "topics": ["case"]}, "area", None),
        ({"area": "x", "topics": ["case"]}, "area", None),
    ],
)
def test_bad_input_is_refused_as_a_problem_and_nothing_is_written(data, field, message):
    response = api(UserFactory()).post(URL, data, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert field in errors
    if message:
        assert message in json.dumps(errors[field], ensure_ascii=False)
    assert not Follow.objects.exists()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_an_area_of_another_municipality_or_retired_is_refused(language):
    elsewhere = AreaFactory(municipality=MunicipalityFactory())
    client = api(UserFactory(), language)
    response = client.post(
        URL, {"municipality": "1804", "area": elsewhere.pk, "topics": ["case"]}, format="json"
    )
    assert response.status_code == 400
    expected = {
        "nb": "Dette området er ikke i kommunen du valgte.",
        "nn": "Dette området er ikkje i kommunen du valde.",
    }[language]
    assert response.json()["errors"]["area"] == [expected]
    assert not Follow.objects.exists()


def test_the_place_of_a_follow_cannot_be_changed():
    user = UserFactory()
    follow = Follow.objects.create(
        user=user, municipality=bodo(), area=area("1804-SK01"), topics=["case"]
    )
    response = api(user).patch(
        f"{URL}{follow.pk}/", {"area": area("1804-SK02").pk, "topics": ["answer"]}, format="json"
    )
    assert response.status_code == 200
    follow.refresh_from_db()
    assert (follow.area.code, follow.topics) == ("1804-SK01", ["answer"])


def test_the_schema_describes_the_follows_and_the_feeds():
    schema = api().get("/api/v1/schema/?format=json").json()
    assert "/api/v1/me/follows/" in schema["paths"]
    post = schema["paths"]["/api/v1/me/follows/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "feed.atom" in str(schema["paths"]["/api/v1/me/follows/"])
