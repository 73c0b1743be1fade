"""Panels made the planner's way (through the services) and synthetic register extracts:
people with a birth year, a gender, a household and a place inside the demo municipality's
school districts (points generated in PostGIS, ST_GeneratePoints, from a seed)."""

from __future__ import annotations

import csv
import io
import random

from django.db import connection

from accounts.models import Role
from areas.models import AreaType
from panels import services
from panels.models import Invitation, Panel, Volunteer
from tests.cases.factories import make_case
from tests.priorities.factories import staff

HEADER = [
    "id",
    "birth_year",
    "gender",
    "lat",
    "lon",
    "household",
    "postal_address",
    "postcode",
    "post_town",
]


def make_panel(planner=None, *, case=None, **fields) -> Panel:
    """A panel on a case in Bodø: 10 members from 60 invitations by default, balancing age
    group, gender and school district (skolekrets)."""
    planner = planner or staff(Role.PLANNER)
    case = case or make_case(planner)
    values = {
        "title": "Borgerpanel om sentrumsplanen",
        "description": "Hva skal sentrum brukes til om ti år?",
        "themes": ["Møteplasser", "Trafikk"],
        "target_size": 10,
        "invitations": 60,
        "strata": ["age_group", "gender", "area"],
        "area_type": AreaType.objects.get(slug="skolekrets"),
    } | fields
    return services.panel_create(user=planner, case=case, **values)


def demo_points(count: int, seed: int = 1) -> list[tuple[float, float]]:
    """``count`` points (lon, lat) spread over the demo's school districts."""
    with connection.cursor() as cursor:
        cursor.execute(
            # Inside both the district and the municipality (the demo's districts stick
            # out of its boundary by slivers), 5 m in from the edges so that rounding the
            # coordinates to six decimals keeps them inside.
            """SELECT ST_X(p.geom), ST_Y(p.geom) FROM (
                 SELECT (ST_Dump(ST_Transform(ST_GeneratePoints(
                            ST_Buffer(ST_Intersection(a.geom, k.geom), -5), %s, %s), 4326))).geom
                   FROM areas_area a JOIN areas_areatype t ON t.id = a.type_id
                   JOIN areas_municipality m ON m.id = a.municipality_id
                   JOIN areas_area k ON k.municipality_id = m.id AND k.valid_to IS NULL
                   JOIN areas_areatype kt ON kt.id = k.type_id AND kt.slug = 'kommune'
                  WHERE t.slug = 'skolekrets' AND m.code = '1804' AND a.valid_to IS NULL) p""",
            [max(1, count // 9 + 1), seed],
        )
        points = cursor.fetchall()
    random.Random(seed).shuffle(points)
    return points[:count]


def register_rows(count: int, seed: int = 1, *, year: int = 2026) -> list[dict]:
    """A synthetic extract: households of one to four people at one point each."""
    rng = random.Random(seed)
    points = demo_points(count, seed)
    rows = []
    household = 0
    while len(rows) < count:
        household += 1
        lon, lat = points[household % len(points)]
        for _member in range(min(rng.randint(1, 4), count - len(rows))):
            number = len(rows) + 1
            rows.append(
                {
                    "id": f"P{number:07d}",
                    "birth_year": year - rng.randint(16, 95),
                    "gender": rng.choice("MK"),
                    "lat": f"{lat:.6f}",
                    "lon": f"{lon:.6f}",
                    "household": f"H{household:06d}",
                    "postal_address": f"Storgata {household}",
                    "postcode": "8006",
                    "post_town": "BODØ",
                }
            )
    return rows


def register_csv(rows: list[dict], *, delimiter=";", encoding="utf-8", header=HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def volunteer_all(panel: Panel, count: int, *, seed: int = 1) -> list[Volunteer]:
    """``count`` of the invited volunteer through the service, with the register's values."""
    rng = random.Random(seed)
    invitations = list(
        Invitation.objects.filter(panel=panel, used_at=None).select_related("person")
    )
    rng.shuffle(invitations)
    made = []
    for number, invitation in enumerate(invitations[:count], start=1):
        person = invitation.person
        made.append(
            services.volunteer_register(
                code=invitation.code,
                name=f"Frivillig {number}",
                email=f"frivillig{number}@example.no",
                birth_year=person.birth_year,
                gender=person.gender,
                area=person.area,
            )
        )
    return made
