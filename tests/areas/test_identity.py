"""The municipality's look, set in the admin: the coat of arms and the accent colour reach the
header, and a hostile upload is refused with nothing stored."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from areas.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _png(size=(400, 500)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 80, 160)).save(out, format="PNG")
    return out.getvalue()


def _form(bodo, **overrides) -> dict:
    return {
        "code": bodo.code,
        "name": bodo.name,
        "answer_days": bodo.answer_days,
        "answer_body": bodo.answer_body,
        "report_threshold": bodo.report_threshold,
        "accent_colour": "",
        **overrides,
    }


def test_the_look_set_in_the_admin_is_in_the_header(admin_client, client, media):
    bodo = Municipality.objects.get(code=settings.NABOLAGET_DEMO_MUNICIPALITY)
    upload = SimpleUploadedFile("bodo vapen.png", _png(), content_type="image/png")

    response = admin_client.post(
        f"/admin/areas/municipality/{bodo.pk}/change/",
        _form(bodo, accent_colour="#7a1f2b", emblem=upload),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    bodo.refresh_from_db()
    assert bodo.accent_colour == "#7a1f2b"
    assert bodo.emblem.name.startswith("identity/1804-") and bodo.emblem.name.endswith(".png")
    assert "vapen" not in bodo.emblem.name, "never the uploader's file name"

    page = client.get("/").content.decode()
    assert 'href="/kommune/1804/identity.css?v=7a1f2b"' in page
    assert 'src="/kommune/1804/emblem.png?v=' in page
    assert "Bodø" in page.split('class="brand"')[1].split("</a>")[0]

    css = client.get("/kommune/1804/identity.css")
    assert css["Content-Type"].startswith("text/css")
    assert css.content.decode().strip() == ":root { --brand: #7a1f2b; }"
    emblem = client.get("/kommune/1804/emblem.png")
    assert emblem["Content-Type"] == "image/png"
    assert emblem["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(emblem.streaming_content))) as image:
        assert image.format == "PNG" and max(image.size) == 256


@pytest.mark.parametrize(
    ("name", "data", "colour", "message"),
    [
        (
            "vapen.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
            "",
            "PNG",
        ),
        ("vapen.png", b"GIF89a" + b"\x00" * 40, "", "PNG"),
        ("vapen.png", _png(), "#ffdd00", "kontrast"),
        ("vapen.png", _png(), "red", "heksadesimale"),
    ],
    ids=["svg", "gif named png", "light colour", "not a colour"],
)
def test_a_bad_look_is_refused_and_nothing_is_stored(
    admin_client, media, name, data, colour, message
):
    bodo = Municipality.objects.get(code=settings.NABOLAGET_DEMO_MUNICIPALITY)
    upload = SimpleUploadedFile(name, data, content_type="image/png")

    response = admin_client.post(
        f"/admin/areas/municipality/{bodo.pk}/change/",
        _form(bodo, accent_colour=colour, emblem=upload),
        HTTP_ACCEPT_LANGUAGE="nb",
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    bodo.refresh_from_db()
    assert not bodo.emblem and bodo.accent_colour == ""
    assert not any(media.rglob("*.png")) and not any(media.rglob("*.svg"))


def test_without_a_look_the_header_is_plain(client):
    page = client.get("/").content.decode()
    assert "identity.css" not in page and "emblem.png" not in page
    assert client.get("/kommune/1804/emblem.png").status_code == 404
    assert client.get("/kommune/1804/identity.css").content == b""
