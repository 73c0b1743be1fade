"""Zip bombs are refused from the zip's directory, before anything is unpacked or read.

Issue 12, item 9: a 1 MB zip holding a 1 GB GeoJSON was accepted as a layer after 18.5 s
of CPU, and the admin import had no limit. The bombs here are real: a GeoJSON
FeatureCollection padded with spaces, deflated. The limits are the settings
NABOLAGET_IMPORT_MAX_BYTES, NABOLAGET_ZIP_MAX_RATIO and NABOLAGET_ZIP_MAX_MEMBERS (case
uploads are also held to their own 20 MB unpacked).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accounts.models import Role
from areas.models import Area, AreaType
from cases.models import Case, CaseLayer, CaseLayerFeature
from tests.cases.factories import make_case
from tests.priorities.factories import staff

pytestmark = pytest.mark.django_db

MB = 1_000_000


def bomb(path: Path, *, padding: int) -> Path:
    """A zip with one GeoJSON file: an empty FeatureCollection with ``padding`` spaces."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("grender.geojson", "w", force_zip64=True) as member,
    ):
        member.write(b'{"type": "FeatureCollection", "features": [')
        chunk = b" " * MB
        for _ in range(padding // MB):
            member.write(chunk)
        member.write(b"]}")
    return path


@pytest.fixture(scope="session")
def big_bomb(tmp_path_factory) -> Path:
    """150 MB of GeoJSON in about 150 kB: under the import's 200 MB, a ratio near 1000."""
    return bomb(tmp_path_factory.mktemp("bombs") / "grender.zip", padding=150 * MB)


@pytest.fixture(scope="session")
def small_bomb(tmp_path_factory) -> Path:
    """30 MB of GeoJSON: more than a case upload may hold unpacked (20 MB)."""
    return bomb(tmp_path_factory.mktemp("bombs") / "trase.zip", padding=30 * MB)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Case, CaseLayer, CaseLayerFeature, Area, AreaType)
    }


def test_the_bombs_are_real(big_bomb, small_bomb):
    with zipfile.ZipFile(big_bomb) as archive:
        (info,) = archive.infolist()
    assert info.file_size > 150 * MB and info.compress_size < 1 * MB
    assert small_bomb.stat().st_size < 1 * MB


def test_a_zip_bomb_as_a_case_layer_is_a_413(client, small_bomb):
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    client.force_login(planner)
    before = counts()

    response = client.post(
        f"/cases/{case.pk}/layers/",
        {"name": "Trasé", "file": SimpleUploadedFile("trase.zip", small_bomb.read_bytes())},
    )

    assert response.status_code == 413
    assert "Filen er for stor utpakket (høyst 20 MB)." in response.content.decode()
    assert counts() == before


def test_a_zip_bomb_as_the_case_geometry_is_a_413_in_english(client, small_bomb):
    client.force_login(staff(Role.PLANNER))
    before = counts()

    response = client.post(
        "/cases/new/",
        {
            "number": "2026/9191",
            "title": "Reguleringsplan",
            "body": "kommunestyre",
            "status": "in_preparation",
            "buffer_metres": "0",
            "geometry_file": SimpleUploadedFile("plan.zip", small_bomb.read_bytes()),
        },
        headers={"accept-language": "en"},
    )

    assert response.status_code == 413
    assert "The file is too large unpacked (at most 20 MB)." in response.content.decode()
    assert counts() == before


def test_a_zip_bomb_in_the_admin_import_is_refused_by_its_ratio(admin_client, big_bomb):
    before = counts()

    response = admin_client.post(
        "/admin/areas/area/import/",
        {
            "type_slug": "grend-bombe",
            "code_field": "kode",
            "name_field": "navn",
            "file": SimpleUploadedFile("grender.zip", big_bomb.read_bytes()),
        },
        headers={"accept-language": "nn"},
    )

    assert response.status_code == 413
    assert "pakka tettare enn ei kartfil kan vere (over 100 gonger)" in response.content.decode()
    assert counts() == before


def test_import_areas_refuses_a_zip_over_the_byte_limit(big_bomb, settings):
    settings.NABOLAGET_IMPORT_MAX_BYTES = 100 * MB
    before = counts()

    with pytest.raises(CommandError, match=r"unpacks to 150000045 bytes; at most 100000000"):
        call_command(
            "import_areas",
            str(big_bomb),
            "--type=grend-bombe",
            "--code-field=kode",
            "--name-field=navn",
        )

    assert counts() == before


def test_a_zip_with_too_many_files_is_refused(admin_client, settings):
    settings.NABOLAGET_ZIP_MAX_MEMBERS = 3
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("grender.geojson", '{"type": "FeatureCollection", "features": []}')
        for number in range(4):
            archive.writestr(f"les-meg-{number}.txt", "x")
    before = counts()

    response = admin_client.post(
        "/admin/areas/area/import/",
        {
            "type_slug": "grend-mange",
            "code_field": "kode",
            "name_field": "navn",
            "file": SimpleUploadedFile("grender.zip", buffer.getvalue()),
        },
    )

    assert response.status_code == 413
    assert "Zip-filen inneholder for mange filer (høyst 3)." in response.content.decode()
    assert counts() == before


def test_a_member_that_hides_its_size_is_not_unpacked_past_it(client, tmp_path):
    """A member whose headers say 100 bytes but that inflates to 5 MB: Python's zipfile stops
    at the stated size and the CRC check refuses the file."""
    content = b'{"type": "FeatureCollection", "features": [' + b" " * 5 * MB + b"]}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trase.geojson", content)
    # The uncompressed size is in the local header and in the central directory.
    data = buffer.getvalue().replace(
        len(content).to_bytes(4, "little"), (100).to_bytes(4, "little")
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.infolist()[0].file_size == 100
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    client.force_login(planner)
    before = counts()

    response = client.post(
        f"/cases/{case.pk}/layers/",
        {"name": "Trasé", "file": SimpleUploadedFile("lyver.zip", bytes(data))},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 400
    assert "The zip file is damaged or not a zip file; nothing was unpacked." in (
        response.content.decode()
    )
    assert counts() == before
