"""Atom feeds (RFC 4287) per area and per municipality, read by a real feed parser
(feedparser): ids, updated, titles, absolute links and the language; a feed of an unknown
area or one no longer in force is a 404."""

from __future__ import annotations

import datetime

import feedparser
import pytest
from django.test import Client, override_settings

from areas.models import Area
from tests.areas.factories import AreaFactory
from tests.follows.helpers import announce, area, bodo, school_and_hamlets

pytestmark = pytest.mark.django_db

SITE = "https://nabolaget.example"


def parsed(path: str, language: str = "nb"):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


@override_settings(NABOLAGET_SITE_URL=SITE)
def test_an_areas_feed_lists_what_is_announced_in_it_with_absolute_links():
    school, inside, outside = school_and_hamlets()
    here = announce("hearing:1", areas=[school], title="Høring om skolevei")
    in_hamlet = announce("meeting:1", areas=[inside], topic="meeting", title="Folkemøte")
    announce("meeting:2", areas=[outside], topic="meeting", title="Langt unna")
    everywhere = announce("case:1", areas=[], topic="case", title="Kommuneplan")
    feed = parsed(f"/areas/{school.pk}/feed.atom")
    assert feed.feed.id == f"{SITE}/areas/{school.pk}/feed.atom"
    assert feed.feed.language == "nb"
    assert school.name in feed.feed.title
    assert feed.feed.updated_parsed is not None
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": f"{SITE}/areas/{school.pk}/feed.atom",
        "alternate": f"{SITE}/areas/{school.pk}/",
    }
    titles = [entry.title for entry in feed.entries]
    assert sorted(titles) == sorted([here.title, in_hamlet.title, everywhere.title])
    for entry in feed.entries:
        assert entry.id.startswith("tag:nabolaget.example,2026:announcement:")
        assert entry.link == f"{SITE}/cases/1/"
        assert entry.updated_parsed is not None
    assert len({entry.id for entry in feed.entries}) == 3


@override_settings(NABOLAGET_SITE_URL=SITE)
def test_the_municipalitys_feed_lists_everything_in_it_in_the_readers_language():
    school, _inside, outside = school_and_hamlets()
    announce("hearing:1", areas=[school], title="Høring om skolevei")
    announce("meeting:2", areas=[outside], topic="meeting", title="Langt unna")
    feed = parsed("/kommune/1804/feed.atom", language="nn")
    assert feed.feed.language == "nn"
    assert feed.feed.title == "Nytt i Bodø"
    assert {entry.title for entry in feed.entries} == {"Høring om skolevei", "Langt unna"}


def test_an_empty_feed_is_still_valid():
    feed = parsed(f"/areas/{area('1804-SK02').pk}/feed.atom")
    assert feed.entries == []


def test_a_feed_of_an_unknown_or_retired_or_municipality_less_area_is_a_404():
    retired = AreaFactory(
        municipality=bodo(),
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2024, 1, 1),
    )
    nowhere = AreaFactory(municipality=None)
    unknown = Area.objects.order_by("-pk")[0].pk + 1000
    for pk in (retired.pk, nowhere.pk, unknown):
        assert Client().get(f"/areas/{pk}/feed.atom").status_code == 404
    assert Client().get("/kommune/0000/feed.atom").status_code == 404
