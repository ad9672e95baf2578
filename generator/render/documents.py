"""Render a briefing's documents from its analysis and record: the HTML, the PDF/A-3b, and the data files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace

from generator.manifest import MANIFEST_FILE, REPORT_FILE, Manifest, manifest_bytes
from generator.model import Analysis, ChartImage
from generator.record import Record, history_chart
from generator.render.context import BriefingContext, build_context
from generator.render.html import render_html
from generator.render.pdf import PdfAttachment, render_pdf
from generator.snapshot_io import SNAPSHOT_FILE
from generator.spec import LoadedSpec

PDF_VARIANT = "pdf/a-3b"


def document_context(
    loaded: LoadedSpec, analysis: Analysis, manifest: Manifest, version: str, flag_history: ChartImage | None
) -> BriefingContext:
    context = build_context(loaded, analysis, manifest.briefing_date, manifest.generated_at, version)
    return replace(context, since_last=manifest.since_last, flag_history=flag_history, dashboard=manifest.dashboard)


def render_files(
    loaded: LoadedSpec,
    analysis: Analysis,
    record: Record,
    formats: Sequence[str],
    version: str,
    flag_history: Callable[[], ChartImage | None] | None = None,
) -> dict[str, bytes]:
    """The folder's files except ``manifest.json``: HTML and PDF as asked, the snapshot and the definition.

    ``flag_history`` gives the flag-history chart when it was drawn elsewhere (the
    chart worker); by default it is drawn here from the manifest.
    """
    history = flag_history() if flag_history is not None else history_chart(record.manifest)
    context = document_context(loaded, analysis, record.manifest, version, history)
    files: dict[str, bytes] = {SNAPSHOT_FILE: record.snapshot, REPORT_FILE: record.report}
    if "html" in formats:
        files["briefing.html"] = render_html(context, "html").encode("utf-8")
    if "pdf" in formats:
        # The embedded manifest lists the hashes of every file but the PDF itself, which can hold neither its own
        # hash nor its own state: those of the files rendered here and of those archived before it (the HTML).
        hashes = {n: h for n, h in record.manifest.files.items() if n != "briefing.pdf"}
        hashes.update({n: hashlib.sha256(d).hexdigest() for n, d in files.items()})
        embedded = record.manifest.model_copy(update={"files": dict(sorted(hashes.items())), "pdf": None})
        attachments = [
            PdfAttachment(MANIFEST_FILE, manifest_bytes(embedded), "Manifest: every number and its source", "Data"),
            PdfAttachment(SNAPSHOT_FILE, record.snapshot, "Data snapshot the briefing was computed from", "Source"),
            PdfAttachment(REPORT_FILE, record.report, "Report definition used", "Source"),
        ]
        files["briefing.pdf"] = render_pdf(
            render_html(context, "pdf"), context, attachments=attachments, pdf_variant=PDF_VARIANT
        )
    return dict(sorted(files.items()))
