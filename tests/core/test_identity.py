"""A municipality's coat of arms and accent colour: hostile images refused, what is kept is
our own PNG, and a colour must carry white text."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from core.identity import (
    MAX_SIDE,
    accent_colour_validator,
    contrast_with_white,
    emblem_from_upload,
)


def _image(format_: str, size=(600, 800), **save) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 40))
    image.save(out, format=format_, **save)
    return out.getvalue()


def _upload(data: bytes, name: str = "vapen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.mark.parametrize("format_", ["PNG", "JPEG", "WEBP"])
def test_an_emblem_is_kept_as_our_own_small_png_without_metadata(format_):
    data = _image(format_, exif=b"Exif\x00\x00secret-camera") if format_ != "PNG" else _image("PNG")

    kept = emblem_from_upload(_upload(data, "vapen.bin"))

    content = kept.read()
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(content)) as image:
        assert max(image.size) == MAX_SIDE
        assert "exif" not in image.info
    assert b"secret-camera" not in content


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: a valid header and almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "format"),
        (_image("GIF"), "format"),
        (_image("BMP"), "format"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "format"),
        (b"not an image at all", "format"),
        (_image("PNG")[:60], "format"),
        (_png_header_only(60_000, 60_000), "too_many_pixels"),
        (b"\x89PNG" + b"\x00" * (2 * 10**6 + 10), "too_large"),
    ],
    ids=["svg", "gif", "bmp", "eps", "text", "truncated", "bomb", "too large"],
)
def test_a_hostile_or_unusable_emblem_is_refused(data, code):
    with pytest.raises(ValidationError) as caught:
        emblem_from_upload(_upload(data))
    assert caught.value.code == code


def test_the_refusal_is_in_the_users_language():
    with translation.override("nn"), pytest.raises(ValidationError) as caught:
        emblem_from_upload(_upload(b"<svg/>"))
    assert "bilete i PNG, JPEG eller WebP" in caught.value.messages[0]


def test_an_accent_colour_must_carry_white_text():
    accent_colour_validator("#0b5394")
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    for bad, code in [("#ffcc00", "contrast"), ("red", "format"), ("#0b539", "format")]:
        with pytest.raises(ValidationError) as caught:
            accent_colour_validator(bad)
        assert caught.value.code == code
    with translation.override("nb"), pytest.raises(ValidationError) as caught:
        accent_colour_validator("#ffcc00")
    assert "1,5:1" in caught.value.messages[0], "the ratio written as Norwegians write it"


@pytest.mark.parametrize("format_", ["PNG", "JPEG", "WEBP"])
def test_a_truncated_emblem_is_refused_even_where_weasyprint_lets_pillow_pad_it(
    monkeypatch, format_
):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process (the suite
    found it: a truncated PNG passed once the PDF tests had run)."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = _image(format_)
    for cut in (60, len(data) // 2, len(data) - 20):
        with pytest.raises(ValidationError) as caught:
            emblem_from_upload(_upload(data[:cut]))
        assert caught.value.code == "format"
