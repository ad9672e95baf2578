"""HTML to PDF with WeasyPrint, with document metadata set; optionally PDF/A with embedded files."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from generator.render.context import BriefingContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF. ``relationship`` is PDF 2.0's AFRelationship (Data, Source, ...)."""

    name: str
    data: bytes
    description: str
    relationship: str = "Data"


def render_pdf(
    html: str,
    context: BriefingContext,
    *,
    attachments: Sequence[PdfAttachment] = (),
    pdf_variant: str | None = None,
) -> bytes:
    """Lay out ``html`` (rendered for the pdf target) and return the PDF bytes.

    ``pdf_variant`` such as ``"pdf/a-3b"`` makes an archival PDF; ``attachments``
    are embedded files (PDF/A-3 allows any file type, each tied to the document).
    """
    from weasyprint import HTML, Attachment  # imported here: it is slow to import and only this stage needs it
    from weasyprint.urls import URLFetcher

    # The HTML is self-contained: only data: URLs (the charts) are allowed, so a PDF build never
    # touches the network or the file system, and a broken resource fails the build.
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher, base_url=".").render()
    meta = document.metadata
    meta.title = f"{context.title} - {context.briefing_date}"
    meta.authors = [context.author]
    meta.description = context.subtitle
    meta.keywords = ["small caps", "rotation", "macro", "briefing"]
    meta.generator = f"macro-briefing {context.version}"
    created = context.generated_at.replace(microsecond=0)
    meta.created = created.isoformat()
    meta.modified = datetime.now(created.tzinfo).replace(microsecond=0).isoformat()
    created_dt = context.generated_at.replace(microsecond=0, tzinfo=None)
    embedded = [
        Attachment(
            file_obj=io.BytesIO(a.data),
            name=a.name,
            description=a.description,
            relationship=a.relationship,
            created=created_dt,
            modified=created_dt,
        )
        for a in attachments
    ]
    return document.write_pdf(attachments=embedded or None, pdf_variant=pdf_variant)
