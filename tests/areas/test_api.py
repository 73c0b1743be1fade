"""The areas API: GeoJSON out, the point lookup, and a 400 for every bad parameter."""

import pytest

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
