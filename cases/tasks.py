"""Background jobs for cases: the PDF of a large frozen digest."""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from core.tasks import closing_connections


@app.task(queue="pdf", retry=RetryStrategy(max_attempts=3, wait=30))
@closing_connections
def render_frozen_pdf(digest_id: int) -> None:
    """Make the PDF of a frozen digest from its frozen HTML, unless it exists already."""
    from cases.models import FrozenDigest, FrozenDigestPDF
    from cases.services import digest_pdf_save

    frozen = FrozenDigest.objects.select_related("case").get(pk=digest_id)
    if FrozenDigestPDF.objects.filter(digest=frozen).exists():
        return
    digest_pdf_save(frozen)
