"""Meetings made the way planners make them (through the services)."""

from __future__ import annotations

import datetime
import io

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Role
from areas.models import Municipality
from meetings import services
from tests.priorities.factories import BODO_CENTRE, staff


def tomorrow_evening(days: int = 1, hour: int = 18) -> datetime.datetime:
    """A time ``days`` from now at ``hour`` o'clock, Norwegian time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_meeting(planner=None, **fields):
    planner = planner or staff(Role.PLANNER)
    starts = fields.pop("starts_at", tomorrow_evening())
    return services.meeting_register(
        actor=planner,
        municipality=fields.pop("municipality", None) or Municipality.objects.get(code="1804"),
        type=fields.pop("type", "workshop"),
        title=fields.pop("title", "Bylab om Storgata"),
        description=fields.pop("description", "Hvordan vil dere ha Storgata?"),
        starts_at=starts,
        ends_at=fields.pop("ends_at", starts + datetime.timedelta(hours=2)),
        point=fields.pop("point", Point(*BODO_CENTRE, srid=4326)),
        place_name=fields.pop("place_name", "Stormen bibliotek"),
        **fields,
    )


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def photo_upload(name: str = "flipover.png", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if data is None else data, "image/png")
