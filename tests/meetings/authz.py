"""The meetings' part of the authorization matrix (tests/security/test_authz_matrix.py): a
meeting with input and a photo in each municipality, and a request per URL."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.contrib.gis.geos import Point
from django.urls import reverse

from meetings import services
from tests.meetings.factories import make_meeting, photo_upload, tomorrow_evening

FAR_POINT = (302_500, 6_702_500)  # in the matrix's neighbour municipality (EPSG:25833)


def build(world) -> SimpleNamespace:
    """A meeting (with one piece of input and its photo) here and in the neighbour
    municipality, registered by their own planners."""
    found = {}
    for key, planner, municipality, point in [
        ("here", world.others["planner"], world.municipality["here"], Point(14.385, 67.283)),
        (
            "far",
            world.others["far_planner"],
            world.municipality["far"],
            Point(*FAR_POINT, srid=25833).transform(4326, clone=True),
        ),
    ]:
        point.srid = 4326
        meeting = make_meeting(planner, municipality=municipality, point=point)
        made = services.meeting_input_record(
            actor=planner,
            meeting=meeting,
            title="Trygg skolevei",
            notes="Gruppe 2 vil ha fotgjengerfelt ved skolen.",
            photos=[(photo_upload(), "Flippover med ønsker for skoleveien")],
        )
        found[key] = SimpleNamespace(meeting=meeting, input=made, photo=made.photos.get())
    return SimpleNamespace(**found)


def request(world, name: str, relation: str) -> tuple[str, dict]:
    """(path, body) for a row of the matrix about meetings."""
    objects = world.meetings.far if relation == "other_municipality" else world.meetings.here
    meeting, made = objects.meeting, objects.input
    municipality = meeting.municipality
    area = meeting.areas.get(type__slug="kommune")
    starts = tomorrow_evening()
    form = {
        "municipality": world.municipality["here"].pk,
        "type": "workshop",
        "title": "Bylab om Storgata",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place_name": "Stormen",
        "lat": "67.283",
        "lon": "14.385",
    }
    routes = {
        "meetings:new": (reverse("meetings:new"), form),
        "meetings:detail": (reverse("meetings:detail", args=[meeting.pk]), {}),
        "meetings:cancel": (
            reverse("meetings:cancel", args=[meeting.pk]),
            {"reason": "Lokalet er stengt."},
        ),
        "meetings:input_new": (
            reverse("meetings:input_new", args=[meeting.pk]),
            {"title": "Benker", "notes": "Flere benker langs elva, takk."},
        ),
        "meetings:input_answer": (
            reverse("meetings:input_answer", args=[made.pk]),
            {"status": "under_consideration", "public_text": "Vi ser på det nå."},
        ),
        "meetings:photo": (reverse("meetings:photo", args=[objects.photo.pk]), {}),
        "meetings:follow": (
            reverse("meetings:follow", args=[meeting.short_code]),
            {"email": "deltaker@example.no"},
        ),
        "meetings:calendar": (reverse("meetings:calendar", args=[municipality.code]), {}),
        "meetings:calendar_ics": (reverse("meetings:calendar_ics", args=[municipality.code]), {}),
        "meetings:area_calendar": (reverse("meetings:area_calendar", args=[area.pk]), {}),
        "meetings:area_calendar_ics": (reverse("meetings:area_calendar_ics", args=[area.pk]), {}),
        "api:meeting-list": (reverse("api:meeting-list"), {}),
        "api:meeting-detail": (reverse("api:meeting-detail", args=[meeting.pk]), {}),
        "api:meeting-input": (
            reverse("api:meeting-input", args=[meeting.pk]),
            {"title": "Benker", "notes": "Flere benker langs elva, takk."},
        ),
    }
    return routes[name]
