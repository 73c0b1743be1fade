"""Property: GeoJSON in → stored (UTM 33N) → GeoJSON out is the same geometry to 7 decimals,
longitude first (RFC 7946), for priorities (points) and council submissions (polygons)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.test_bad_geometry import _secretary
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db
# East of Bodø sentrum: a box wholly inside the municipality, on land, off the boundary.
WEST, EAST, SOUTH, NORTH = 14.50, 14.58, 67.30, 67.33
SEVEN_DECIMALS = 0.5e-7 + 1e-12

longitudes = st.floats(WEST, EAST, allow_nan=False, allow_infinity=False)
latitudes = st.floats(SOUTH, NORTH, allow_nan=False, allow_infinity=False)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NABOLAGET_RATES = {scope: "100000/hour" for scope in settings.NABOLAGET_RATES}


def same_to_seven_decimals(given_positions, returned_positions) -> bool:
    return len(given_positions) == len(returned_positions) and all(
        abs(a - b) <= SEVEN_DECIMALS
        for p, q in zip(given_positions, returned_positions, strict=True)
        for a, b in zip(p, q, strict=True)
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lon=longitudes, lat=latitudes)
def test_a_priority_point_comes_back_as_it_went_in(client, lon, lat):
    client.force_login(UserFactory())
    lon, lat = round(lon, 7), round(lat, 7)
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "category": "trafikksikkerhet",
            "title": "Farlig kryss",
            "text": "Bilene kjører for fort forbi skolen.",
        },
    }

    created = client.post("/api/v1/priorities/", body, content_type="application/json")

    assert created.status_code == 201, created.content
    for response in (created, client.get(f"/api/v1/priorities/{created.json()['id']}/")):
        geometry = response.json()["geometry"]
        assert geometry["type"] == "Point"
        assert same_to_seven_decimals([[lon, lat]], [geometry["coordinates"]])


@st.composite
def simple_polygons(draw):
    """A star-shaped ring around a centre: never self-intersecting, 3–12 corners."""
    lon, lat = draw(st.floats(14.51, 14.57)), draw(st.floats(67.305, 67.325))
    corners = draw(st.integers(3, 12))
    radii = draw(st.lists(st.floats(0.001, 0.004), min_size=corners, max_size=corners))
    ring = [
        [
            round(lon + 2 * r * math.cos(2 * math.pi * i / corners), 7),
            round(lat + r * math.sin(2 * math.pi * i / corners), 7),
        ]
        for i, r in enumerate(radii)
    ]
    return [*ring, ring[0]]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ring=simple_polygons())
def test_a_submission_polygon_comes_back_as_it_went_in(client, ring):
    context = _secretary(client)
    body = {
        "council": context["council"],
        "kind": "input",
        "title": "Innspill om området",
        "text": "Rådet ber om at området prioriteres.",
        "meeting_date": "2026-01-10",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }

    created = client.post("/api/v1/submissions/", json.dumps(body), content_type="application/json")

    assert created.status_code == 201, created.content
    for response in (created, client.get(f"/api/v1/submissions/{created.json()['id']}/")):
        geometry = response.json()["geometry"]
        assert geometry["type"] == "Polygon"
        (returned,) = geometry["coordinates"]
        assert same_to_seven_decimals(ring, returned)
