"""Point-in-area lookups: inside, on shared borders, on islands, at sea, across generations."""

import datetime

import pytest
from django.contrib.gis.geos import Point

from areas.models import STORAGE_SRID, Area
from areas.querysets import covering_rows
from tests.areas.factories import AreaFactory, AreaTypeFactory, square

pytestmark = pytest.mark.django_db

BODO_CENTRE = Point(14.385, 67.283, srid=4326)


def codes(queryset) -> list[str]:
    return sorted(queryset.values_list("code", flat=True))


def test_a_point_in_bodo_gets_one_area_of_each_type():
    found = Area.objects.covering(BODO_CENTRE).select_related("type")

    assert {a.type.slug: a.code for a in found} == {
        "kommune": "1804",
        "skolekrets": "1804-SK01",
        "grend": "1804-G01",
    }


def test_an_island_belongs_to_its_municipality():
    """Helligvær lies some 25 km out at sea, in Bodø."""
    helligvaer = Point(13.8935, 67.4037, srid=4326)

    found = {a.type.slug: a.name for a in Area.objects.covering(helligvaer).select_related("type")}

    assert found["kommune"] == "Bodø"
    assert found["grend"] == "Helligvær (demo)"


def test_a_point_at_sea_is_in_no_area():
    vestfjorden = Point(14.0, 67.9, srid=4326)

    assert not Area.objects.covering(vestfjorden).exists()


def test_lookup_chains_with_other_filters():
    assert codes(Area.objects.of_type("skolekrets").covering(BODO_CENTRE)) == ["1804-SK01"]
    assert codes(Area.objects.covering(BODO_CENTRE).of_type("grend")) == ["1804-G01"]


def test_lookup_accepts_the_storage_srid_too():
    point = BODO_CENTRE.transform(STORAGE_SRID, clone=True)

    assert "1804" in codes(Area.objects.covering(point))


@pytest.fixture
def neighbours():
    """Two squares of one type sharing the edge x = 501000, and a third type over both."""
    kind = AreaTypeFactory(slug="border-test")
    west = AreaFactory(type=kind, code="B", geom=square(500_000, 7_400_000))
    east = AreaFactory(type=kind, code="A", geom=square(501_000, 7_400_000))
    return west, east


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (500_500, 7_400_500, "B"),  # inside the west square
        (501_500, 7_400_500, "A"),  # inside the east square
        (501_000, 7_400_500, "A"),  # on the shared edge: the lowest code wins
        (501_000, 7_401_000, "A"),  # on the shared corner
        (500_000, 7_400_000, "B"),  # on the outer corner of the west square only
    ],
)
def test_border_rule_gives_exactly_one_area_per_type(neighbours, x, y, expected):
    point = Point(x, y, srid=STORAGE_SRID)

    assert codes(Area.objects.of_type("border-test").covering(point)) == [expected]


def test_just_outside_is_outside(neighbours):
    point = Point(499_999.9, 7_400_500, srid=STORAGE_SRID)

    assert not Area.objects.of_type("border-test").covering(point).exists()


def test_generations_out_of_force_are_not_found(neighbours):
    west, _ = neighbours
    Area.objects.filter(pk=west.pk).update(
        valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2024, 1, 1)
    )
    point = Point(500_500, 7_400_500, srid=STORAGE_SRID)

    assert not Area.objects.of_type("border-test").covering(point).exists()
    old = Area.objects.of_type("border-test").covering(point, on=datetime.date(2022, 5, 17))
    assert codes(old) == ["B"]


@pytest.mark.parametrize(
    "point",
    [
        BODO_CENTRE,
        Point(13.8935, 67.4037, srid=4326),  # Helligvær, at sea in Bodø
        Point(14.0, 67.9, srid=4326),  # Vestfjorden: no area
        Point(500_500, 7_400_500, srid=STORAGE_SRID),
        Point(501_000, 7_400_500, srid=STORAGE_SRID),  # on the shared edge
        Point(501_000, 7_401_000, srid=STORAGE_SRID),  # on the shared corner
    ],
)
def test_the_prepared_lookup_finds_what_the_queryset_finds(neighbours, point):
    """covering_rows (the API's prepared statement) gives the areas, in the order, that
    Area.objects.in_force().covering() gives, with the border rule, on both SRIDs."""
    expected = list(
        Area.objects.in_force()
        .covering(point)
        .select_related("type", "municipality")
        .order_by("type__slug", "name", "code")
    )

    rows = covering_rows(point)

    assert [row.id for row in rows] == [a.pk for a in expected]
    assert [(row.code, row.type_slug, row.municipality_code, row.parent_id) for row in rows] == [
        (a.code, a.type.slug, a.municipality.code if a.municipality else None, a.parent_id)
        for a in expected
    ]


def test_the_prepared_lookup_follows_the_generations(neighbours):
    west, _ = neighbours
    Area.objects.filter(pk=west.pk).update(
        valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2024, 1, 1)
    )
    point = Point(500_500, 7_400_500, srid=STORAGE_SRID)

    assert "B" not in [row.code for row in covering_rows(point)]
    old = covering_rows(point, on=datetime.date(2022, 5, 17))
    assert [row.code for row in old if row.type_slug == "border-test"] == ["B"]
    assert old[[r.code for r in old].index("B")].valid_to == datetime.date(2024, 1, 1)
