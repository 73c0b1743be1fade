"""The areas API: GeoJSON out, the point lookup, and a 400 for every bad parameter."""

from datetime import date

import pytest
from django.contrib.gis.geos import Point
from django.http import QueryDict

from areas.api import views
from areas.models import STORAGE_SRID
from tests.areas.factories import AreaFactory, AreaTypeFactory, square

pytestmark = pytest.mark.django_db


def test_area_types_are_listed(client):
    response = client.get("/api/v1/area-types/")

    assert response.status_code == 200
    assert {"kommune", "skolekrets", "grend"} <= {t["slug"] for t in response.json()}


def test_areas_of_a_type_in_a_municipality_are_a_feature_collection(client):
    response = client.get("/api/v1/areas/", {"type": "skolekrets", "municipality": "1804"})

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["count"] == 9
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert {"name", "code", "type", "municipality"} <= feature["properties"].keys()
    assert feature["properties"]["type"] == "skolekrets"
    assert feature["properties"]["municipality"] == "1804"
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 13 < lon < 16 and 66 < lat < 68, "WGS 84, longitude first"


def test_simplified_geometry_has_fewer_vertices(client):
    def vertices(params):
        body = client.get("/api/v1/areas/", {"type": "kommune", **params}).json()
        return sum(
            len(ring) for poly in body["features"][0]["geometry"]["coordinates"] for ring in poly
        )

    assert vertices({"simplify": "500"}) < vertices({})


def test_contains_finds_the_areas_under_a_point(client):
    response = client.get("/api/v1/areas/", {"contains": "14.385,67.283", "geometry": "false"})

    assert response.status_code == 200
    found = {f["properties"]["type"]: f["properties"]["name"] for f in response.json()["features"]}
    assert found == {
        "kommune": "Bodø",
        "skolekrets": "Bodø sentrum skolekrets (demo)",
        "grend": "Sentrum og Rønvik (demo)",
    }
    assert all(f["geometry"] is None for f in response.json()["features"])


def test_area_detail(client):
    listing = client.get("/api/v1/areas/", {"type": "kommune", "geometry": "false"}).json()
    area_id = listing["features"][0]["id"]

    response = client.get(f"/api/v1/areas/{area_id}/")

    assert response.status_code == 200
    assert response.json()["properties"]["code"] == "1804"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"contains": "14.4"}, "contains", "separated by a comma"),
        ({"contains": "abc,def"}, "contains", "must be numbers"),
        ({"contains": "200,67"}, "contains", "Longitude must be between -180 and 180"),
        ({"contains": "14,95"}, "contains", "Latitude must be between -90 and 90"),
        ({"contains": "nan,67"}, "contains", "must be numbers"),
        ({"type": "nope"}, "type", "Unknown area type 'nope'"),
        ({"municipality": "18"}, "municipality", "four digits"),
        ({"municipality": "abcd"}, "municipality", "four digits"),
        ({"page": "x"}, "page", "whole number"),
        ({"page": "0"}, "page", "whole number"),
        ({"page_size": "100000"}, "page_size", "between 1 and 500"),
        ({"simplify": "far"}, "simplify", "tolerance in metres"),
        ({"simplify": "-5"}, "simplify", "between 0 and"),
        ({"geometry": "maybe"}, "geometry", "true or false"),
    ],
)
def test_bad_parameters_get_a_400_with_a_message(client, params, field, message):
    response = client.get("/api/v1/areas/", params, headers={"accept-language": "en"})

    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]


def test_messages_follow_the_request_language(client):
    response = client.get(
        "/api/v1/areas/", {"contains": "abc,def"}, headers={"accept-language": "nn"}
    )

    assert response.status_code == 400
    assert "tal" in response.json()["errors"]["contains"][0]


def test_unknown_area_is_a_404(client):
    assert client.get("/api/v1/areas/999999999/").status_code == 404


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/v1/schema/", headers={"accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200
    assert "/api/v1/areas/" in schema.json()["paths"]
    parameters = {p["name"] for p in schema.json()["paths"]["/api/v1/areas/"]["get"]["parameters"]}
    assert {"type", "municipality", "contains", "simplify", "page"} <= parameters
    assert client.get("/api/v1/docs/").status_code == 200


# --- the point lookup's fast path ------------------------------------------------------

HEADERS_COMPARED = ["Content-Type", "Content-Language", "Vary", "Allow"]


@pytest.fixture
def generations():
    """An area type with three generations of one area (past, in force, future), dated, with
    names in three languages; a sub-area without a municipality; the centre's lon/lat."""
    kind = AreaTypeFactory(
        slug="generasjon", name_nb="Generasjon", name_nn="Generasjonen", name_en="Generation"
    )
    dates = [date(2020, 1, 1), date(2024, 1, 1), date(2099, 1, 1), None]
    current = None
    for valid_from, valid_to in zip(dates, dates[1:], strict=False):
        area = AreaFactory(type=kind, code="G1", valid_from=valid_from, valid_to=valid_to)
        current = area if valid_from == date(2024, 1, 1) else current
    AreaFactory(
        type=AreaTypeFactory(slug="bare-bokmaal", name_nb="Bare bokmål"),
        municipality=None,
        parent=current,
        source="Test «kilde» — æøå",
        geom=square(500_000, 7_400_000, 2000),
    )
    centre = Point(500_500, 7_400_500, srid=STORAGE_SRID).transform(4326, clone=True)
    return f"{centre.x:.6f},{centre.y:.6f}"


def both_paths(client, monkeypatch, params, language):
    """The same request answered by the fast path and by the general list (FilterSet,
    queryset, serializer); and whether the fast path's query ran."""
    calls = []
    lookup = views.covering_rows

    def spy(point):
        calls.append(point)
        return lookup(point)

    headers = {"accept-language": language}
    with monkeypatch.context() as patch:
        patch.setattr(views, "covering_rows", spy)
        fast = client.get("/api/v1/areas/", params, headers=headers)
    with monkeypatch.context() as patch:
        patch.setattr(views, "POINT_LOOKUP_PARAMETERS", set())
        general = client.get("/api/v1/areas/", params, headers=headers)
    return fast, general, bool(calls)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize(
    "params",
    [
        {"contains": "14.385,67.283", "geometry": "false"},
        {"contains": "13.8935,67.4037", "geometry": "0"},  # Helligvær
        {"contains": "14.0,67.9", "geometry": "false"},  # at sea: no area
        {"contains": "GENERATIONS", "geometry": "false"},
        {"contains": " GENERATIONS ", "geometry": "FALSE"},  # cleaned as the filter does
        {"contains": "14.385,67.283", "geometry": "false", "page": "1", "page_size": "2"},
        {"contains": "14.385,67.283", "geometry": "false", "page": "3"},
        {"contains": "14.385,67.283", "geometry": "false", "page": "last"},
        {"contains": "14.385,67.283", "geometry": "false", "page_size": "500"},
    ],
)
def test_the_fast_lookup_answers_byte_for_byte_as_the_list(
    client, monkeypatch, generations, params, language
):
    """The point lookup's fast path gives the body and headers the general list gives for the
    same request: features, their order, no pages or links, names in the request's language,
    dates, nulls and text as the serializer writes them."""
    params = {k: v.replace("GENERATIONS", generations) for k, v in params.items()}

    fast, general, used = both_paths(client, monkeypatch, params, language)

    assert used, "the fast path answered"
    assert fast.status_code == general.status_code == 200
    assert fast.content == general.content
    assert [fast.headers.get(h) for h in HEADERS_COMPARED] == [
        general.headers.get(h) for h in HEADERS_COMPARED
    ]
    assert "next" not in fast.json() and "count" not in fast.json()


def test_the_fast_lookup_shows_dates_names_and_parents(client, generations):
    """In force today: the 2024 generation (not the past or future one), in Nynorsk."""
    body = client.get(
        "/api/v1/areas/",
        {"contains": generations, "geometry": "false"},
        headers={"accept-language": "nn"},
    ).json()

    found = {f["properties"]["type"]: f["properties"] for f in body["features"]}
    ids = {f["properties"]["type"]: f["id"] for f in body["features"]}
    assert found["generasjon"]["valid_from"] == "2024-01-01"
    assert found["generasjon"]["valid_to"] == "2099-01-01"
    assert found["generasjon"]["type_name"] == "Generasjonen"
    assert found["bare-bokmaal"]["type_name"] == "Bare bokmål"
    assert found["bare-bokmaal"]["municipality"] is None
    assert found["bare-bokmaal"]["parent"] == ids["generasjon"]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize(
    "query",
    [
        "contains=14.4&geometry=false",
        "contains=abc,def&geometry=false",
        "contains=200,67&geometry=false",
        "contains=14,95&geometry=false",
        "contains=nan,67&geometry=false",
        "contains=inf,67&geometry=false",
        "contains=1_4,67&geometry=false",
        "contains=14.4,67,1&geometry=false",
        "contains=%00&geometry=false",
        "contains=14.4%0067.2&geometry=false",
        "contains=14.385,67.283&contains=14,67&geometry=false",
        "contains=14.385,67.283&geometry=false&geometry=false",
        "contains=14.385,67.283&geometry=maybe",
        "contains=14.385,67.283&geometry=false&page=x",
        "contains=14.385,67.283&geometry=false&page=0",
        "contains=14.385,67.283&geometry=false&page=-1",
        "contains=14.385,67.283&geometry=false&page_size=100000",
        "contains=14.385,67.283&geometry=false&page_size=0",
        "contains=14.385,67.283&geometry=false&page_size=x",
        "contains=abc&geometry=maybe&page=x",  # the first error wins, as on the list
        "contains=abc&geometry=false&page=x",
        "contains=14.385,67.283&geometry=false&page=x&page_size=0",
    ],
)
def test_bad_input_to_the_fast_lookup_gets_the_lists_400(client, monkeypatch, query, language):
    """Every check of the list is kept, in its order: the same problem details."""
    params = QueryDict(query)

    fast, general, _ = both_paths(client, monkeypatch, params, language)

    assert general.status_code == 400
    assert fast.status_code == 400
    assert fast.content == general.content
    assert fast.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        "contains=&geometry=false&page_size=2",  # empty: no filter, the paginated list
        "contains=%20&geometry=false&page_size=2",
        "contains=14.385,67.283",  # with geometry
        "contains=14.385,67.283&geometry=false&type=grend",
        "contains=14.385,67.283&geometry=false&simplify=10",
    ],
)
def test_other_lookups_take_the_general_path(client, monkeypatch, query):
    fast, general, used = both_paths(client, monkeypatch, QueryDict(query), "nb")

    assert not used
    assert fast.status_code == general.status_code == 200
    assert fast.content == general.content


@pytest.mark.parametrize("blank", ["", " ", "%20%09"])
def test_a_blank_point_is_no_lookup_and_the_list_keeps_its_pages(client, blank):
    """?contains= with nothing but spaces filters nothing (the filter strips it), so the
    answer is the paginated list, not every area (with its geometry) on one page."""
    response = client.get("/api/v1/areas/", QueryDict(f"contains={blank}&page_size=2"))

    assert response.status_code == 200
    body = response.json()
    assert len(body["features"]) == 2
    assert body["count"] > 2 and body["next"]
