"""The priorities API: GeoJSON in and out, supports, answers, and a clear 4xx for bad input."""

import json

import pytest
from django.test import override_settings

from accounts.models import Role
from areas.geo import lon_lat_point
from priorities import services
from priorities.models import Priority, PriorityStatusChange, Support
from tests.priorities.factories import BODO_CENTRE, UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def feature(lon=BODO_CENTRE[0], lat=BODO_CENTRE[1], **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "category": "trafikksikkerhet",
            "title": "Farlig kryss",
            "text": "Bilene kjører for fort forbi skolen.",
            **properties,
        },
    }


def post(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        "/api/v1/priorities/", data, content_type="application/json", headers={**EN, **headers}
    )


def counts():
    return (
        Priority.all_objects.count(),
        Support.objects.count(),
        PriorityStatusChange.objects.count(),
    )


def test_categories_in_the_request_language(client):
    nb = client.get("/api/v1/categories/").json()
    en = client.get("/api/v1/categories/", headers=EN).json()

    assert nb[0]["name"] == "Trafikksikkerhet"
    assert en[0]["name"] == "Traffic safety"


def test_create_with_a_geojson_feature(client):
    client.force_login(UserFactory())

    response = post(client, feature())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "Feature"
    assert body["geometry"]["type"] == "Point"
    assert body["geometry"]["coordinates"] == pytest.approx(list(BODO_CENTRE), abs=1e-7)
    assert body["properties"]["reference"].startswith("NB-")
    assert {a["type"] for a in body["properties"]["areas"]} == {"kommune", "skolekrets", "grend"}
    assert response.headers["Location"] == f"/priorities/{body['id']}/"


def test_public_responses_never_carry_the_author(client):
    author = UserFactory(first_name="Hemmelig", email="hemmelig@example.no")
    make_priority(author)

    for url in ("/api/v1/priorities/", f"/api/v1/priorities/{Priority.all_objects.get().pk}/"):
        text = client.get(url).content.decode()
        assert "Hemmelig" not in text and "hemmelig@example.no" not in text and "author" not in text


def test_list_filters(client):
    make_priority(title="I sentrum")
    make_priority(at=(15.0, 67.117), category="lek-og-friluft", title="I Misvær")

    def titles(**params):
        body = client.get("/api/v1/priorities/", params).json()
        return sorted(f["properties"]["title"] for f in body["features"])

    assert titles() == ["I Misvær", "I sentrum"]
    assert titles(category="lek-og-friluft") == ["I Misvær"]
    assert titles(area_type="skolekrets") == ["I Misvær", "I sentrum"]
    assert titles(bbox="14.3,67.25,14.5,67.3") == ["I sentrum"]
    assert titles(status="decided") == []
    assert titles(municipality="1804", since="2000-01-01") == ["I Misvær", "I sentrum"]


def test_detail_shows_the_public_history(client):
    priority = make_priority()
    from priorities import services

    services.input_set_status(
        records=[priority],
        status="decided",
        public_text="Vedtatt: fartsdumper.",
        actor=staff(Role.PLANNER),
    )

    body = client.get(f"/api/v1/priorities/{priority.pk}/", headers=EN).json()

    (step,) = body["properties"]["history"]
    assert step["status"] == "decided"
    assert step["public_text"] == "Vedtatt: fartsdumper."
    assert step["answered_by"] == "planner"
    assert "actor" not in step


BAD_FEATURES = {
    "not json": ("{not json", "The request body is not valid JSON"),
    "nan": (
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [NaN, 67]}, "properties": {}}',
        "JSON",
    ),
    "not a feature": ({"type": "FeatureCollection", "features": []}, "type"),
    "a line": (
        {**feature(), "geometry": {"type": "LineString", "coordinates": [[14, 67], [14.1, 67.1]]}},
        "must be a Point",
    ),
    "3-D point": (
        {**feature(), "geometry": {"type": "Point", "coordinates": [14.385, 67.283, 12]}},
        "two numbers, longitude and latitude",
    ),
    "one coordinate": (
        {**feature(), "geometry": {"type": "Point", "coordinates": [14.385]}},
        "two numbers, longitude and latitude",
    ),
    "text coordinates": (
        {**feature(), "geometry": {"type": "Point", "coordinates": ["14", "67"]}},
        "must be numbers",
    ),
    "longitude out of range": (feature(lon=190), "longitude (-180–180)"),
    "latitude out of range": (feature(lat=-91), "latitude (-90–90)"),
    "swapped": (feature(lon=67.283, lat=14.385), "look swapped"),
    "at sea": (feature(lon=14.0, lat=67.9), "outside the municipalities"),
    "empty title": (feature(title=""), "title"),
    "long title": (feature(title="x" * 121), "title"),
    "long text": (feature(text="x" * 2001), "text"),
    "unknown category": (feature(category="ufo"), "Unknown category"),
    "missing geometry": ({"type": "Feature", "properties": feature()["properties"]}, "geometry"),
}


@pytest.mark.parametrize("case", BAD_FEATURES, ids=list(BAD_FEATURES))
def test_bad_input_is_a_400_with_a_message_and_writes_nothing(client, case):
    body, message = BAD_FEATURES[case]
    client.force_login(UserFactory())
    before = counts()

    response = post(client, body)

    assert response.status_code == 400, response.content
    assert message in response.content.decode()
    assert counts() == before


def test_html_in_text_is_stored_as_text_and_escaped_on_the_page(client):
    client.force_login(UserFactory())
    script = "<script>alert('x')</script> Bilene kjører fort."

    response = post(client, feature(text=script))

    assert response.status_code == 201
    priority = Priority.all_objects.get()
    assert priority.text == script
    page = client.get(priority.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_creating_needs_an_account(client):
    response = post(client, feature())

    assert response.status_code == 401
    assert Priority.all_objects.count() == 0


def test_token_authentication(client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=UserFactory())

    response = post(client, feature(), authorization=f"Token {token.key}")

    assert response.status_code == 201


def test_support_and_withdraw_through_the_api(client):
    priority = make_priority()
    client.force_login(UserFactory())
    url = f"/api/v1/priorities/{priority.pk}/support/"

    assert client.post(url).json() == {"support_count": 1, "supported_by_me": True}
    second = client.post(url, headers=EN)
    assert second.status_code == 400
    assert "already support" in second.content.decode()
    assert client.delete(url).json() == {"support_count": 0, "supported_by_me": False}


def test_supporting_needs_an_account(client):
    priority = make_priority()

    assert client.post(f"/api/v1/priorities/{priority.pk}/support/").status_code == 401


def test_only_planners_answer(client):
    priority = make_priority()
    url = f"/api/v1/priorities/{priority.pk}/status/"
    answer = {"status": "decided", "public_text": "Vedtatt."}

    client.force_login(priority.author)
    assert client.post(url, answer, content_type="application/json").status_code == 403
    client.force_login(staff(Role.PLANNER))
    response = client.post(url, answer, content_type="application/json", headers=EN)
    assert response.status_code == 201
    assert response.json()["answered_by"] == "planner"


def test_hidden_priorities_are_not_in_the_public_api(client):
    priority = make_priority()
    Priority.all_objects.filter(pk=priority.pk).update(visibility="hidden")

    assert client.get("/api/v1/priorities/").json()["features"] == []
    assert client.get(f"/api/v1/priorities/{priority.pk}/").status_code == 404


@override_settings(
    NABOLAGET_RATES={
        "priority_create_user": "2/hour",
        "priority_create_address": "100/hour",
        "support_user": "100/hour",
        "support_address": "100/hour",
        "report_user": "100/hour",
        "report_address": "100/hour",
    }
)
def test_creating_is_rate_limited_per_account_with_retry_after(client):
    client.force_login(UserFactory())

    assert post(client, feature()).status_code == 201
    assert post(client, feature()).status_code == 201
    third = post(client, feature())

    assert third.status_code == 429
    assert int(third.headers["Retry-After"]) > 0
    assert "too often" in third.json()["detail"]
    assert Priority.all_objects.count() == 2


@override_settings(
    NABOLAGET_RATES={
        "priority_create_user": "100/hour",
        "priority_create_address": "2/hour",
        "support_user": "100/hour",
        "support_address": "100/hour",
        "report_user": "100/hour",
        "report_address": "100/hour",
    }
)
def test_a_forged_forwarded_for_header_does_not_reset_the_address_limit(client):
    for n in range(2):
        client.force_login(UserFactory())
        assert post(client, feature(), x_forwarded_for=f"10.0.0.{n}").status_code == 201
    client.force_login(UserFactory())

    response = post(client, feature(), x_forwarded_for="10.9.9.9")

    assert response.status_code == 429


def test_map_gives_clusters_when_zoomed_out_and_points_when_zoomed_in(client):
    for _ in range(3):
        make_priority()
    make_priority(at=(15.0, 67.117))

    out = client.get("/api/v1/priorities/map/", {"bbox": "13.5,66.9,15.6,67.7", "zoom": "8"}).json()
    near = client.get(
        "/api/v1/priorities/map/", {"bbox": "14.37,67.27,14.40,67.29", "zoom": "16"}
    ).json()

    assert sorted(f["properties"]["count"] for f in out["features"]) == [1, 3]
    assert all(f["properties"]["cluster"] for f in out["features"])
    assert len(near["features"]) == 3
    assert {"title", "category", "colour", "status", "support_count", "url"} <= near["features"][0][
        "properties"
    ].keys()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3", "zoom": "8"}, "bbox"),
        ({"bbox": "15,67,14,68", "zoom": "8"}, "bbox"),
        ({"bbox": "14,67,15,100", "zoom": "8"}, "bbox"),
        ({"bbox": "14,67,15,68", "zoom": "99"}, "zoom"),
        ({"bbox": "14,67,15,68"}, "zoom"),
    ],
)
def test_bad_map_parameters_are_a_400(client, params, field):
    response = client.get("/api/v1/priorities/map/", params, headers=EN)

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"area": "999999"}, "area"),
        ({"area_type": "nope"}, "area_type"),
        ({"category": "nope"}, "category"),
        ({"status": "nope"}, "status"),
        ({"since": "2026-13-01"}, "since"),
        ({"since": "2026-05-01", "until": "2026-04-01"}, "until"),
        ({"municipality": "18"}, "municipality"),
    ],
)
def test_bad_list_filters_are_a_400(client, params, field):
    response = client.get("/api/v1/priorities/", params, headers=EN)

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_list_rows_are_the_serializers_features(client, language):
    """The list's plain-row Features equal PrioritySerializer's for the same priorities."""
    from django.test import RequestFactory
    from django.utils import translation

    from priorities import services
    from priorities.api.serializers import PrioritySerializer
    from priorities.api.views import PriorityViewSet

    resident, planner = UserFactory(), staff(Role.PLANNER)
    made = [make_priority(at=(14.385 + i / 1000, 67.283)) for i in range(4)]
    services.support_add(priority=made[1], user=resident)
    services.input_set_status(
        records=made[2:3], status="decided", public_text="Vi gjør det i 2027.", actor=planner
    )
    client.force_login(resident)
    body = client.get("/api/v1/priorities/?municipality=1804", HTTP_ACCEPT_LANGUAGE=language).json()

    request = RequestFactory().get("/")
    request.user = resident
    view = PriorityViewSet(request=request, format_kwarg=None, action="list")
    with translation.override(language):
        expected = PrioritySerializer(
            view.get_queryset().order_by("-created_at", "-id"),
            many=True,
            context={"request": request},
        ).data["features"]
    assert json.loads(json.dumps(body["features"])) == json.loads(json.dumps(expected))
    assert [f["properties"]["supported_by_me"] for f in body["features"]] == [
        False,
        False,
        True,
        False,
    ]
    assert {a["type"] for a in body["features"][0]["properties"]["areas"]} >= {"skolekrets"}


@pytest.fixture
def own_categories():
    """Bodø and another municipality each with their own "trafikksikkerhet" (the slug of a
    default category too), the other municipality's listed first."""
    from areas.models import Municipality
    from priorities.models import Category

    rana = Municipality.objects.create(code="1833", name="Rana")
    Category.objects.create(
        slug="trafikksikkerhet",
        name_nb="Trafikk i Rana",
        colour="#000000",
        municipality=rana,
        position=0,
    )
    return Category.objects.create(
        slug="trafikksikkerhet",
        name_nb="Trafikksikkerhet i Bodø",
        colour="#111111",
        municipality=Municipality.objects.get(code="1804"),
        position=5,
    )


def test_a_category_slug_is_read_in_the_points_municipality(client, own_categories):
    """Other municipalities' categories of the same slug do not refuse a valid POST: the
    priority gets Bodø's own category of the slug."""
    client.force_login(UserFactory())

    response = post(client, feature())

    assert response.status_code == 201, response.content
    assert Priority.all_objects.get(pk=response.json()["id"]).category == own_categories


def test_the_count_of_a_category_filter_is_the_rows_of_every_category_of_the_slug(
    client, own_categories
):
    """Bodø's priorities in the default category and in its own of the same slug are one
    category to the filter: the count from the rollup equals the rows."""
    from priorities.models import Category

    make_priority(title="I standardkategorien")
    services.priority_create(
        author=UserFactory(),
        point=lon_lat_point(*BODO_CENTRE),
        category=own_categories,
        title="I Bodøs egen kategori",
        text="Bilene kjører fort her, og barna krysser hver morgen.",
    )
    make_priority(category="annet", title="Noe annet")
    default = Category.objects.get(slug="trafikksikkerhet", municipality=None)
    assert Priority.all_objects.filter(category=default).count() == 1

    body = client.get(
        "/api/v1/priorities/", {"municipality": "1804", "category": "trafikksikkerhet"}
    ).json()

    assert sorted(f["properties"]["title"] for f in body["features"]) == [
        "I Bodøs egen kategori",
        "I standardkategorien",
    ]
    assert (body["count"], body["count_is_estimate"]) == (2, False)
