"""HTML to PDF with WeasyPrint, with document metadata set."""

from __future__ import annotations

import logging
from datetime import datetime

from generator.render.context import BriefingContext

log = logging.getLogger(__name__)


def render_pdf(html: str, context: BriefingContext) -> bytes:
    """Lay out ``html`` (rendered for the pdf target) and return the PDF bytes."""
    from weasyprint import HTML  # imported here: it is slow to import and only this stage needs it
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
    return document.write_pdf()
