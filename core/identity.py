"""A municipality's look: its coat of arms (an uploaded image) and one accent colour.

The image is hostile until proven otherwise: only PNG, JPEG or WebP by their content
(never SVG: it can carry script), at most MAX_BYTES as sent and MAX_PIXELS decoded (a
small file can decode to gigabytes), and what is kept is our own re-encoding, a PNG at most
MAX_SIDE pixels on its longer side, without the upload's metadata.

The colour is drawn behind white text (the header, the e-mails' and PDFs' headings), so it
must reach WCAG's 4.5:1 contrast against white.
"""

from __future__ import annotations

import io
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 10**6
MAX_PIXELS = 4096 * 4096
MAX_SIDE = 256
FORMATS = {"PNG", "JPEG", "WEBP"}
MIN_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def emblem_path(municipality, filename: str) -> str:
    """Where a coat of arms is stored: never the uploader's name, the municipality's number
    and a fresh token (so a new one is a new address, and caches need no purging)."""
    return f"identity/{municipality.code}-{secrets.token_hex(8)}.png"


def emblem_from_upload(upload) -> ContentFile:
    """The uploaded coat of arms as a clean PNG, or a ValidationError saying why not."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The image is too large (at most %(mb)s MB).") % {"mb": MAX_BYTES // 10**6},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    refused = ValidationError(
        _("Upload the coat of arms as a PNG, JPEG or WebP image."), code="format"
    )
    too_many = ValidationError(
        _("The image has too many pixels (at most %(n)s).") % {"n": MAX_PIXELS},
        code="too_many_pixels",
    )
    try:
        # Only these decoders are tried (no EPS, which would run Ghostscript, no SVG).
        with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise too_many  # decided from the header, before anything is decoded
            # A truncated file is refused, whatever ImageFile.LOAD_TRUNCATED_IMAGES says
            # (WeasyPrint sets it to True for the whole process when it is imported): PNG
            # by its chunks' checksums up to IEND, JPEG and WebP by how they end.
            if image.format == "PNG":
                image.verify()
            elif not _complete(image.format, data):
                raise refused
        with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as image:
            image.load()
            clean = image.convert("RGBA")
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise refused from exc
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="emblem.png")


def _complete(format_: str, data: bytes) -> bool:
    """Whether a JPEG reaches its end-of-image marker, or a WebP (RIFF) is as long as its
    header says."""
    if format_ == "JPEG":
        return data.endswith(b"\xff\xd9")
    size = int.from_bytes(data[4:8], "little") + 8
    return len(data) in (size, size + 1)


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    """WCAG 2's contrast ratio of white text on ``colour`` (#rrggbb)."""
    return 1.05 / (_luminance(colour) + 0.05)


def accent_colour_validator(value: str) -> None:
    """#rrggbb, dark enough for white text on it (4.5:1)."""
    if not HEX_COLOUR.fullmatch(value or ""):
        raise ValidationError(
            _("Give the colour as # and six hexadecimal digits, e.g. #0b5394."), code="format"
        )
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "White text on %(colour)s has a contrast of %(ratio)s:1; choose a darker "
                "colour (at least %(min)s:1)."
            )
            % {
                "colour": value,
                "ratio": number_format(ratio, 1),
                "min": number_format(MIN_CONTRAST, 1),
            },
            code="contrast",
        )
