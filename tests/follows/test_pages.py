"""Following a place on the pages: the area's and the municipality's follow button, the
form, /me/follows/ to change or stop a follow, and every bad input refused in the user's
language with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from areas.models import Area
from follows.models import Follow
from tests.areas.factories import AreaFactory, MunicipalityFactory
from tests.follows.helpers import area, bodo
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_area_page_and_the_municipality_page_offer_to_follow():
    school = area("1804-SK01")
    page = Client().get(school.get_absolute_url()).content.decode()
    assert f'href="/me/follows/new/?area={school.pk}"' in page
    assert f'href="/areas/{school.pk}/feed.atom"' in page
    page = Client().get("/kommune/1804/").content.decode()
    assert 'href="/me/follows/new/?municipality=1804"' in page
    assert 'href="/kommune/1804/feed.atom"' in page


def test_a_resident_follows_an_area_with_chosen_topics_and_frequency():
    user = UserFactory()
    school = area("1804-SK01")
    client = client_for(user)
    page = client.get(f"/me/follows/new/?area={school.pk}")
    assert page.status_code == 200
    assert school.name in page.content.decode()
    response = client.post(
        "/me/follows/new/",
        {"area": school.pk, "topics": ["hearing", "case"], "frequency": "daily"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/follows/"
    follow = Follow.objects.get(user=user)
    assert (follow.area, follow.municipality, follow.topics, follow.frequency) == (
        school,
        bodo(),
        ["case", "hearing"],
        "daily",
    )
    listing = client.get("/me/follows/").content.decode()
    assert school.name in listing
    assert f"/areas/{school.pk}/feed.atom" in listing


def test_following_the_same_area_again_changes_the_follow_and_makes_no_second():
    user = UserFactory()
    school = area("1804-SK01")
    client = client_for(user)
    client.post("/me/follows/new/", {"area": school.pk, "topics": ["case"], "frequency": "daily"})
    client.post(
        "/me/follows/new/", {"area": school.pk, "topics": ["answer"], "frequency": "weekly"}
    )
    follow = Follow.objects.get(user=user)
    assert (follow.topics, follow.frequency) == (["answer"], "weekly")


def test_a_resident_follows_the_whole_municipality():
    user = UserFactory()
    client = client_for(user)
    response = client.post(
        "/me/follows/new/",
        {
            "municipality": "1804",
            "topics": ["hearing", "meeting", "case", "answer"],
            "frequency": "immediate",
        },
    )
    assert response.status_code == 302
    follow = Follow.objects.get(user=user)
    assert follow.area is None and follow.municipality == bodo()


def test_several_areas_are_followed_and_changed_and_stopped_on_my_follows():
    user = UserFactory()
    client = client_for(user)
    first, second = area("1804-SK01"), area("1804-SK02")
    for place in (first, second):
        client.post(
            "/me/follows/new/", {"area": place.pk, "topics": ["case"], "frequency": "immediate"}
        )
    assert Follow.objects.filter(user=user).count() == 2
    follow = Follow.objects.get(user=user, area=first)
    response = client.post(
        f"/me/follows/{follow.pk}/",
        {f"f{follow.pk}-topics": ["hearing", "meeting"], f"f{follow.pk}-frequency": "weekly"},
    )
    assert response.status_code == 302
    follow.refresh_from_db()
    assert (follow.topics, follow.frequency) == (["hearing", "meeting"], "weekly")
    response = client.post(f"/me/follows/{follow.pk}/delete/")
    assert response.status_code == 302
    assert list(Follow.objects.filter(user=user).values_list("area", flat=True)) == [second.pk]


def test_another_accounts_follow_can_be_neither_changed_nor_stopped():
    owner, other = UserFactory(), UserFactory()
    follow = Follow.objects.create(user=owner, municipality=bodo(), topics=["case"])
    client = client_for(other)
    assert client.post(f"/me/follows/{follow.pk}/delete/").status_code == 404
    response = client.post(
        f"/me/follows/{follow.pk}/",
        {f"f{follow.pk}-topics": ["answer"], f"f{follow.pk}-frequency": "daily"},
    )
    assert response.status_code == 404
    follow.refresh_from_db()
    assert follow.topics == ["case"]


def test_the_follow_pages_need_a_log_in():
    assert Client().get("/me/follows/").status_code == 302
    assert Client().post("/me/follows/new/", {"municipality": "1804"}).status_code == 302
    assert not Follow.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Velg minst én ting å følge."),
        ("nn", "Vel minst éin ting å følgje."),
    ],
)
def test_no_topic_is_refused_in_the_users_language(language, message):
    user = UserFactory(language=language)
    school = area("1804-SK01")
    response = client_for(user, language).post(
        "/me/follows/new/", {"area": school.pk, "frequency": "immediate"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Follow.objects.exists()


def test_a_topic_not_in_the_list_is_refused():
    user = UserFactory()
    response = client_for(user).post(
        "/me/follows/new/",
        {"area": area("1804-SK01").pk, "topics": ["case", "gossip"], "frequency": "immediate"},
    )
    assert response.status_code == 400
    assert "gossip er ikke et av de tilgjengelige valgene" in response.content.decode()
    assert not Follow.objects.exists()


def test_a_frequency_not_in_the_list_is_refused():
    user = UserFactory()
    response = client_for(user).post(
        "/me/follows/new/",
        {"area": area("1804-SK01").pk, "topics": ["case"], "frequency": "hourly"},
    )
    assert response.status_code == 400
    assert not Follow.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Dette området er ikke i kommunen du valgte."),
        ("nn", "Dette området er ikkje i kommunen du valde."),
    ],
)
def test_an_area_of_another_municipality_is_refused(language, message):
    user = UserFactory(language=language)
    elsewhere = AreaFactory(municipality=MunicipalityFactory())
    response = client_for(user, language).post(
        "/me/follows/new/",
        {"area": elsewhere.pk, "municipality": "1804", "topics": ["case"], "frequency": "daily"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Follow.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Det finnes ikke noe slikt område å følge"),
        ("nn", "Det finst ikkje noko slikt område å følgje"),
    ],
)
def test_an_unknown_or_retired_or_municipality_less_area_is_refused(language, message):
    user = UserFactory(language=language)
    retired = AreaFactory(
        municipality=bodo(),
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2024, 1, 1),
    )
    nowhere = AreaFactory(municipality=None)
    client = client_for(user, language)
    for area_id in (retired.pk, nowhere.pk, Area.objects.order_by("-pk")[0].pk + 1000, "x"):
        response = client.post(
            "/me/follows/new/", {"area": area_id, "topics": ["case"], "frequency": "daily"}
        )
        assert response.status_code == 400, area_id
        assert message in response.content.decode()
    assert client.get(f"/me/follows/new/?area={retired.pk}").status_code == 404
    assert not Follow.objects.exists()


def test_an_unknown_municipality_is_refused():
    user = UserFactory()
    client = client_for(user)
    response = client.post(
        "/me/follows/new/", {"municipality": "0000", "topics": ["case"], "frequency": "daily"}
    )
    assert response.status_code == 400
    assert "Det finnes ingen slik kommune." in response.content.decode()
    assert client.get("/me/follows/new/").status_code == 404
    assert not Follow.objects.exists()


def test_a_bad_change_on_my_follows_is_refused_and_changes_nothing():
    user = UserFactory(language="nn")
    follow = Follow.objects.create(user=user, municipality=bodo(), topics=["case"])
    response = client_for(user, "nn").post(
        f"/me/follows/{follow.pk}/", {f"f{follow.pk}-frequency": "daily"}
    )
    assert response.status_code == 400
    assert "Vel minst éin ting å følgje." in response.content.decode()
    follow.refresh_from_db()
    assert (follow.topics, follow.frequency) == (["case"], "immediate")
