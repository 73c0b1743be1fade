"""Meetings in the API (list, detail, filters; input listed publicly and created by planners
with idempotency keys) and the calendars with their iCalendar feeds (RFC 5545)."""

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Role
from areas.models import Area
from meetings import services
from meetings.models import MeetingInput
from tests.meetings.factories import make_meeting, tomorrow_evening
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


INPUT = {
    "title": "Trygg skolevei",
    "notes": "Gruppe 2 vil ha fotgjengerfelt ved skolen.",
    "geometry": {"type": "Point", "coordinates": [14.385, 67.283]},
    "participants": {"13-19": 12},
}


def test_the_api_lists_meetings_with_filters(client, planner):
    soon = make_meeting(planner, title="Bylab om Storgata")
    later = make_meeting(planner, title="Befaring i Rønvik", starts_at=tomorrow_evening(days=20))
    hidden = make_meeting(planner, title="Skjult møte")
    services.meeting_hide(moderator=staff(Role.MODERATOR), meeting=hidden, reason="Dobbelt.")
    area = Area.objects.get(type__slug="kommune", code="1804")

    listing = client.get("/api/v1/meetings/", {"municipality": "1804"}).json()
    assert [f["properties"]["title"] for f in listing["features"]] == [soon.title, later.title]
    feature = listing["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == pytest.approx([14.385, 67.283], abs=1e-5)
    assert feature["properties"]["follow_url"].endswith(f"/m/{soon.short_code}/")
    since = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    later_only = client.get("/api/v1/meetings/", {"from": since}).json()["features"]
    assert [f["id"] for f in later_only] == [later.pk]
    assert len(client.get("/api/v1/meetings/", {"area": area.pk}).json()["features"]) == 2
    assert client.get("/api/v1/meetings/", {"municipality": "9999"}).json()["features"] == []
    assert client.get(f"/api/v1/meetings/{soon.pk}/").json()["id"] == soon.pk
    assert client.get(f"/api/v1/meetings/{hidden.pk}/").status_code == 404


def test_the_api_names_bad_filters(client):
    response = client.get("/api/v1/meetings/", {"area": 999_999}, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "area" in response.json()["errors"]
    assert client.get("/api/v1/meetings/", {"from": "i går"}).status_code == 400


def test_planners_post_input_with_an_idempotency_key_and_anyone_reads_it(client, planner):
    meeting = make_meeting(planner)
    client.force_login(planner)

    created = client.post(
        f"/api/v1/meetings/{meeting.pk}/input/",
        INPUT,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="bylab-1",
    )
    again = client.post(
        f"/api/v1/meetings/{meeting.pk}/input/",
        INPUT,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="bylab-1",
    )

    assert created.status_code == 201, created.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == created.json()
    assert MeetingInput.objects.count() == 1
    assert meeting.participant_counts.get().count == 12
    client.logout()
    listing = client.get(f"/api/v1/meetings/{meeting.pk}/input/").json()
    (feature,) = listing["features"]
    assert feature["properties"]["reference"].startswith("MI-")
    assert feature["properties"]["history"] == []


@pytest.mark.parametrize("user", ["resident", "anonymous"])
def test_residents_may_not_post_input(client, planner, user):
    meeting = make_meeting(planner)
    if user == "resident":
        client.force_login(UserFactory())

    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/input/", INPUT, content_type="application/json"
    )

    assert response.status_code in (401, 403)
    assert not MeetingInput.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**INPUT, "notes": "kort"}, "notes"),
        ({**INPUT, "geometry": {"type": "Point", "coordinates": [10.75, 59.91]}}, "geometry"),
        ({**INPUT, "participants": {"13-19": -1}}, "participants"),
        ({**INPUT, "participants": {"alle": 3}}, "participants"),
    ],
)
def test_bad_input_in_the_api_is_a_400_naming_the_field(client, planner, body, field):
    meeting = make_meeting(planner)
    client.force_login(planner)

    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/input/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nb",
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not MeetingInput.objects.exists()


def test_meetings_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/meetings/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/meetings/{id}/input/"]


def _events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def test_the_municipalitys_calendar_and_feed_leave_out_cancelled_hidden_and_past_meetings(
    client, planner, settings
):
    settings.NABOLAGET_SITE_URL = "https://nabolaget.example.no"
    shown = make_meeting(planner, title="Folkemøte om Storgata", place_name="Bodø rådhus")
    cancelled = make_meeting(planner, title="Avlyst bylab")
    services.meeting_cancel(actor=planner, meeting=cancelled, reason="Lokalet er stengt.")
    hidden = make_meeting(planner, title="Skjult befaring")
    services.meeting_hide(moderator=staff(Role.MODERATOR), meeting=hidden, reason="Feil.")
    past = make_meeting(planner, title="Gammelt møte", starts_at=tomorrow_evening(days=-3))

    page = client.get("/kommune/1804/meetings/").content.decode()
    feed = client.get("/kommune/1804/meetings.ics")

    assert "Folkemøte om Storgata" in page
    assert all(title not in page for title in (cancelled.title, hidden.title, past.title))
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = _events(feed.content)
    assert str(event["UID"]) == f"meeting-{shown.pk}@nabolaget.example.no"
    start = event.decoded("DTSTART")
    assert start.utcoffset() == datetime.timedelta(0) or "TZID" in event["DTSTART"].params
    assert start == shown.starts_at and event.decoded("DTEND") == shown.ends_at
    assert str(event["SUMMARY"]) == "Folkemøte om Storgata"
    assert str(event["LOCATION"]) == "Bodø rådhus"
    assert str(event["URL"]) == f"https://nabolaget.example.no/meetings/{shown.pk}/"


def test_an_areas_calendar_has_the_meetings_in_the_area(client, planner):
    here = make_meeting(planner, title="Befaring i sentrum")
    area = here.areas.get(type__slug="skolekrets")
    elsewhere = make_meeting(
        planner, title="Befaring på Misvær", point=Point(15.0, 67.117, srid=4326)
    )
    assert not elsewhere.areas.filter(pk=area.pk).exists()

    feed = client.get(f"/areas/{area.pk}/meetings.ics")
    page = client.get(f"/areas/{area.pk}/meetings/").content.decode()

    assert [str(e["SUMMARY"]) for e in _events(feed.content)] == ["Befaring i sentrum"]
    assert "Befaring i sentrum" in page and "Befaring på Misvær" not in page
    assert client.get("/areas/999999/meetings.ics").status_code == 404
