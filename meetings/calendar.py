"""Meetings as an iCalendar feed (RFC 5545), made with the ``icalendar`` library.

Each meeting is a VEVENT whose UID stays the same for as long as the meeting exists
(``meeting-<id>@<site host>``), so a calendar that subscribes to the feed updates the
event rather than adding it twice; times are written in UTC (``...Z``), which every
calendar reads without a VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.gis.geos import Point
from icalendar import Calendar, Event

from accounts.notifications import site_url


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def meetings_ical(meetings, *, name: str) -> bytes:
    """The meetings as an iCalendar file named ``name`` (the calendar's display name)."""
    host = urlsplit(settings.NABOLAGET_SITE_URL).hostname or "nabolaget"
    calendar = Calendar()
    calendar.add("prodid", "-//Nabolaget//Meetings//NB")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", _utc(meeting.created_at))
        event.add("dtstart", _utc(meeting.starts_at))
        event.add("dtend", _utc(meeting.ends_at))
        event.add("summary", meeting.title)
        event.add("location", meeting.place_name)
        event.add("url", site_url(meeting.get_absolute_url()))
        event.add("categories", [str(meeting.get_type_display())])
        description = meeting.description
        if meeting.organisers:
            description = f"{description}\n\n{meeting.organisers}".strip()
        if description:
            event.add("description", description)
        place: Point = meeting.place.transform(4326, clone=True)
        event.add("geo", (round(place.y, 6), round(place.x, 6)))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
