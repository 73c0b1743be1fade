"""Files that would make GDAL open something else are refused before GDAL reads them.

Issue 12, item 1: a "GeoPackage" that was GDAL VRT XML made the server query its own
database (PG:), read a local file (CSV:) and fetch a URL (/vsicurl/). Each source here is
real and watched: a TCP listener on 127.0.0.1 where the VRT's PostgreSQL connection would
arrive, a FIFO whose opening is seen by the thread that writes it, and an HTTP server on
127.0.0.1 that records requests (and answers with a route that lies in Bodø, so that on the
old code the layer was stored). Every refusal is a 400 with the message in the request's
language, and nothing is written.
"""

from __future__ import annotations

import errno
import http.server
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
from django.contrib.gis.gdal import DataSource, GDALException, SpatialReference
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accounts.models import Role
from areas.models import Area, AreaType
from cases.models import Case, CaseLayer, CaseLayerFeature
from core import gdal
from tests.cases.factories import make_case
from tests.priorities.factories import staff

pytestmark = pytest.mark.django_db

ROUTE = {
    "type": "Feature",
    "properties": {"navn": "Trasé A"},
    "geometry": {"type": "LineString", "coordinates": [[14.372, 67.279], [14.39, 67.283]]},
}
MESSAGES = {
    "nb": "viser til andre filer, databaser eller adresser",
    "nn": "viser til andre filer, databasar eller adresser",
    "en": "refers to other files, databases or addresses",
}


class Watch:
    """Three sources a VRT could name, each recording whether anything reached it."""

    def __init__(self, folder: Path):
        self.connections: list[str] = []
        self.requests: list[str] = []
        self.opened: list[str] = []
        self._stop = threading.Event()

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.pg_port = self.listener.getsockname()[1]
        self.listener.settimeout(0.05)

        watch = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                watch.requests.append(self.path)
                body = json.dumps(ROUTE).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/geo+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_HEAD(self):
                watch.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", str(len(json.dumps(ROUTE))))
                self.end_headers()

            def log_message(self, *args):
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http_port = self.http.server_address[1]

        self.fifo = folder / "secrets.csv"
        os.mkfifo(self.fifo)
        self._threads = [
            threading.Thread(target=self._accept, daemon=True),
            threading.Thread(target=self.http.serve_forever, daemon=True),
            threading.Thread(target=self._feed_fifo, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _accept(self):
        # Accept and hang up at once: a PostgreSQL client then fails instead of waiting.
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append("connected")
            connection.close()

    def _feed_fifo(self):
        # Opening a FIFO for writing without blocking succeeds only once a reader has it open.
        while not self._stop.is_set():
            try:
                descriptor = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
                time.sleep(0.01)
                continue
            self.opened.append(str(self.fifo))
            os.write(descriptor, b'WKT,navn\n"POINT (14.38 67.28)",hemmelig\n')
            os.close(descriptor)

    def nothing_reached(self) -> bool:
        time.sleep(0.2)  # what was sent before the answer has arrived by now
        return not (self.connections or self.requests or self.opened)

    def close(self):
        self._stop.set()
        self.http.shutdown()
        for thread in self._threads:
            thread.join()
        self.listener.close()
        self.http.server_close()


@pytest.fixture
def watch(tmp_path):
    watched = Watch(tmp_path)
    yield watched
    watched.close()


def vrt(source: str) -> bytes:
    """GDAL VRT XML with one layer read from ``source``."""
    sql = "<SrcSQL>SELECT key, email FROM authtoken_token JOIN auth_user ON true</SrcSQL>"
    return (
        "<OGRVRTDataSource>\n"
        '  <OGRVRTLayer name="route">\n'
        f"    <SrcDataSource>{source}</SrcDataSource>\n"
        f"    {sql if source.startswith('PG:') else ''}\n"
        "  </OGRVRTLayer>\n"
        "</OGRVRTDataSource>\n"
    ).encode()


SOURCES = {
    "postgresql": lambda w: f"PG:host=127.0.0.1 port={w.pg_port} dbname=nabolaget user=nabolaget",
    "local-file": lambda w: f"CSV:{w.fifo}",
    "url": lambda w: f"/vsicurl/http://127.0.0.1:{w.http_port}/route.geojson",
}


def carrier(kind: str, content: bytes) -> tuple[str, bytes]:
    """The VRT as the file a planner uploads: named .gpkg, named .geojson, or zipped."""
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("route.json", content)
        return "route.zip", buffer.getvalue()
    return f"route.{kind}", content


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Case, CaseLayer, CaseLayerFeature, Area, AreaType)
    }


@pytest.mark.parametrize("kind", ["gpkg", "geojson", "zip"])
@pytest.mark.parametrize("source", list(SOURCES))
def test_a_vrt_uploaded_as_a_case_layer_is_refused_and_reaches_nothing(client, watch, source, kind):
    """Whatever it is called, a VRT is a 400 in the planner's language; no layer is stored
    and no connection, file read or request is made."""
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    client.force_login(planner)
    name, content = carrier(kind, vrt(SOURCES[source](watch)))
    before = counts()

    response = client.post(
        f"/cases/{case.pk}/layers/",
        {"name": "Foreslått trasé", "file": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 400
    # A case upload named .geojson that is no format at all gets the GeoJSON check's message.
    expected = "Filen er ikke gyldig GeoJSON (JSON)." if kind == "geojson" else MESSAGES["nb"]
    assert expected in response.content.decode()
    assert counts() == before
    assert watch.nothing_reached()


@pytest.mark.parametrize("language", ["en", "nn"])
def test_a_vrt_as_the_case_geometry_is_refused_in_the_planners_language(client, watch, language):
    planner = staff(Role.PLANNER)
    client.force_login(planner)
    name, content = carrier("gpkg", vrt(SOURCES["url"](watch)))
    before = counts()

    response = client.post(
        "/cases/new/",
        {
            "number": "2026/9090",
            "title": "Reguleringsplan",
            "body": "kommunestyre",
            "status": "in_preparation",
            "buffer_metres": "0",
            "area_types": [AreaType.objects.get(slug="skolekrets").pk],
            "geometry_file": SimpleUploadedFile(name, content),
        },
        headers={"accept-language": language},
    )

    assert response.status_code == 400
    assert MESSAGES[language] in response.content.decode()
    assert counts() == before
    assert watch.nothing_reached()


@pytest.mark.parametrize("kind", ["gpkg", "geojson", "zip"])
def test_a_vrt_in_the_admin_import_is_refused(admin_client, watch, kind):
    name, content = carrier(kind, vrt(SOURCES["postgresql"](watch)))
    before = counts()

    response = admin_client.post(
        "/admin/areas/area/import/",
        {
            "type_slug": "grend-vrt",
            "code_field": "key",
            "name_field": "email",
            "file": SimpleUploadedFile(name, content),
        },
        headers={"accept-language": "en"},
    )

    assert response.status_code == 400
    assert MESSAGES["en"] in response.content.decode()
    assert counts() == before
    assert watch.nothing_reached()


def test_a_vrt_given_to_import_areas_is_refused(watch, tmp_path):
    path = tmp_path / "grender.gpkg"
    path.write_bytes(vrt(SOURCES["local-file"](watch)))
    before = counts()

    with pytest.raises(CommandError, match="is not GeoJSON, a GeoPackage or a Shapefile"):
        call_command(
            "import_areas", str(path), "--type=grend-vrt", "--code-field=a", "--name-field=b"
        )

    assert counts() == before
    assert watch.nothing_reached()


@pytest.fixture
def geopackage(tmp_path) -> Path:
    """A real GeoPackage with the route, written by ogr2ogr."""
    source = tmp_path / "route.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [ROUTE]}))
    target = tmp_path / "base.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", str(target), str(source), "-nln", "trase"], check=True)
    return target


def _tamper(base: Path, target: Path, *statements: tuple[str, tuple]) -> Path:
    shutil.copy(base, target)
    database = sqlite3.connect(target)
    for sql, params in statements:
        database.execute(sql, params)
    database.commit()
    database.close()
    return target


def hostile_geopackages(base: Path, folder: Path, watch: Watch) -> dict[str, Path]:
    """GeoPackages whose content points at another source, or could run SQL when read."""
    pg = SOURCES["postgresql"](watch)
    return {
        # GDAL's VirtualOGR module opens the datasource named in the table's definition.
        "virtual-table": _tamper(
            base,
            folder / "virtual.gpkg",
            ("PRAGMA writable_schema = ON", ()),
            (
                "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) "
                "VALUES ('table', 'hemmelig', 'hemmelig', 0, ?)",
                (f"CREATE VIRTUAL TABLE hemmelig USING VirtualOGR('{pg}')",),
            ),
            ("UPDATE gpkg_contents SET table_name = 'hemmelig'", ()),
            ("UPDATE gpkg_geometry_columns SET table_name = 'hemmelig'", ()),
        ),
        # A view registered as the layer: SQL that runs on every read.
        "view": _tamper(
            base,
            folder / "view.gpkg",
            ("CREATE VIEW utsnitt AS SELECT fid, geom, navn FROM trase", ()),
            ("UPDATE gpkg_contents SET table_name = 'utsnitt'", ()),
            ("UPDATE gpkg_geometry_columns SET table_name = 'utsnitt'", ()),
        ),
        # A coordinate system "defined" by a URL.
        "srs-url": _tamper(
            base,
            folder / "srs.gpkg",
            (
                "INSERT INTO gpkg_spatial_ref_sys VALUES ('lenke', 990001, 'x', 990001, ?, NULL)",
                (f"http://127.0.0.1:{watch.http_port}/srs.wkt",),
            ),
            ("UPDATE gpkg_geometry_columns SET srs_id = 990001", ()),
            ("UPDATE gpkg_contents SET srs_id = 990001", ()),
        ),
        # A column computed when it is read.
        "generated-column": _tamper(
            base,
            folder / "generated.gpkg",
            ("ALTER TABLE trase ADD COLUMN lengde TEXT AS (upper(navn)) VIRTUAL", ()),
        ),
    }


@pytest.mark.parametrize("hostile", ["virtual-table", "view", "srs-url", "generated-column"])
def test_a_geopackage_that_points_elsewhere_is_refused(
    client, watch, geopackage, tmp_path, hostile
):
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    client.force_login(planner)
    path = hostile_geopackages(geopackage, tmp_path, watch)[hostile]
    before = counts()

    response = client.post(
        f"/cases/{case.pk}/layers/",
        {"name": "Trasé", "file": SimpleUploadedFile("trase.gpkg", path.read_bytes())},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 400
    assert MESSAGES["en"] in response.content.decode()
    assert counts() == before
    assert watch.nothing_reached()


def test_the_real_geopackage_and_a_geojson_named_gpkg_are_read(client, geopackage):
    """The checks refuse what points elsewhere, not GeoPackages: the one ogr2ogr wrote is
    stored, and so is a GeoJSON whatever its name says (read by its content)."""
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    client.force_login(planner)

    for name, content in (
        ("trase.gpkg", geopackage.read_bytes()),
        ("trase2.gpkg", json.dumps(ROUTE).encode()),
    ):
        response = client.post(
            f"/cases/{case.pk}/layers/",
            {"name": name, "file": SimpleUploadedFile(name, content)},
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
    assert CaseLayerFeature.objects.filter(layer__case=case).count() == 2


def test_gdal_has_three_drivers_and_no_network_in_this_process(watch, tmp_path):
    """Process-wide: a VRT or a URL is not opened even by code that asks GDAL directly."""
    path = tmp_path / "route.vrt"
    path.write_bytes(vrt(SOURCES["postgresql"](watch)))

    linked = tmp_path / "linked.geojson"
    linked.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {
                    "type": "link",
                    "properties": {"href": f"http://127.0.0.1:{watch.http_port}/crs.wkt"},
                },
                "features": [ROUTE],
            }
        )
    )

    assert sorted(gdal.registered_drivers()) == ["ESRI Shapefile", "GPKG", "GeoJSON"]
    for target in (str(path), f"/vsicurl/http://127.0.0.1:{watch.http_port}/route.geojson"):
        with pytest.raises(GDALException):
            DataSource(target)
    # GDAL's own HTTP client: a linked crs, and a coordinate system given as a URL.
    DataSource(str(linked))
    with pytest.raises(GDALException):
        SpatialReference(f"http://127.0.0.1:{watch.http_port}/srs.wkt")
    assert watch.nothing_reached()


def _zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def _lying_zip() -> bytes:
    """A member whose headers say 100 bytes but that inflates to 3 MB."""
    content = b'{"type": "FeatureCollection", "features": [' + b" " * 3_000_000 + b"]}"
    return _zipped(("trase.geojson", content)).replace(
        len(content).to_bytes(4, "little"), (100).to_bytes(4, "little")
    )


ROUTE_FILE = json.dumps({"type": "FeatureCollection", "features": [ROUTE]}).encode()
# A broken file, and what the planner is told in nb, nn and en: the whole message in their
# language (the server's English, which names its temporary file, once followed "Filen kan
# ikke leses:").
BROKEN = {
    "lying-zip": (
        lambda gpkg: _lying_zip(),
        {
            "nb": "Zip-filen er skadet eller ikke en zip-fil; ingenting ble pakket ut.",
            "nn": "Zip-fila er skadd eller ikkje ei zip-fil; ingenting vart pakka ut.",
            "en": "The zip file is damaged or not a zip file; nothing was unpacked.",
        },
    ),
    "zip-without-map": (
        lambda gpkg: _zipped(("les-meg.txt", b"hei")),
        {
            "nb": "Zip-filen inneholder ingen GeoJSON, GeoPackage eller Shapefile (så etter "
            ".geojson, .json, .gpkg, .shp).",
            "nn": "Zip-fila inneheld ingen GeoJSON, GeoPackage eller Shapefile (såg etter "
            ".geojson, .json, .gpkg, .shp).",
            "en": "The zip file holds no GeoJSON, GeoPackage or Shapefile (looked for "
            ".geojson, .json, .gpkg, .shp).",
        },
    ),
    "zip-with-two-maps": (
        lambda gpkg: _zipped(("a.geojson", ROUTE_FILE), ("b.geojson", ROUTE_FILE)),
        {
            "nb": "Zip-filen inneholder flere kart (a.geojson, b.geojson); last opp ett av dem.",
            "nn": "Zip-fila inneheld fleire kart (a.geojson, b.geojson); last opp eitt av dei.",
            "en": "The zip file holds several maps (a.geojson, b.geojson); upload one of them.",
        },
    ),
    "zipped-json-that-is-not-json": (
        lambda gpkg: _zipped(("trase.json", b'{"type": "FeatureCollection", "features": [,]}')),
        {
            "nb": "Filen er ikke gyldig GeoJSON (JSON).",
            "nn": "Fila er ikkje gyldig GeoJSON (JSON).",
            "en": "The file is not valid GeoJSON (JSON).",
        },
    ),
    "geopackage-with-two-layers": (
        lambda gpkg: _tamper(
            gpkg,
            gpkg.with_name("to-lag.gpkg"),
            ("CREATE TABLE trase2 AS SELECT * FROM trase", ()),
            (
                "INSERT INTO gpkg_contents SELECT 'trase2', data_type, 'trase2', description, "
                "last_change, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents",
                (),
            ),
            (
                "INSERT INTO gpkg_geometry_columns SELECT 'trase2', column_name, "
                "geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns",
                (),
            ),
        ).read_bytes(),
        {
            "nb": "Filen har 2 lag (trase, trase2); last opp en fil med ett lag.",
            "nn": "Fila har 2 lag (trase, trase2); last opp ei fil med eitt lag.",
            "en": "The file has 2 layers (trase, trase2); upload a file with one.",
        },
    ),
}


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_broken_file_is_refused_wholly_in_the_planners_language(
    client, geopackage, broken, language
):
    """A zip whose sizes lie, one with no map or two, a zipped .json that is not JSON, a
    GeoPackage with two layers: a 400 whose message is the planner's language from start
    to end, and nothing is stored."""
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    client.force_login(planner)
    make, messages = BROKEN[broken]
    name = "trase.gpkg" if broken.startswith("geopackage") else "trase.zip"
    before = counts()

    response = client.post(
        f"/cases/{case.pk}/layers/",
        {"name": "Trasé", "file": SimpleUploadedFile(name, make(geopackage))},
        headers={"accept-language": language},
    )

    assert response.status_code == 400
    assert response.context["layer_form"].errors["file"] == [messages[language]]
    assert counts() == before
