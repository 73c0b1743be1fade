"""Case pages and the cases API: digests, layers, the councillor's list, the planner's forms."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from areas.geo import lon_lat_point
from areas.models import Area, AreaType
from cases import services
from cases.models import Case, CaseLayer
from priorities.models import Priority, PriorityCaseLink
from priorities.services import support_add
from tests.cases.factories import CENTRE_POLYGON, make_case
from tests.priorities.factories import BODO_CENTRE, UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db

ROUTE = {"type": "LineString", "coordinates": [[14.372, 67.279], [14.395, 67.286]]}


def test_the_planner_workspace_links_input_to_a_case_through_the_bulk_answer(client):
    case = make_case()
    priority = make_priority(at=BODO_CENTRE)
    client.force_login(staff(Role.PLANNER))

    client.post(
        "/planner/answer/",
        {
            "ids": [priority.pk],
            "status": "in_case",
            "public_text": "Følger saken.",
            "case_number": case.number,
        },
    )

    assert PriorityCaseLink.objects.filter(case_number=case.number, record=priority).exists()
    assert list(Priority.all_objects.in_case(case.number)) == [priority]
    data = client.get(f"/api/v1/cases/{case.pk}/digest/").json()
    assert [p["reference"] for p in data["linked"]] == [priority.reference]


def test_the_area_digest_api_and_page():
    from django.test import Client

    client = Client()
    make_priority(at=BODO_CENTRE, title="Farlig kryss")
    area = Area.objects.covering(lon_lat_point(*BODO_CENTRE)).get(type__slug="skolekrets")

    data = client.get(f"/api/v1/areas/{area.pk}/digest/").json()
    assert data["totals"]["priorities"] == 1
    assert data["areas"][0]["id"] == area.pk
    assert data["top"][0]["title"] == "Farlig kryss"
    assert set(data) >= {"by_category", "by_status", "trend", "health", "per_area"}

    bad = client.get(f"/api/v1/areas/{area.pk}/digest/", {"since": "igår"})
    assert bad.status_code == 400 and "since" in bad.json()["errors"]
    backwards = client.get(
        f"/api/v1/areas/{area.pk}/digest/", {"since": "2026-05-01", "until": "2026-04-01"}
    )
    assert backwards.status_code == 400

    page = client.get(f"/areas/{area.pk}/digest/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Farlig kryss" in text and "Prioriteter per måned" in text
    assert 'style="' not in text and "<script>" not in text
    assert client.get(f"/areas/{area.pk}/digest/", {"since": "x"}).status_code == 400


def test_layers_are_listed_and_downloaded_as_rfc7946_geojson(client, settings, tmp_path):
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    make_priority(at=BODO_CENTRE)
    client.force_login(planner)
    route = json.dumps({"type": "Feature", "properties": {"navn": "Trasé A"}, "geometry": ROUTE})
    response = client.post(
        f"/cases/{case.pk}/layers/",
        {"name": "Foreslått trasé", "file": SimpleUploadedFile("trase.geojson", route.encode())},
    )
    assert response.status_code == 302
    layer = CaseLayer.objects.get(case=case)

    keys = [row["key"] for row in client.get(f"/api/v1/cases/{case.pk}/layers/").json()]
    assert keys == ["areas", "case", f"upload-{layer.pk}", "priorities-trafikksikkerhet"]

    download = client.get(f"/api/v1/cases/{case.pk}/layers/upload-{layer.pk}/", {"download": "1"})
    assert download["Content-Type"] == "application/geo+json"
    assert "attachment" in download["Content-Disposition"]
    collection = json.loads(download.content)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["properties"]["navn"] == "Trasé A"
    lon, lat = feature["geometry"]["coordinates"][0]
    assert lon == pytest.approx(14.372, abs=1e-6) and lat == pytest.approx(67.279, abs=1e-6)
    points = client.get(f"/api/v1/cases/{case.pk}/layers/priorities-trafikksikkerhet/").json()
    assert len(points["features"]) == 1
    assert client.get(f"/api/v1/cases/{case.pk}/layers/nope/").status_code == 404

    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="layer-upload-' in page and "Foreslått trasé" in page


def test_a_bad_layer_upload_shows_the_message_and_writes_nothing(client):
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    client.force_login(planner)
    outside = {"type": "Point", "coordinates": [10.75, 59.91]}
    response = client.post(
        f"/cases/{case.pk}/layers/",
        {
            "name": "Alternativ",
            "file": SimpleUploadedFile("alt.geojson", json.dumps(outside).encode()),
        },
    )
    assert response.status_code == 400
    assert "utenfor" in response.content.decode()
    assert not CaseLayer.objects.exists()


def test_a_planner_creates_a_case_by_drawing(client):
    client.force_login(staff(Role.PLANNER))
    response = client.post(
        "/cases/new/",
        {
            "number": "2026/88",
            "title": "Ny lekeplass",
            "body": "formannskap",
            "status": "on_agenda",
            "buffer_metres": "200",
            "area_types": [AreaType.objects.get(slug="grend").pk],
            "geometry": json.dumps(CENTRE_POLYGON),
        },
    )
    case = Case.objects.get(number="2026/88")
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.areas.filter(type__slug="grend").exists()
    assert case.buffer_metres == 200
    duplicate = client.post(
        "/cases/new/",
        {
            "number": "2026/88",
            "title": "Igjen",
            "body": "formannskap",
            "status": "on_agenda",
            "buffer_metres": "0",
        },
    )
    assert duplicate.status_code == 400
    assert "finnes allerede" in duplicate.content.decode()
    assert Case.objects.filter(number="2026/88").count() == 1


def test_the_councillors_list_of_upcoming_cases(client):
    make_case(number="2026/10", title="Sak om skolevei")
    client.force_login(UserFactory())
    assert client.get("/cases/").status_code == 403
    client.force_login(staff(Role.COUNCILLOR))
    page = client.get("/cases/").content.decode()
    assert "2026/10 Sak om skolevei" in page
    assert "Ny sak" not in page  # councillors do not create cases


def test_a_frozen_digest_page_its_pdf_and_no_way_to_change_it(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    make_priority(at=BODO_CENTRE, title="Gatelys i sentrum")
    frozen = services.digest_freeze(actor=planner, case=case)

    page = client.get(f"/cases/{case.pk}/digests/1/")
    assert page.status_code == 200 and "Gatelys i sentrum" in page.content.decode()
    pdf = client.get(f"/cases/{case.pk}/digests/1/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    listed = client.get(f"/api/v1/cases/{case.pk}/digests/").json()
    assert listed[0]["version"] == frozen.version and listed[0]["pdf"].endswith("/pdf/")
    client.force_login(staff(Role.COUNCILLOR))
    for method in (client.put, client.patch, client.delete):
        assert method(f"/api/v1/cases/{case.pk}/digests/", {}).status_code in (403, 405)
    assert client.get(f"/cases/{case.pk}/digests/2/").status_code == 404


def test_the_case_page_builds_the_live_digest_again_only_when_input_changed(client):
    """A case page with a frozen digest tells whether the live digest has moved on without
    building it on every view: while nothing changed, a view reads none of the digest's
    tables; a new priority in the case's areas shows the note."""
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    make_priority(at=BODO_CENTRE, title="Gatelys i sentrum")
    services.digest_freeze(actor=planner, case=case)
    url = f"/cases/{case.pk}/"
    digest_tables = ('"priorities_priorityareastat"', '"priorities_priorityareamonth"')

    first = client.get(url)
    with CaptureQueriesContext(connection) as again:
        second = client.get(url)

    assert 'class="moved-on"' not in first.content.decode()
    assert second.status_code == 200
    assert 'class="moved-on"' not in second.content.decode()
    assert [q["sql"] for q in again if any(t in q["sql"] for t in digest_tables)] == []
    make_priority(at=BODO_CENTRE, title="Fortau ved skolen")
    assert 'class="moved-on"' in client.get(url).content.decode()


def test_the_digest_page_and_api_read_a_period_the_same_way(client):
    """One reader of since/until: a backwards period is refused on ``since`` by the page and
    the API alike, and an empty parameter means the same as a missing one."""
    area = Area.objects.get(type__slug="kommune", code="1804")
    backwards = {"since": "2026-05-01", "until": "2026-04-01"}

    api = client.get(f"/api/v1/areas/{area.pk}/digest/", backwards, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/areas/{area.pk}/digest/", backwards, HTTP_ACCEPT_LANGUAGE="en")

    assert api.status_code == 400
    assert api.json()["errors"] == {"since": ["The period starts after it ends."]}
    assert page.status_code == 400 and "The period starts after it ends." in page.content.decode()
    assert client.get(f"/api/v1/areas/{area.pk}/digest/", {"since": ""}).status_code == 200


def test_the_case_page_puts_a_summary_first_and_the_tools_on_their_own_page(client):
    """Councillors read what the case is and what the people affected said most before the
    digest; the planners' forms are on /cases/<id>/work/, for the municipality's planners."""
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    make_priority(at=BODO_CENTRE, title="Lys i krysset ved skolen")
    loud = make_priority(at=BODO_CENTRE, title="Fortau langs skoleveien")
    for _n in range(3):
        support_add(priority=loud, user=UserFactory())

    page = client.get(case.get_absolute_url()).content.decode()
    glance = page.index('class="at-a-glance"')
    assert glance < page.index('id="map-heading"') < page.index('id="digest-heading"')
    summary = page[glance : page.index("</section>", glance)]
    assert "Kort fortalt" in summary and "Fortau langs skoleveien" in summary
    assert "Trafikksikkerhet: 2" in summary
    assert "adjust-form" not in page and "/work/" not in page

    assert client.get(f"/cases/{case.pk}/work/").status_code == 302  # to the login
    client.force_login(staff(Role.COUNCILLOR))
    assert client.get(f"/cases/{case.pk}/work/").status_code == 403
    client.force_login(planner)
    assert f'href="/cases/{case.pk}/work/"' in client.get(case.get_absolute_url()).content.decode()
    tools = client.get(f"/cases/{case.pk}/work/").content.decode()
    for form in ("adjust-form", "link-form", "layer-form", "freeze-form"):
        assert f'class="{form}"' in tools


@pytest.mark.parametrize("language", ["nn", "en"])
def test_a_frozen_bokmal_digest_says_it_is_bokmal_on_other_languages_pages(
    client, settings, tmp_path, language
):
    """WCAG 3.1.2 (language of parts): the frozen digest keeps the language it was frozen
    in, and its container says so on a Nynorsk or English page."""
    from django.utils import translation

    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    make_priority(at=BODO_CENTRE, title="Gatelys i sentrum")
    with translation.override("nb"):
        frozen = services.digest_freeze(actor=planner, case=case)
    client.force_login(planner)
    client.cookies["django_language"] = language

    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/digests/{frozen.version}/"):
        page = client.get(url).content.decode()
        assert f'<html lang="{language}">' in page
        container = page.index('<div class="frozen-digest" lang="nb">')
        assert page.index(frozen.html[:200]) > container, url
