"""Cases: creation with a geometry, affected areas, links, freezing, and every bad input
refused with a clear message and nothing written."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.utils import translation
from pypdf import PdfReader

from accounts.models import Role
from areas.geo import lon_lat_point
from areas.models import Area, AreaType, Municipality
from cases import services
from cases.models import (
    Case,
    CaseArea,
    CaseAreaAdjustment,
    CaseLayer,
    FrozenDigest,
    FrozenDigestPDF,
)
from priorities.models import Priority, PriorityCaseLink, PriorityStatusChange
from tests.cases.factories import CENTRE_POLYGON, make_case
from tests.priorities.factories import BODO_CENTRE, make_priority, staff

pytestmark = pytest.mark.django_db


def upload(data, name="plan.geojson"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def feature_collection(geometry, crs=None):
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"navn": "Plan"}, "geometry": geometry}],
    }
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return data


def counts():
    return (
        Case.objects.count(),
        CaseArea.objects.count(),
        CaseLayer.objects.count(),
        FrozenDigest.objects.count(),
        FrozenDigestPDF.objects.count(),
        PriorityCaseLink.objects.count(),
        PriorityStatusChange.objects.count(),
    )


def test_an_uploaded_geojson_is_parsed_once(monkeypatch):
    """The case's own checks, the reader's safety checks and the coordinate system all read
    the one parse of the file (it was parsed three times)."""
    from areas import datafiles

    parses = []
    loads = json.loads
    monkeypatch.setattr(
        datafiles.json, "loads", lambda *a, **kw: parses.append(1) or loads(*a, **kw)
    )
    utm = feature_collection(CENTRE_POLYGON)
    geometry = services.case_geometry_from_upload(upload(utm))
    assert geometry.srid == 4326
    assert len(parses) == 1


def test_a_case_from_an_uploaded_utm_boundary_affects_the_areas_it_meets():
    """An uploaded plan boundary in EPSG:25833 is read, reprojected, and its areas computed."""
    planner = staff(Role.PLANNER)
    # The centre polygon in UTM 33N metres.
    from django.contrib.gis.geos import GEOSGeometry

    utm = GEOSGeometry(json.dumps(CENTRE_POLYGON), srid=4326).transform(25833, clone=True)
    data = feature_collection(json.loads(utm.json), crs="urn:ogc:def:crs:EPSG::25833")
    geometry = services.case_geometry_from_upload(upload(data))
    assert geometry.srid == 25833
    case = make_case(planner, geometry=None)
    services.case_update(actor=planner, case=case, geometry=geometry)
    centre = Area.objects.covering(lon_lat_point(*BODO_CENTRE)).get(type__slug="skolekrets")
    assert set(case.areas.values_list("id", flat=True)) >= {centre.pk}
    assert not case.areas.filter(type__slug="grend").exists()


def test_a_buffer_adds_the_areas_nearby():
    narrow = make_case(
        number="2026/1", geometry={"type": "Point", "coordinates": list(BODO_CENTRE)}
    )
    wide = make_case(
        number="2026/2",
        geometry={"type": "Point", "coordinates": list(BODO_CENTRE)},
        buffer_metres=3000,
    )
    assert narrow.areas.count() == 1
    assert wide.areas.count() > narrow.areas.count()


def test_adjustments_are_kept_on_the_record_and_survive_a_recompute():
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    computed = case.areas.first()
    other = Area.objects.of_type("grend").first()
    services.case_area_adjust(
        actor=planner, case=case, area=other, action="add", reason="Skoleveien går hit."
    )
    services.case_area_adjust(
        actor=planner, case=case, area=computed, action="remove", reason="Berøres ikke av tiltaket."
    )
    services.case_update(
        actor=planner, case=case, area_types=list(AreaType.objects.filter(slug="skolekrets"))
    )
    ids = set(case.areas.values_list("id", flat=True))
    assert other.pk in ids and computed.pk not in ids
    assert CaseArea.objects.get(case=case, area=other).origin == "added"
    assert CaseAreaAdjustment.objects.filter(case=case).count() == 2
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseAreaAdjustment.objects.filter(case=case).update(reason="endret")


def test_linking_goes_through_the_feedback_loop_and_the_planner_filter_agrees():
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    priority = make_priority(at=BODO_CENTRE)
    services.case_link_input(
        actor=planner, case=case, records=[priority], public_text="Tas med i saken."
    )
    priority.refresh_from_db()
    assert priority.status == "in_case"
    assert PriorityCaseLink.objects.filter(case_number=case.number, record=priority).exists()
    assert PriorityStatusChange.objects.filter(record=priority, case_number=case.number).exists()
    assert list(Priority.all_objects.in_case(case.number)) == [priority]


def test_freezing_stores_data_html_and_pdf_that_never_change(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    make_priority(at=BODO_CENTRE, title="Lys i krysset ved skolen")
    frozen = services.digest_freeze(actor=planner, case=case)
    again = services.digest_freeze(actor=planner, case=case)
    assert (frozen.version, again.version) == (1, 2)
    assert frozen.data["totals"]["priorities"] == 1
    assert "Lys i krysset ved skolen" in frozen.html
    text = "".join(page.extract_text() for page in PdfReader(frozen.pdf.file.open("rb")).pages)
    assert case.number in text and "Lys i krysset ved skolen" in text
    for change in (
        lambda: FrozenDigest.objects.filter(pk=frozen.pk).update(html="endret"),
        lambda: FrozenDigest.objects.filter(pk=frozen.pk).delete(),
        lambda: FrozenDigestPDF.objects.filter(digest=frozen).update(size=1),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    # A later priority changes the live digest, not the frozen one.
    make_priority(at=BODO_CENTRE, title="Ny benk ved bussen")
    frozen.refresh_from_db()
    assert frozen.data["totals"]["priorities"] == 1
    from cases.digests import case_digest

    assert case_digest(case)["totals"]["priorities"] == 2


def test_the_pdf_carries_the_municipalitys_coat_of_arms_and_colour(settings, tmp_path):
    """The frozen PDF's heading: the coat of arms (embedded, our own PNG) and the name, in the
    municipality's accent colour."""
    from PIL import Image

    from core.identity import emblem_from_upload

    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    bodo = case.municipality
    png = io.BytesIO()
    Image.new("RGB", (300, 360), (180, 20, 30)).save(png, format="PNG")
    bodo.emblem.save("x.png", emblem_from_upload(upload(png.getvalue(), "vapen.png")))
    bodo.accent_colour = "#7a1f2b"
    bodo.save()

    frozen = services.digest_freeze(actor=planner, case=case)

    first = PdfReader(frozen.pdf.file.open("rb")).pages[0]
    images = list(first.images)  # and no digit drawn as a colour bitmap by the emoji font
    assert len(images) == 1 and images[0].image.size == (213, 256)
    assert f"{bodo.name} · Nabolaget" in first.extract_text()


def pdf_fonts(reader: PdfReader) -> set[str]:
    """The names of the fonts a PDF's pages use."""
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            names.add(str(font.get_object().get("/BaseFont", "")))
    return names


def test_emoji_in_a_priority_are_kept_in_the_frozen_pdf(settings, tmp_path):
    """A resident's emoji is drawn from the emoji font (Noto Color Emoji, installed by the
    set-up; fontconfig falls back to it): embedded, and in the text one extracts. Only the
    emoji: the digits of the dates and counts stay DejaVu's (named in the stack, the emoji
    font drew every digit as a colour bitmap)."""
    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    make_priority(at=BODO_CENTRE, title="Sykkelvei til skolen 🚲")
    frozen = services.digest_freeze(actor=planner, case=case)

    reader = PdfReader(frozen.pdf.file.open("rb"))

    assert any("NotoColorEmoji" in name.replace("-", "") for name in pdf_fonts(reader))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Sykkelvei til skolen 🚲" in text
    # (The pages share one resource dictionary: the same image is listed on each.)
    bitmaps = {image.name for page in reader.pages for image in page.images}
    assert len(bitmaps) == 1, "one bitmap, the bicycle's; none for the digits"


@pytest.mark.django_db(transaction=True)
def test_a_large_digest_gets_its_pdf_from_the_background_worker(
    settings, tmp_path, monkeypatch, demo_live
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "BACKGROUND_PDF_ROWS", 0)
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    frozen = services.digest_freeze(actor=planner, case=case)
    assert not FrozenDigestPDF.objects.filter(digest=frozen).exists()
    from procrastinate.contrib.django.models import ProcrastinateJob

    job = ProcrastinateJob.objects.get(task_name="cases.tasks.render_frozen_pdf")
    assert job.args == {"digest_id": frozen.pk}
    from tests.conftest import run_jobs

    run_jobs()
    assert FrozenDigestPDF.objects.filter(digest=frozen).exists()


# Bad input: a clear error, nothing written.

OUTSIDE = {
    "type": "Polygon",
    "coordinates": [[[10.7, 59.9], [10.8, 59.9], [10.8, 59.95], [10.7, 59.9]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[14.37, 67.27], [14.40, 67.29], [14.40, 67.27], [14.37, 67.29], [14.37, 67.27]]
    ],
}


def _zip(name, content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def shapefile_without_prj(tmp_path) -> bytes:
    """A zipped Shapefile with no .prj: its coordinate system is unknown."""
    import subprocess

    source = tmp_path / "plan.geojson"
    source.write_text(json.dumps(feature_collection(CENTRE_POLYGON)))
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", str(tmp_path / "plan.shp"), str(source)], check=True
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for suffix in (".shp", ".shx", ".dbf"):
            archive.write(tmp_path / f"plan{suffix}", f"plan{suffix}")
    return buffer.getvalue()


def test_a_shapefile_with_no_coordinate_system_is_refused(tmp_path):
    from django.utils import translation

    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="coordinate system is unknown"),
    ):
        services.case_geometry_from_upload(upload(shapefile_without_prj(tmp_path), "plan.zip"))


BAD_UPLOADS = {
    "invalid": (feature_collection(BOWTIE), "plan.geojson", "not valid"),
    "empty": ({"type": "FeatureCollection", "features": []}, "plan.geojson", "empty"),
    "unknown srid": (
        feature_collection(CENTRE_POLYGON, crs="urn:ogc:def:crs:EPSG::999999"),
        "plan.geojson",
        "coordinate system",
    ),
    "outside": (feature_collection(OUTSIDE), "plan.geojson", "outside"),
    "not a file we read": (b"hello", "plan.txt", "GeoJSON"),
    "broken zip": (b"PK not a zip", "plan.zip", "is not GeoJSON, a GeoPackage or a zipped"),
    "truncated zip": (b"PK\x05\x06 truncated", "plan.zip", "damaged or not a zip file"),
    # Found by the bad-geometry corpus: these were 500s.
    "3-D positions": (
        b'{"type": "Polygon", "coordinates": [[[14.37, 67.27, 5], [14.4, 67.27, 5], '
        b"[14.4, 67.29, 5], [14.37, 67.27, 5]]]}",
        "plan.geojson",
        "no height",
    ),
    "decimal comma": (
        b'{"type": "Point", "coordinates": [14,385, 67,283]}',
        "plan.geojson",
        "two numbers",
    ),
    "trailing comma": (
        b'{"type": "Point", "coordinates": [14.385, 67.283,]}',
        "plan.geojson",
        "not valid GeoJSON",
    ),
    "comment": (
        b'{"type": "Point", /* here */ "coordinates": [14.385, 67.283]}',
        "plan.geojson",
        "not valid GeoJSON",
    ),
    "two objects": (
        b'{"type": "Point", "coordinates": [14.385, 67.283]}{"type": "Point"}',
        "plan.geojson",
        "not valid GeoJSON",
    ),
    "empty hole (GDAL drops it)": (
        b'{"type": "Polygon", "coordinates": [[[14.37, 67.27], [14.4, 67.27], '
        b"[14.4, 67.29], [14.37, 67.27]], []]}",
        "plan.geojson",
        "four positions",
    ),
    "crs as a link (GDAL ignores it)": (
        b'{"type": "Polygon", "crs": {"type": "link", "properties": {"href": "http://x/25833"}},'
        b' "coordinates": [[[14.37, 67.27], [14.4, 67.27], [14.4, 67.29], [14.37, 67.27]]]}',
        "plan.geojson",
        "coordinate system",
    ),
    "unclosed ring": (
        b'{"type": "Polygon", "coordinates": [[[14.37, 67.27], [14.4, 67.27], '
        b"[14.4, 67.29], [14.38, 67.29]]]}",
        "plan.geojson",
        "must end where it begins",
    ),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_and_nothing_is_written(client, case):
    data, name, message = BAD_UPLOADS[case]
    client.force_login(staff(Role.PLANNER))
    before = counts()
    response = client.post(
        "/cases/new/",
        {
            "number": "2026/777",
            "title": "Reguleringsplan",
            "body": "kommunestyre",
            "status": "in_preparation",
            "buffer_metres": "0",
            "area_types": [AreaType.objects.get(slug="skolekrets").pk],
            "geometry_file": upload(data, name),
        },
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    assert counts() == before


def test_too_many_vertices_and_too_large_files_are_refused(monkeypatch):
    monkeypatch.setattr(services, "MAX_CASE_VERTICES", 4)
    with translation.override("en"), pytest.raises(ValidationError, match="too many points"):
        services.case_geometry_from_upload(upload(feature_collection(CENTRE_POLYGON)))
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 10)
    with translation.override("en"), pytest.raises(ValidationError, match="too large"):
        services.case_geometry_from_upload(upload(feature_collection(CENTRE_POLYGON)))


def test_a_duplicate_case_number_is_refused():
    make_case(number="2026/900")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        make_case(number="2026/900")
    assert "2026/900" in caught.value.message_dict["number"][0]
    assert counts() == before


def test_a_councillor_cannot_freeze_or_change_a_digest(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    councillor = staff(Role.COUNCILLOR)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.digest_freeze(actor=councillor, case=case)
    client.force_login(councillor)
    assert client.post(f"/cases/{case.pk}/freeze/", {}).status_code == 403
    assert client.post(f"/api/v1/cases/{case.pk}/digests/", {}).status_code == 403
    assert (
        client.post(
            f"/cases/{case.pk}/link/", {"references": "x", "public_text": "hei hei"}
        ).status_code
        == 403
    )
    assert counts() == before


def test_a_planner_of_another_municipality_cannot_touch_the_case(client):
    case = make_case()
    other = Municipality.objects.create(code="0301", name="Oslo")
    from tests.accounts.factories import RoleGrantFactory
    from tests.priorities.factories import UserFactory

    outsider = UserFactory()
    RoleGrantFactory(user=outsider, role=Role.PLANNER, municipality=other)
    client.force_login(outsider)
    before = counts()
    assert client.post(f"/cases/{case.pk}/freeze/", {}).status_code == 403
    assert client.post(f"/api/v1/cases/{case.pk}/digests/", {}).status_code == 403
    area = Area.objects.of_type("grend").first()
    response = client.post(
        f"/cases/{case.pk}/areas/", {"area": area.pk, "action": "add", "reason": "Fordi jeg vil."}
    )
    assert response.status_code == 403
    assert counts() == before
    assert not CaseAreaAdjustment.objects.exists()
