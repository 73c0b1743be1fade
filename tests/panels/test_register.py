"""The register extract: read robustly, written whole or not at all, placed in areas in
PostGIS; never readable by anyone but the panel's staff."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import translation

from accounts.models import Role
from panels import services
from panels.models import RegisterPerson, RegisterUpload
from panels.register import RegisterFileError, read_register
from tests.panels.factories import make_panel, register_csv, register_rows
from tests.priorities.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The reports' and refusals' texts are asserted in the source language here (the
    pages' tests read them in nb and nn)."""
    with translation.override("en"):
        yield


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


@pytest.fixture
def panel(planner):
    return make_panel(planner)


def test_an_extract_is_stored_and_placed_in_the_school_districts(planner, panel):
    """Every person is inside the municipality and in one school district (set-based SQL)."""
    rows = register_rows(200)
    report = services.register_upload(user=planner, panel=panel, data=register_csv(rows))
    assert report.written and not report.bad
    people = RegisterPerson.objects.of_panel(panel)
    assert people.count() == 200
    assert not people.filter(inside=False).exists()
    assert not people.filter(area__isnull=True).exists()
    assert set(people.values_list("area__type__slug", flat=True)) == {"skolekrets"}
    upload = RegisterUpload.objects.get(panel=panel)
    assert (upload.rows, upload.encoding, upload.delimiter) == (200, "UTF-8", ";")


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "name"),
    [
        ("utf-8", ",", True, "UTF-8"),
        ("cp1252", ";", False, "Windows-1252"),
        ("latin-1", ",", False, "Windows-1252"),
    ],
)
def test_encodings_and_separators_are_found_from_the_content(encoding, delimiter, bom, name):
    rows = [
        {"id": "A1", "birth_year": "1980", "gender": "K", "address": "Dronningens gate 30"},
        {"id": "A2", "birth_year": "1975", "gender": "mann", "address": "Sjøgata 1, Bodø"},
    ]
    data = register_csv(
        rows,
        delimiter=delimiter,
        encoding=encoding,
        header=["id", "birth_year", "gender", "address"],
    )
    parsed = read_register((b"\xef\xbb\xbf" if bom else b"") + data)
    assert (parsed.report.encoding, parsed.report.delimiter) == (name, delimiter)
    assert [row[4] for row in parsed.rows] == ["Dronningens gate 30", "Sjøgata 1, Bodø"]
    assert [row[3] for row in parsed.rows] == ["f", "m"]


def test_bad_rows_are_named_and_nothing_is_written(planner, panel):
    """Duplicate ids, births in the future or implausible, unknown genders, unreadable
    coordinates, wrong field counts: each row named, no row stored."""
    rows = register_rows(5)
    rows[1]["id"] = rows[0]["id"]
    rows[2]["birth_year"] = "2999"
    rows[3]["gender"] = "X"
    rows[4]["lat"] = "nord"
    data = register_csv(rows) + b"P9;1950;K\r\n" + b"P8;1850;K;67.28;14.39;;;;\r\n"
    report = services.register_upload(user=planner, panel=panel, data=data)
    assert not report.written
    assert report.bad == {
        3: ["the id is also on line 2"],
        4: ["the year of birth is in the future"],
        5: ["the gender code 'X' is unknown (m/k/f, mann/kvinne, 1/2)"],
        6: ["the coordinates cannot be read"],
        7: ["it has 3 fields; the header has 9"],
        8: ["the year of birth is implausible (over 120)"],
    }
    assert not RegisterPerson.objects.of_panel(panel).exists()
    assert not RegisterUpload.objects.filter(panel=panel).exists()


def test_places_outside_the_municipality_and_unknown_addresses_write_nothing(planner, panel):
    rows = register_rows(3)
    rows[1]["lat"], rows[1]["lon"] = "59.911", "10.750"  # Oslo
    data = register_csv(rows)
    report = services.register_upload(user=planner, panel=panel, data=data)
    assert report.bad == {3: ["the place lies outside the municipality"]}
    header = ["id", "birth_year", "gender", "address"]
    data = register_csv(
        [
            {"id": "1", "birth_year": "1980", "gender": "k", "address": "Dronningens gate 30"},
            {"id": "2", "birth_year": "1980", "gender": "k", "address": "Karl Johans gate 1"},
        ],
        header=header,
    )
    report = services.register_upload(user=planner, panel=panel, data=data)
    assert report.bad == {
        3: ["the address 'Karl Johans gate 1' is not in the municipality's address list"]
    }
    assert not RegisterPerson.objects.of_panel(panel).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfei\x00d\x00", "The file is in UTF-16. Save it as UTF-8 (CSV) and try again."),
        (b"PK\x03\x04\x00\x00binary", "This is not a text (CSV) file."),
        (
            b"id;birth_year;gender\r\n1;1980;k\r\n",
            "The file lacks the columns address, or lat and lon, or east and north",
        ),
        (b"name|year\r\nx|1\r\n", "The file lacks the columns id, birth_year, gender"),
        (b"id;birth_year;gender;address\r\n", "The file has a header but no people."),
    ],
)
def test_an_unusable_file_is_refused_whole(data, message):
    with pytest.raises(RegisterFileError) as caught:
        read_register(data)
    assert str(caught.value).startswith(message)


@override_settings(NABOLAGET_REGISTER_MAX_BYTES=2000, NABOLAGET_REGISTER_MAX_ROWS=10)
def test_size_limits_in_bytes_and_rows():
    rows = [{"id": str(n), "birth_year": "1980", "gender": "k", "address": "x"} for n in range(11)]
    header = ["id", "birth_year", "gender", "address"]
    with pytest.raises(RegisterFileError, match="more than 10 rows"):
        read_register(register_csv(rows, header=header))
    with pytest.raises(RegisterFileError, match="larger than 0 MB"):
        read_register(b"id;birth_year;gender;address\r\n" + b"1;1980;k;" + b"a" * 2000)


def test_only_the_panels_staff_may_upload(panel):
    outsider = staff(Role.PLANNER, code="1804")
    moderator = staff(Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        services.register_upload(user=moderator, panel=panel, data=register_csv(register_rows(2)))
    assert services.register_upload(
        user=outsider, panel=panel, data=register_csv(register_rows(2))
    ).written


def test_the_header_may_be_norwegian_with_utm_coordinates(planner, panel):
    east, north = Point(14.3896, 67.2751, srid=4326).transform(25833, clone=True).coords
    data = (
        "løpenummer;fødselsår;kjønn;øst;nord;utdanning\r\n"
        f"1;1980;K;{east:.1f};{north:.1f};høy\r\n"
        f"2;1990;M;{east + 10:.1f};{north + 10:.1f};lav\r\n"
    ).encode("cp1252")
    report = services.register_upload(user=planner, panel=panel, data=data)
    assert report.written, report.bad
    assert report.columns == ["utdanning"]
    assert sorted(
        RegisterPerson.objects.of_panel(panel).values_list("extra__utdanning", flat=True)
    ) == ["høy", "lav"]
