"""Everything an archived briefing is made of, before it is written.

A briefing folder holds the HTML, the PDF/A-3b, ``manifest.json``, the data
snapshot (``snapshot.parquet``) and a copy of the report definition used
(``report.toml``): with these three last files the briefing can be re-rendered
offline from its own folder, however the definition in ``reports/`` changed
since. The PDF embeds the manifest, the snapshot and the definition, so it is a
complete record on its own.

The "Since the last briefing" comparison and the flag history are computed
here from the earlier briefings and stored in the manifest, so a re-render
reads them back instead of depending on what else the archive holds then.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from generator.archive.read import ArchivedBriefing, Problem, scan
from generator.compare import compare, history_points, indicator_history
from generator.errors import ArchiveError, SpecError
from generator.manifest import (
    MANIFEST_FILE,
    REPORT_FILE,
    Comparison,
    HistoryPoint,
    Manifest,
    SnapshotEntry,
    build_manifest,
    manifest_bytes,
)
from generator.model import Analysis, ChartImage, FlagState, PreviousFlag, Snapshot
from generator.render import build_context, render_html, render_pdf
from generator.render.context import BriefingContext
from generator.render.pdf import PdfAttachment
from generator.snapshot_io import SNAPSHOT_FILE, snapshot_bytes
from generator.spec import LoadedSpec

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/a-3b"
HISTORY_LIMIT = 52


@dataclass(frozen=True)
class Earlier:
    """An earlier briefing: its manifest, and its data snapshot when asked for (read lazily)."""

    manifest: Manifest
    load_snapshot: Callable[[], Snapshot]

    @classmethod
    def archived(cls, briefing: ArchivedBriefing) -> Earlier:
        return cls(briefing.manifest, lambda: briefing.snapshot)

    @classmethod
    def in_memory(cls, manifest: Manifest, snapshot: Snapshot) -> Earlier:
        return cls(manifest, lambda: snapshot)


@dataclass(frozen=True)
class Past:
    """The archive as a new briefing sees it: the briefings before its date, oldest first."""

    earlier: list[Earlier] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def manifests(self) -> list[Manifest]:
        return [e.manifest for e in self.earlier]

    @property
    def previous(self) -> Earlier | None:
        return self.earlier[-1] if self.earlier else None

    @property
    def previous_flags(self) -> dict[str, PreviousFlag]:
        """The previous briefing's flags as recorded (state and value): hysteresis and change labels read them."""
        if self.previous is None:
            return {}
        return {
            fid: PreviousFlag(state=FlagState(f.state), value=f.value)
            for fid, f in self.previous.manifest.flags.items()
        }


def load_past(root: Path, day: date) -> Past:
    """Read the briefings dated before ``day`` (damaged ones are skipped and listed in ``problems``)."""
    good, bad = scan(root)
    return Past(
        earlier=[Earlier.archived(b) for b in good if b.date < day],
        problems=[p for p in bad if p.directory.name < day.isoformat()],
    )


@dataclass(frozen=True)
class Record:
    """The manifest (without file hashes) and the data files of one briefing."""

    manifest: Manifest
    snapshot: bytes
    report: bytes


def report_bytes(loaded: LoadedSpec) -> bytes:
    """The definition's bytes, checked against the hash taken when it was loaded."""
    try:
        raw = Path(loaded.path).read_bytes()
    except OSError as exc:
        raise SpecError(f"{loaded.path}: cannot read report definition ({exc.strerror})") from None
    if hashlib.sha256(raw).hexdigest() != loaded.sha256:
        raise SpecError(f"{loaded.path}: the report definition changed while the briefing was being built; run again")
    return raw


def since_last(past: Past, current: Manifest, snapshot: Snapshot) -> Comparison | None:
    """The comparison with the previous archived briefing (``None`` for the first one)."""
    if past.previous is None:
        return None
    previous_snapshot: Snapshot | None
    try:
        previous_snapshot = past.previous.load_snapshot()
    except ArchiveError as exc:
        log.warning("%s", exc)
        previous_snapshot = None
    history = indicator_history(past.manifests)
    return compare(past.previous.manifest, current, previous_snapshot, snapshot, history)


def make_record(
    loaded: LoadedSpec, analysis: Analysis, day: date, generated_at: datetime, version: str, past: Past
) -> Record:
    snap = snapshot_bytes(analysis.snapshot)
    entry = SnapshotEntry(
        file=SNAPSHOT_FILE,
        sha256=hashlib.sha256(snap).hexdigest(),
        series=len(analysis.snapshot.series),
        observations=sum(int(s.values.size) for s in analysis.snapshot.series.values()),
    )
    history = history_points(past.manifests, HISTORY_LIMIT)
    manifest = build_manifest(loaded, analysis, day, generated_at, version, snapshot=entry, history=history)
    manifest = manifest.model_copy(update={"since_last": since_last(past, manifest, analysis.snapshot)})
    return Record(manifest=manifest, snapshot=snap, report=report_bytes(loaded))


def history_chart(manifest: Manifest) -> ChartImage | None:
    """The flag-history chart from the manifest's history plus this briefing (``None`` without history)."""
    points = [
        *manifest.history,
        HistoryPoint(date=manifest.briefing_date, stance=manifest.stance.label, flags=manifest.flag_states()),
    ]
    labels = {fid: f.label for fid, f in manifest.flags.items()}
    from generator.charts.history import flag_history_chart  # matplotlib only when a chart is drawn here

    return flag_history_chart([p.date for p in points], [p.flags for p in points], labels)


def document_context(
    loaded: LoadedSpec, analysis: Analysis, manifest: Manifest, version: str, flag_history: ChartImage | None
) -> BriefingContext:
    context = build_context(loaded, analysis, manifest.briefing_date, manifest.generated_at, version)
    return replace(context, since_last=manifest.since_last, flag_history=flag_history)


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
        # The embedded manifest lists the hashes of every file but the PDF itself, which cannot hold its own.
        embedded = record.manifest.model_copy(
            update={"files": {n: hashlib.sha256(d).hexdigest() for n, d in sorted(files.items())}}
        )
        attachments = [
            PdfAttachment(MANIFEST_FILE, manifest_bytes(embedded), "Manifest: every number and its source", "Data"),
            PdfAttachment(SNAPSHOT_FILE, record.snapshot, "Data snapshot the briefing was computed from", "Source"),
            PdfAttachment(REPORT_FILE, record.report, "Report definition used", "Source"),
        ]
        files["briefing.pdf"] = render_pdf(
            render_html(context, "pdf"), context, attachments=attachments, pdf_variant=PDF_VARIANT
        )
    return dict(sorted(files.items()))
