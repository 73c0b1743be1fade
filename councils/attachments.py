"""Councils' PDF attachments: parsed as PDFs, and refused when they could run anything.

A file that only starts like a PDF (``%PDF-`` and then HTML with a script) is not one:
the attachment is parsed with pypdf and must have a document catalog with pages. A PDF
that carries JavaScript (``/JS``, ``/JavaScript``, an ``/OpenAction`` or ``/AA`` that runs
it), embedded files (``/EmbeddedFiles``, ``/EF``), an XFA form, rich media, or an action
that launches a program, imports data or submits a form is **refused, not stripped**: an
attachment is part of an append-only public record, and the record keeps what the council
filed, byte for byte; the council saves a plain PDF (PDF/A) and attaches that.

Every object in the file is looked at, not only those its cross-reference table lists: a
viewer that repairs a file (pdf.js, Acrobat) finds an object by its ``12 0 obj`` header, so
an ``/OpenAction`` naming an object the table leaves out ran a script the table-only walk
never saw. Each such header is parsed where it stands and walked like the others; an object
stream outside the table (whose objects could not be walked) is refused.

The parse is bounded: at most ``NABOLAGET_PDF_MAX_OBJECTS`` objects are read, and pypdf
inflates no stream to more than its own limit (``pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH``,
75 MB); page contents are never decompressed (scripts cannot live there).
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    StreamObject,
    read_object,
)

# Keys whose presence anywhere means the document can run or carry something.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia"}
)
# Actions (/S) that run code, start programs, fetch or send data, or open embedded files.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/RichMediaExecute"}
)
# An indirect object's header, "12 0 obj", wherever it is in the file (PDF white space).
_OBJECT_HEADER = re.compile(
    rb"(?<![0-9])([0-9]{1,10})[\0\t\n\f\r ]+([0-9]{1,5})[\0\t\n\f\r ]+obj\b"
)
_WHITE_SPACE = re.compile(rb"[\0\t\n\f\r ]*")


class _Active(Exception):
    pass


class _TooMany(Exception):
    pass


def attachment_pdf_check(upload) -> None:
    """Refuse (ValidationError on ``attachments``) what is not a PDF, or is an active one."""
    name = upload.name
    upload.seek(0)
    try:
        data = upload.read()  # at most NABOLAGET_ATTACHMENT_MAX_BYTES (the form's limit)
        if not data.startswith(b"%PDF-"):
            raise ValueError("no PDF header")
        _check(PdfReader(io.BytesIO(data), strict=False), data, settings.NABOLAGET_PDF_MAX_OBJECTS)
    except _Active as exc:
        raise ValidationError(
            {
                "attachments": _(
                    "%(name)s contains JavaScript, embedded files, forms (XFA) or actions that "
                    "open other programs. Save it as a plain PDF (PDF/A) and attach it again."
                )
                % {"name": name}
            }
        ) from exc
    except (_TooMany, LimitReachedError) as exc:
        raise ValidationError(
            {
                "attachments": _(
                    "%(name)s has too many parts to be checked (at most %(n)s objects)."
                )
                % {"name": name, "n": settings.NABOLAGET_PDF_MAX_OBJECTS}
            }
        ) from exc
    # pypdf meets hostile input with exceptions of many types (its own, ValueError,
    # KeyError, TypeError, RecursionError, …): any of them means it is not a PDF we keep.
    except Exception as exc:
        raise ValidationError(
            {"attachments": _("%(name)s is not a PDF file that can be read.") % {"name": name}}
        ) from exc
    finally:
        upload.seek(0)


def _check(reader: PdfReader, data: bytes, max_objects: int) -> None:
    numbers = [
        (number, generation) for generation, entries in reader.xref.items() for number in entries
    ] + [(number, 0) for number in reader.xref_objStm]
    listed = {offset for entries in reader.xref.values() for offset in entries.values() if offset}
    unlisted = [m for m in _OBJECT_HEADER.finditer(data) if m.start() not in listed]
    if len(numbers) + len(unlisted) > max_objects:
        raise _TooMany
    root = reader.trailer["/Root"].get_object()
    if not isinstance(root, DictionaryObject) or "/Pages" not in root:
        raise ValueError("no document catalog with pages")
    if len(reader.pages) == 0:
        raise ValueError("no pages")
    _walk(reader.trailer)
    for number, generation in numbers:
        _walk(reader.get_object(IndirectObject(number, generation, reader)))
    for header in unlisted:
        # Parsed where it stands, as a repairing viewer would read it; what cannot be
        # parsed raises, and the file is refused as unreadable.
        reader.stream.seek(_WHITE_SPACE.match(data, header.end()).end())
        item = read_object(reader.stream, reader)
        _walk(item)
        if isinstance(item, StreamObject) and item.get("/Type") == "/ObjStm":
            raise _Active


def _walk(item) -> None:
    """Look through one object's dictionaries and arrays (other objects are visited on
    their own, so references are not followed)."""
    pending = [item]
    while pending:
        current = pending.pop()
        if isinstance(current, DictionaryObject):
            if ACTIVE_KEYS.intersection(current.keys()):
                raise _Active
            if current.get("/S") in ACTIVE_ACTIONS:
                raise _Active
            if current.get("/Type") == "/EmbeddedFile":
                raise _Active
            pending.extend(
                value for value in current.values() if not isinstance(value, IndirectObject)
            )
        elif isinstance(current, ArrayObject):
            pending.extend(value for value in current if not isinstance(value, IndirectObject))
