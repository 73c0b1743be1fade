"""The containment rule for drawn and uploaded places (areas.validation): within the
municipality or at most 1 km beyond its boundary (10 km for a case's map layers), checked
in the storage SRID; what crosses further is refused with a message, never clipped, and
nothing is written."""

from __future__ import annotations

import json

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Role
from areas.models import STORAGE_SRID, Municipality
from areas.validation import BORDER_TOLERANCE_METRES, LAYER_TOLERANCE_METRES, place_check
from cases import services as case_services
from tests.cases.factories import make_case
from tests.priorities.factories import staff
from tests.tables import changed_tables, row_counts

pytestmark = pytest.mark.django_db

# A vertex of Bodø's boundary (fixtures/demo/bodo-1804.geojson): a disc centred on it lies
# no farther outside than its radius, and for a radius of kilometres some of it that far.
ON_THE_BOUNDARY = (15.050309233329953, 67.32186707247168)


def disc(metres: float) -> GEOSGeometry:
    centre = Point(*ON_THE_BOUNDARY, srid=4326).transform(STORAGE_SRID, clone=True)
    return centre.buffer(metres, quadsegs=16)


def bodo() -> Municipality:
    return Municipality.objects.get(code="1804")


def test_a_place_reaching_a_little_over_the_boundary_is_taken():
    """800 m over the boundary is within the 1 km tolerance (generalised coastlines, quays)."""
    stored = place_check(disc(800), bodo(), max_vertices=1000)

    assert stored.srid == STORAGE_SRID


def test_a_place_reaching_kilometres_over_the_boundary_is_refused_in_the_language():
    with translation.override("nb"), pytest.raises(ValidationError) as refused:
        place_check(disc(3000), bodo(), max_vertices=1000)

    assert refused.value.message_dict["geometry"] == [
        "Stedet går utenfor Bodø: det må ligge i kommunen, eller høyst 1000 meter utenfor grensen."
    ]


def test_the_tolerance_is_what_the_rule_says():
    """The constants the README documents."""
    assert (BORDER_TOLERANCE_METRES, LAYER_TOLERANCE_METRES) == (1000, 10_000)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]],
            },
            "The geometry is not valid on the map of Norway (UTM): Too few points",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[14.37, 67.27], [14.40, 67.27], [14.40, 89.9], [14.37, 89.9], [14.37, 67.27]]
                ],
            },
            "The place reaches outside Bodø",
        ),
        (
            {"type": "LineString", "coordinates": [[14.385, 67.283], [14.14, 66.31]]},
            "The place reaches outside Bodø",
        ),
    ],
    ids=["world", "latitude-89.9", "into-rana"],
)
def test_absurd_places_are_refused_after_the_transformation(geometry, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        place_check(GEOSGeometry(json.dumps(geometry), srid=4326), bodo(), max_vertices=1000)

    assert refused.value.message_dict["geometry"][0].startswith(message)


def test_a_case_layer_may_reach_further_than_the_case_itself(client):
    """A layer is context: 5 km over the boundary is taken there, refused as the case's own
    geometry; and the refused case writes nothing (no case, areas or history)."""
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    wide = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"navn": "Trasé"},
                    "geometry": json.loads(disc(5000).transform(4326, clone=True).json),
                }
            ],
        }
    ).encode()

    layer = case_services.case_layer_upload(
        actor=planner,
        case=case,
        name="Alternativ 2",
        upload=SimpleUploadedFile("trase.geojson", wide, "application/geo+json"),
    )
    before = row_counts()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        make_case(
            planner,
            number="2026/7171",
            geometry=json.loads(disc(5000).transform(4326, clone=True).json),
        )

    assert layer.features.count() == 1
    assert refused.value.message_dict["geometry"][0].startswith("The place reaches outside Bodø")
    assert not changed_tables(before, row_counts())


def test_a_layer_reaching_beyond_its_own_tolerance_is_refused():
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    far = json.dumps(json.loads(disc(20_000).transform(4326, clone=True).json)).encode()
    before = row_counts()

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        case_services.case_layer_upload(
            actor=planner,
            case=case,
            name="Regionalt",
            upload=SimpleUploadedFile("region.geojson", far, "application/geo+json"),
        )

    assert refused.value.message_dict["file"][0].startswith(
        "The place reaches outside Bodø: it must lie within the municipality, or at most "
        "10000 metres beyond its boundary."
    )
    assert not changed_tables(before, row_counts())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nn", "Dette er ikkje gyldig GeoJSON: JSON-en er øydelagd i linje 1, kolonne 2."),
        ("nb", "Dette er ikke gyldig GeoJSON: JSON-en er ødelagt i linje 1, kolonne 2."),
        ("en", "This is not valid GeoJSON: the JSON is broken at line 1, column 2."),
    ],
)
def test_broken_geojson_is_explained_in_the_readers_language_not_the_parsers(
    client, language, expected
):
    """Python's own message ("Expecting property name enclosed in double quotes: line 1
    column 2 (char 1)") is never shown: where the JSON broke is, in the reader's language."""
    client.force_login(staff(Role.PLANNER))

    response = client.post(
        "/cases/new/",
        {"number": "2026/778", "title": "Plan", "body": "kommunestyre", "geometry": "{"},
        headers={"accept-language": language},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert expected in page
    assert "Expecting" not in page and "(char " not in page
