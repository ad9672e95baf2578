"""The PDF after the HTML: added to a published briefing, at once or when first needed.

Every command publishes a briefing's HTML and manifest first, with the PDF
``pending`` in the manifest (:class:`generator.manifest.PdfEntry`), then adds
the PDF to the same folder (:func:`generator.archive.write.add_files`). The
command that built the briefing adds it straight after the HTML when it was
asked for one (``eager``); otherwise (``backfill`` by default, ``generate
--format html``, or a run killed between the two) it stays pending until
something needs it: ``serve`` on the first request, ``send``, ``rerender``,
``backfill --format pdf``, ``generate`` for that date.

A pending PDF is rendered from the folder alone, as ``rerender`` does: the
definition copy, the data snapshot and the manifest (the previous flag states,
the comparison, the flag history, the generation time). It equals the one the
build would have rendered: same pages, text, attachments and metadata, apart
from the PDF's modification date. :func:`pdf_task` reads what it needs from the
archive and :func:`render_task` renders from that alone, so that the rendering
can run in a worker process, or on another machine, that never sees the archive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from generator.archive.read import ArchivedBriefing, find_briefing
from generator.archive.write import add_files
from generator.errors import ArchiveError, SpecError
from generator.manifest import MANIFEST_FILE, PDF_FILE, Manifest, parse_manifest, pending, rendered
from generator.model import Analysis, FlagState, PreviousFlag, Snapshot
from generator.plan import Plan, compile_plan
from generator.record import Record
from generator.render.documents import render_files

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def add_pdf(root: Path, day: date, pdf: bytes, published: bytes, by: str, clock: Clock = now) -> Manifest | None:
    """Add ``pdf`` to the briefing published as ``published`` (its manifest's bytes); the manifest written, or
    ``None`` when another process added it first (see :func:`generator.archive.write.add_files`)."""
    return add_files(root, day, {PDF_FILE: pdf}, rendered(by, clock()), published)


# ---------------------------------------------------------------- rendering from the archived record


@dataclass(frozen=True)
class PdfTask:
    """What rendering an archived briefing's PDF needs, read from its folder and checked: nothing more."""

    day: date
    plan: Plan
    manifest: Manifest  # as published, with the hashes of the files already there
    published: bytes  # the manifest's bytes: the PDF is added only to that very briefing
    snapshot: Snapshot
    record: Record


def previous_flags(manifest: Manifest) -> dict[str, PreviousFlag]:
    """The previous briefing's flag states, as the manifest recorded them (for the flags' hysteresis)."""
    return {
        fid: PreviousFlag(state=FlagState(f.previous_state), value=f.previous_value)
        for fid, f in manifest.flags.items()
        if f.previous_state is not None
    }


def archived_plan(briefing: ArchivedBriefing) -> Plan:
    """The plan compiled from the definition copy in the folder, checked against the manifest's hash."""
    m = briefing.manifest
    if m.schema_version < 2:
        raise ArchiveError(
            f"{briefing.directory / MANIFEST_FILE}: schema_version 1 briefings kept no snapshot or definition "
            "and cannot be re-rendered"
        )
    if not briefing.report_path.exists():
        raise ArchiveError(f"{briefing.report_path}: the report definition copy is missing")
    try:
        plan = compile_plan(briefing.report_path, archived=True)
    except SpecError as exc:
        raise ArchiveError(f"cannot re-render {briefing.date}: {exc}") from None
    if plan.sha256 != m.report_definition.sha256:
        raise ArchiveError(
            f"{briefing.report_path}: report_definition.sha256: the copy does not match the manifest (edited by hand?)"
        )
    return plan


def reanalyse(plan: Plan, manifest: Manifest, snapshot: Snapshot, phone: bool = True) -> Analysis:
    """The analysis of an archived briefing, recomputed from its snapshot, with its charts."""
    from generator.charts import render_charts

    analysis = plan.evaluate(snapshot, previous=previous_flags(manifest))
    return replace(analysis, charts=render_charts(plan.spec, analysis.snapshot, phone))


def pdf_task(root: Path, day: date) -> PdfTask:
    """Read and check what the PDF of ``root/DAY`` needs (the definition copy and the snapshot against their
    SHA-256 in the manifest). :class:`ArchiveError` when the briefing cannot be rendered."""
    briefing = find_briefing(Path(root), day)
    path = briefing.directory / MANIFEST_FILE
    published = path.read_bytes()
    briefing = replace(briefing, manifest=parse_manifest(published, path))  # exactly the bytes the PDF is added to
    m = briefing.manifest
    if m.pdf_state == "none":
        raise ArchiveError(f"{path}: schema_version 1 briefings kept no snapshot and cannot be rendered")
    plan = archived_plan(briefing)
    names = [n for n in (m.snapshot.file if m.snapshot else None, m.report_definition.file) if n in m.files]
    files = briefing.verify(*names) if names else {}
    snapshot_bytes = files.get(m.snapshot.file if m.snapshot else "") or briefing.snapshot_path.read_bytes()
    report_bytes = files.get(m.report_definition.file or "") or briefing.report_path.read_bytes()
    record = Record(manifest=m, snapshot=snapshot_bytes, report=report_bytes)
    return PdfTask(day=day, plan=plan, manifest=m, published=published, snapshot=briefing.snapshot, record=record)


def render_task(task: PdfTask) -> bytes:
    """The PDF of the briefing ``task`` describes (no archive access: runs in a worker, or on another machine)."""
    analysis = reanalyse(task.plan, task.manifest, task.snapshot, phone=False)
    files = render_files(task.plan, analysis, task.record, ("pdf",), task.manifest.generator_version)
    return files[PDF_FILE]


def complete_pdf(root: Path, day: date, by: str, clock: Clock = now) -> Manifest | None:
    """Render the pending PDF of ``root/DAY`` here and add it; the manifest written (``None``: nothing to do,
    the PDF is there or was added meanwhile by another process)."""
    briefing = find_briefing(Path(root), day)
    if briefing.manifest.pdf_state != "pending":
        return None
    task = pdf_task(root, day)
    return add_pdf(root, day, render_task(task), task.published, by, clock)


__all__ = ["PdfTask", "add_pdf", "complete_pdf", "pdf_task", "pending", "reanalyse", "render_task", "rendered"]
