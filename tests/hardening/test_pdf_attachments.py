"""Councils' attachments are PDFs, parsed as such, with nothing in them that runs.

Issue 12, item 10: a file of ``%PDF-`` followed by ``<html><script>…`` was stored as a PDF.
Every hostile file here is refused with a 400 and a message in the secretary's language,
and neither a submission, an attachment row nor a file in MEDIA_ROOT is written. A plain
PDF is stored and served as a download with ``nosniff``.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from councils.models import Submission, SubmissionAttachment
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db

DRAWN = (
    '{"type": "Polygon", "coordinates": [[[14.37, 67.27], [14.40, 67.27], [14.40, 67.29], '
    "[14.37, 67.29], [14.37, 67.27]]]}"
)
SCRIPT = "app.alert('Nabolaget');"


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def document_javascript() -> bytes:
    writer = _writer()
    writer.add_js(SCRIPT)
    return _written(writer)


def open_action_javascript() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = _action("/JavaScript", JS=SCRIPT)
    return _written(writer)


def page_additional_action() -> bytes:
    writer = _writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action("/JavaScript", JS=SCRIPT)}
    )
    return _written(writer)


def embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("oppdatering.exe", b"MZ\x90\x00 not really a program")
    return _written(writer)


def launch_link() -> bytes:
    writer = _writer()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 595, 842)]),
            NameObject("/A"): _action("/Launch", F="/bin/sh"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def xfa_form() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): TextStringObject("<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>"),
        }
    )
    return _written(writer)


def escaped_names() -> bytes:
    """The JavaScript names written with #-escapes (/J#61vaScript is /JavaScript), and so
    shifted that the cross-reference table no longer fits: pypdf rebuilds it."""
    return (
        document_javascript().replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    )


def open_action_outside_the_xref() -> bytes:
    """A catalog whose /OpenAction names object 4, a JavaScript action the cross-reference
    table leaves out: pypdf's table has objects 1 to 3 only, a repairing viewer finds object
    4 by its header. (The table-only walk let it through.)"""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Type /Action /S /JavaScript /JS (app.alert\\('Nabolaget'\\);) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    table = out.tell()
    out.write(b"xref\n0 4\n0000000000 65535 f \n")
    for offset in offsets[:3]:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % table)
    return out.getvalue()


ACTIVE = {
    "document-javascript": document_javascript,
    "open-action-javascript": open_action_javascript,
    "page-additional-action": page_additional_action,
    "embedded-file": embedded_file,
    "launch-link": launch_link,
    "xfa-form": xfa_form,
    "escaped-names": escaped_names,
    "open-action-outside-the-xref": open_action_outside_the_xref,
}
NOT_PDFS = {
    "html-after-the-header": b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n",
    "header-only": b"%PDF-",
    "truncated": plain_pdf()[:200],
}
MESSAGES = {
    "active": {
        "nb": "inneholder JavaScript, innebygde filer, skjemaer (XFA) eller handlinger",
        "nn": "inneheld JavaScript, innebygde filer, skjema (XFA) eller handlingar",
        "en": "contains JavaScript, embedded files, forms (XFA) or actions",
    },
    "not-pdf": {
        "nb": "er ikke en PDF-fil som kan leses",
        "nn": "er ikkje ei PDF-fil som kan lesast",
        "en": "is not a PDF file that can be read",
    },
}


@pytest.fixture
def council():
    return CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])


@pytest.fixture
def secretary_client(client, council, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = council_secretary(council, email="sekretar@ungdomsradet.no")
    client.force_login(user)
    return client


def file_statement(client, council, content: bytes, language: str = "nb"):
    return client.post(
        f"/councils/{council.pk}/file/",
        {
            "kind": "statement",
            "title": "Uttalelse fra møtet",
            "text": "Rådet støtter planen.",
            "meeting_date": timezone.localdate().isoformat(),
            "geometry": DRAWN,
            "attachments": [
                SimpleUploadedFile("protokoll.pdf", content, content_type="application/pdf")
            ],
        },
        headers={"accept-language": language},
    )


def nothing_written(settings) -> bool:
    media = settings.MEDIA_ROOT
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return not (Submission.objects.exists() or SubmissionAttachment.objects.exists() or files)


@pytest.mark.parametrize("active", list(ACTIVE))
@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_active_pdf_is_refused(secretary_client, council, settings, active, language):
    response = file_statement(secretary_client, council, ACTIVE[active](), language)

    assert response.status_code == 400
    assert MESSAGES["active"][language] in response.content.decode()
    assert nothing_written(settings)


@pytest.mark.parametrize("fake", list(NOT_PDFS))
def test_what_only_starts_like_a_pdf_is_refused(secretary_client, council, settings, fake):
    response = file_statement(secretary_client, council, NOT_PDFS[fake], "nn")

    assert response.status_code == 400
    assert MESSAGES["not-pdf"]["nn"] in response.content.decode()
    assert nothing_written(settings)


def test_a_pdf_with_more_objects_than_the_limit_is_not_parsed(secretary_client, council, settings):
    settings.NABOLAGET_PDF_MAX_OBJECTS = 3

    response = file_statement(secretary_client, council, plain_pdf(), "en")

    assert response.status_code == 400
    assert "has too many parts to be checked (at most 3 objects)" in response.content.decode()
    assert nothing_written(settings)


def test_a_plain_pdf_is_stored_and_served_as_a_download_with_nosniff(
    secretary_client, council, settings
):
    content = plain_pdf()

    response = file_statement(secretary_client, council, content)

    assert response.status_code == 302
    (attachment,) = SubmissionAttachment.objects.all()
    download = secretary_client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="protokoll.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == content
