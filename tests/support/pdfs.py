"""Real PDFs for the tests, written by pypdf."""

import io

from pypdf import PdfWriter


def plain_pdf(title: str = "Protokoll") -> bytes:
    """A one-page PDF with nothing active in it: what a council attaches."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
