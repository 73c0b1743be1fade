"""Photos of flip charts and paper maps from a meeting: hostile until proven otherwise.

The same rules as a municipality's coat of arms (``core.identity``): only PNG, JPEG or WebP
by their content (never SVG, which can carry script, nor any other decoder Pillow has), at
most MAX_BYTES as sent and MAX_PIXELS decoded (a small file can decode to gigabytes), a
truncated file refused; what is kept is our own re-encoding, a JPEG at most MAX_SIDE pixels
on its longer side, turned the way the camera says and without the upload's metadata (a
phone's photo carries where it was taken).
"""

from __future__ import annotations

import hashlib
import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 10**6
MAX_PIXELS = 50 * 10**6
MAX_SIDE = 2400
FORMATS = ("JPEG", "PNG", "WEBP")


def _complete(format_: str, data: bytes) -> bool:
    """Whether a JPEG reaches its end-of-image marker (trailing bytes some cameras add are
    allowed), or a WebP (RIFF) is as long as its header says."""
    if format_ == "JPEG":
        return b"\xff\xd9" in data[-4096:]
    size = int.from_bytes(data[4:8], "little") + 8
    return len(data) in (size, size + 1)


def photo_from_upload(upload, *, field: str = "photos") -> tuple[ContentFile, int, int, str]:
    """The uploaded photo as a clean JPEG (file, width, height, sha256 of what is kept), or
    a ValidationError naming ``field`` and the file."""
    name = getattr(upload, "name", "") or "photo"

    def refuse(message: str, code: str) -> ValidationError:
        return ValidationError({field: ValidationError(message, code=code)})

    if upload.size > MAX_BYTES:
        raise refuse(
            _("%(name)s is too large: at most %(mb)s MB.")
            % {"name": name, "mb": MAX_BYTES // 10**6},
            "too_large",
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    refused = refuse(
        _("%(name)s is not a photo: upload PNG, JPEG or WebP images.") % {"name": name}, "format"
    )
    too_many = refuse(
        _("%(name)s has too many pixels (at most %(n)s million).")
        % {"name": name, "n": number_format(MAX_PIXELS // 10**6)},
        "too_many_pixels",
    )
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise too_many  # decided from the header, before anything is decoded
            if image.format == "PNG":
                image.verify()
            elif not _complete(image.format, data):
                raise refused
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            image.load()
            clean = ImageOps.exif_transpose(image).convert("RGB")
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise refused from exc
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    content = out.getvalue()
    return (
        ContentFile(content, name=f"{secrets.token_hex(8)}.jpg"),
        clean.width,
        clean.height,
        hashlib.sha256(content).hexdigest(),
    )
