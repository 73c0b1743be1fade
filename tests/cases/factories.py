"""Cases made the way planners make them (through the services)."""

import datetime
import json

from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from accounts.models import Role
from areas.models import AreaType, Municipality
from cases import services
from tests.priorities.factories import staff

# A small plan boundary around Bodø centre (lon/lat), inside the municipality.
CENTRE_POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [[14.37, 67.275], [14.40, 67.275], [14.40, 67.29], [14.37, 67.29], [14.37, 67.275]]
    ],
}


def make_case(
    planner=None, *, number="2026/4321", geometry=CENTRE_POLYGON, types=("skolekrets",), **fields
):
    planner = planner or staff(Role.PLANNER)
    return services.case_create(
        actor=planner,
        municipality=Municipality.objects.get(code="1804"),
        number=number,
        title=fields.pop("title", "Ny gang- og sykkelvei i sentrum"),
        body=fields.pop("body", "kommunestyre"),
        meeting_date=fields.pop("meeting_date", timezone.localdate() + datetime.timedelta(days=20)),
        geometry=GEOSGeometry(json.dumps(geometry), srid=4326) if geometry else None,
        area_types=list(AreaType.objects.filter(slug__in=types)),
        **fields,
    )
