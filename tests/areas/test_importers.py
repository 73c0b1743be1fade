"""The area importer on Kartverket's real files, on other formats, and on broken files."""

import datetime
import json
import subprocess
import sys
import tempfile
import zipfile
from io import StringIO

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from areas.importers import AreaImportError, ImportOptions, import_areas
from areas.models import Area, AreaSubdivision, AreaType, Municipality

pytestmark = pytest.mark.django_db


def kommuner(shared_data, **overrides) -> ImportOptions:
    options = {
        "path": shared_data / "kommuner-2024.geojson",
        "type_slug": "testkommune",
        "code_field": "kommunenummer",
        "name_field": "kommunenavn",
    }
    return ImportOptions(**(options | overrides))


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Area, AreaSubdivision, AreaType, Municipality)
    }


def write_geojson(path, features, **extra):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}))
    return path


def polygon_feature(code="0001", name="Test", coordinates=None):
    ring = coordinates or [[10.0, 60.0], [10.1, 60.0], [10.1, 60.1], [10.0, 60.1], [10.0, 60.0]]
    return {
        "type": "Feature",
        "properties": {"kode": code, "navn": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_kommuner_file_imports_all_357_and_repairs_the_33_self_intersecting(shared_data):
    """All 357 municipalities arrive; the 33 invalid polygons are repaired and reported."""
    report = import_areas(kommuner(shared_data))

    assert (report.created, report.updated, report.unchanged) == (357, 0, 0)
    assert report.repaired == 33
    assert all("Self-intersection" in repair.reason for repair in report.repairs)
    assert "1804" in {repair.code for repair in report.repairs}, "Bodø is among the repaired"
    areas = Area.objects.of_type("testkommune")
    assert areas.count() == 357
    assert not areas.filter(geom__isvalid=False).exists()
    assert AreaSubdivision.objects.filter(area__in=areas).count() >= 357
    assert report.source_srid == 4326
    assert report.summary().endswith("357 created, 0 updated, 33 repaired, 0 unchanged")


def test_reimporting_the_same_file_changes_nothing(shared_data):
    """A second import of the same file updates no row: upsert by (type, code)."""
    import_areas(kommuner(shared_data))
    before = dict(Area.objects.of_type("testkommune").values_list("id", "updated_at"))

    report = import_areas(kommuner(shared_data))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 357)
    after = dict(Area.objects.of_type("testkommune").values_list("id", "updated_at"))
    assert after == before


def test_basisdata_zip_imports_as_shipped(shared_data):
    """Geonorge's zipped Basisdata file: the polygon layer is found, EPSG:25833 read."""
    report = import_areas(
        ImportOptions(
            path=shared_data / "Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip",
            type_slug="fylke",
            code_field="fylkesnummer",
            name_field="fylkesnavn",
        )
    )

    assert report.layer == "Fylke"
    assert report.source_srid == 25833
    assert report.created == 15
    nordland = Area.objects.of_type("fylke").get(code="18")
    assert nordland.name.startswith("Nordland")
    bodo = Point(14.405, 67.2804, srid=4326)
    assert list(Area.objects.of_type("fylke").covering(bodo).values_list("code", flat=True)) == [
        "18"
    ]


def test_basisdata_boundary_layer_is_refused_by_name(shared_data):
    """Asking for the line layer names the problem: lines cannot be areas."""
    with pytest.raises(AreaImportError, match="is a LineString; only Polygon and MultiPolygon"):
        import_areas(
            ImportOptions(
                path=shared_data / "Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip",
                type_slug="fylke",
                code_field="objtype",
                name_field="objtype",
                layer="Grense",
            )
        )


def test_dry_run_reports_but_writes_nothing(shared_data):
    before = table_counts()

    report = import_areas(kommuner(shared_data, dry_run=True))

    assert report.created == 357 and report.dry_run
    assert "dry run: nothing was written" in report.summary()
    assert table_counts() == before


@pytest.fixture
def kommuner_subset(shared_data, tmp_path):
    """Bodø and two neighbours, cut from the real file."""
    data = json.loads((shared_data / "kommuner-2024.geojson").read_text())
    data["features"] = [
        f for f in data["features"] if f["properties"]["kommunenummer"] in {"1804", "1839", "1840"}
    ]
    return write_geojson(tmp_path / "three.geojson", data["features"])


@pytest.mark.parametrize(
    ("driver", "suffix"), [("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp")], ids=["gpkg", "shp"]
)
def test_geopackage_and_zipped_shapefile_in_utm_import(kommuner_subset, tmp_path, driver, suffix):
    """Files GIS departments produce: GeoPackage and zipped Shapefile, in EPSG:25832."""
    target = tmp_path / f"three{suffix}"
    subprocess.run(
        ["ogr2ogr", "-f", driver, "-t_srs", "EPSG:25832", str(target), str(kommuner_subset)],
        check=True,
    )
    if suffix == ".shp":
        archive = tmp_path / "three.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            for part in tmp_path.glob("three.*"):
                if part.suffix in {".shp", ".shx", ".dbf", ".prj", ".cpg"}:
                    zipped.write(part, f"kommuner/{part.name}")
        target = archive

    # Shapefile (dBase) field names are cut to ten characters.
    short = suffix == ".shp"
    report = import_areas(
        ImportOptions(
            path=target,
            type_slug="utm-test",
            code_field="kommunenum" if short else "kommunenummer",
            name_field="kommunenav" if short else "kommunenavn",
        )
    )

    assert report.source_srid == 25832
    assert report.created == 3
    point = Point(14.405, 67.2804, srid=4326)
    assert Area.objects.of_type("utm-test").covering(point).get().code == "1804"


def test_new_generation_keeps_the_old_boundary(kommuner_subset, tmp_path):
    """A boundary change with --valid-from closes the old generation and keeps it."""
    first = ImportOptions(
        path=kommuner_subset,
        type_slug="gen-test",
        code_field="kommunenummer",
        name_field="kommunenavn",
        valid_from=datetime.date(2024, 1, 1),
    )
    import_areas(first)
    data = json.loads(kommuner_subset.read_text())
    for feature in data["features"]:
        if feature["properties"]["kommunenummer"] == "1804":
            feature["properties"]["kommunenavn"] = "Bodø (ny grense)"
    changed = write_geojson(tmp_path / "changed.geojson", data["features"])

    report = import_areas(
        ImportOptions(
            **{**first.__dict__, "path": changed, "valid_from": datetime.date(2027, 1, 1)}
        )
    )

    assert (report.created, report.updated, report.new_generations) == (0, 1, 1)
    generations = Area.objects.of_type("gen-test").filter(code="1804").order_by("valid_from")
    assert [(a.name, a.valid_from, a.valid_to) for a in generations] == [
        ("Bodø", datetime.date(2024, 1, 1), datetime.date(2027, 1, 1)),
        ("Bodø (ny grense)", datetime.date(2027, 1, 1), None),
    ]
    point = Point(14.405, 67.2804, srid=4326)
    today = Area.objects.of_type("gen-test").covering(point, on=datetime.date(2026, 6, 1)).get()
    later = Area.objects.of_type("gen-test").covering(point, on=datetime.date(2027, 6, 1)).get()
    assert (today.name, later.name) == ("Bodø", "Bodø (ny grense)")


BROKEN_FILES = {
    "not-json": (
        "broken.geojson",
        "{ this is not json",
        "Could not read broken.geojson: it is not JSON",
    ),
    "empty-zip": ("empty.zip", None, "not a valid zip file"),
    "missing-file": (None, None, "There is no file at"),
}


@pytest.mark.parametrize("case", BROKEN_FILES, ids=list(BROKEN_FILES))
def test_unreadable_files_are_refused_and_write_nothing(tmp_path, case):
    name, content, message = BROKEN_FILES[case]
    path = tmp_path / (name or "absent.geojson")
    if content is not None:
        path.write_text(content)
    elif name:
        path.write_bytes(b"PK\x05\x06 truncated")
    before = table_counts()

    with pytest.raises(AreaImportError, match=message):
        import_areas(ImportOptions(path=path, type_slug="t", code_field="kode", name_field="navn"))

    assert table_counts() == before


def test_missing_field_names_the_field_and_lists_the_others(tmp_path):
    path = write_geojson(tmp_path / "a.geojson", [polygon_feature()])
    before = table_counts()

    with pytest.raises(AreaImportError) as error:
        import_areas(ImportOptions(path=path, type_slug="t", code_field="nr", name_field="navn"))

    assert "has no field 'nr' (--code-field)" in str(error.value)
    assert "kode, navn" in str(error.value)
    assert table_counts() == before


def test_file_without_polygons_is_refused(tmp_path):
    line = {
        "type": "Feature",
        "properties": {"kode": "1", "navn": "Vei"},
        "geometry": {"type": "LineString", "coordinates": [[10, 60], [11, 61]]},
    }
    path = write_geojson(tmp_path / "lines.geojson", [line])

    with pytest.raises(AreaImportError, match="The file has no polygons"):
        import_areas(ImportOptions(path=path, type_slug="t", code_field="kode", name_field="navn"))


def test_a_bad_feature_late_in_the_file_stops_everything(tmp_path):
    """The 3rd feature has no geometry: the message names it and nothing is written."""
    features = [polygon_feature("0001", "A"), polygon_feature("0002", "B")]
    features.append(
        {"type": "Feature", "properties": {"kode": "0003", "navn": "C"}, "geometry": None}
    )
    path = write_geojson(tmp_path / "late.geojson", features)
    before = table_counts()

    with pytest.raises(AreaImportError, match=r"Feature 3 of 3 \(kode 0003\) has no geometry"):
        import_areas(ImportOptions(path=path, type_slug="t", code_field="kode", name_field="navn"))

    assert table_counts() == before


def test_shapefile_without_a_coordinate_system_needs_srid(tmp_path):
    """A Shapefile that lost its .prj: unknown SRID, unless --srid names it."""
    source = write_geojson(tmp_path / "a.geojson", [polygon_feature()])
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", str(tmp_path / "a.shp"), str(source)], check=True
    )
    (tmp_path / "a.prj").unlink()
    options = ImportOptions(
        path=tmp_path / "a.shp", type_slug="t", code_field="kode", name_field="navn"
    )
    before = table_counts()

    with pytest.raises(AreaImportError, match=r"names no coordinate system \(unknown SRID\)"):
        import_areas(options)
    assert table_counts() == before

    report = import_areas(ImportOptions(**{**options.__dict__, "srid": 4326}))
    assert report.created == 1


def test_metres_labelled_as_lon_lat_are_refused(tmp_path):
    ring = [[500000, 7400000], [501000, 7400000], [501000, 7401000], [500000, 7400000]]
    path = write_geojson(tmp_path / "utm.geojson", [polygon_feature(coordinates=ring)])

    with pytest.raises(AreaImportError, match="give the real SRID with --srid"):
        import_areas(ImportOptions(path=path, type_slug="t", code_field="kode", name_field="navn"))


def test_duplicate_codes_are_refused(tmp_path):
    path = write_geojson(tmp_path / "dup.geojson", [polygon_feature("7"), polygon_feature("7")])

    with pytest.raises(AreaImportError, match="Features 1 and 2 have the same kode '7'"):
        import_areas(ImportOptions(path=path, type_slug="t", code_field="kode", name_field="navn"))


def test_failure_inside_the_database_step_rolls_everything_back(tmp_path):
    """Areas of type kommune need a kommunenummer; the check runs after the rows are written."""
    path = write_geojson(tmp_path / "k.geojson", [polygon_feature("0301"), polygon_feature("X1")])
    before = table_counts()

    with pytest.raises(AreaImportError, match="'X1', which is not a four-digit kommunenummer"):
        import_areas(
            ImportOptions(path=path, type_slug="kommune", code_field="kode", name_field="navn")
        )

    assert table_counts() == before


def test_command_prints_repairs_and_summary(shared_data):
    out = StringIO()

    call_command(
        "import_areas",
        str(shared_data / "kommuner-2024.geojson"),
        "--type=cmd-test",
        "--code-field=kommunenummer",
        "--name-field=kommunenavn",
        stdout=out,
    )

    lines = out.getvalue().strip().splitlines()
    assert lines[-1].endswith("357 created, 0 updated, 33 repaired, 0 unchanged")
    assert sum("repaired: Self-intersection" in line for line in lines) == 33


def test_command_fails_with_the_message_and_a_nonzero_exit(tmp_path):
    path = write_geojson(tmp_path / "a.geojson", [polygon_feature()])

    with pytest.raises(CommandError, match=r"no field 'nr'.*Nothing was imported\."):
        call_command("import_areas", str(path), "--type=t", "--code-field=nr", "--name-field=navn")


def test_command_runs_as_a_new_user_would(shared_data, tmp_path):
    """The real command line, in a subprocess: exit code 1 and the message on stderr."""
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    python = sys.executable
    result = subprocess.run(
        [
            python,
            "manage.py",
            "import_areas",
            str(broken),
            "--type=t",
            "--code-field=a",
            "--name-field=b",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Could not read broken.geojson" in result.stderr


def test_the_admin_upload_uses_the_same_importer(admin_client, shared_data):
    """An administrator uploads the zipped Basisdata file: a dry run, then the import."""
    path = shared_data / "Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip"
    form = {"type_slug": "fylke-admin", "code_field": "fylkesnummer", "name_field": "fylkesnavn"}

    with path.open("rb") as upload:
        dry = admin_client.post(
            "/admin/areas/area/import/", {**form, "dry_run": "on", "file": upload}
        )
    assert "15 created" in dry.content.decode()
    assert not Area.objects.of_type("fylke-admin").exists()

    with path.open("rb") as upload:
        done = admin_client.post("/admin/areas/area/import/", {**form, "file": upload})
    assert done.status_code == 200
    assert Area.objects.of_type("fylke-admin").count() == 15


def test_the_admin_upload_reports_a_broken_file(admin_client, tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("{ not json")
    before = table_counts()

    with broken.open("rb") as upload:
        response = admin_client.post(
            "/admin/areas/area/import/",
            {"type_slug": "x", "code_field": "a", "name_field": "b", "file": upload},
            headers={"accept-language": "en"},
        )

    assert response.status_code == 400
    assert "Nothing was imported." in response.content.decode()
    assert table_counts() == before


def test_the_admin_names_the_file_that_was_uploaded_not_the_servers_copy(admin_client, tmp_path):
    """The importer's message names the file it read: on the command line the given path,
    in the admin the name of the uploaded file, never the server's temporary copy."""
    square = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"a": "1", "b": "Ett"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[14.3, 67.2], [14.4, 67.2], [14.4, 67.3], [14.3, 67.2]]],
                },
            }
        ],
    }
    archive = tmp_path / "planer.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("en.geojson", json.dumps(square))
        zipped.writestr("to.geojson", json.dumps(square))

    with archive.open("rb") as upload:
        response = admin_client.post(
            "/admin/areas/area/import/",
            {"type_slug": "x", "code_field": "a", "name_field": "b", "file": upload},
            headers={"accept-language": "nn"},
        )

    page = response.content.decode()
    assert response.status_code == 400
    message = page[page.index('class="errornote"') :]
    message = message[: message.index("</p>")]
    assert "upload" not in message and tempfile.gettempdir() not in message, message
    assert "Zip-fila inneheld fleire kart" in message, message
