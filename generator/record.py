"""What a briefing records about itself before it is rendered: the manifest, the data snapshot, the definition.

The manifest carries every number with its source and as-of date, the
comparison with the previous comparable briefing ("Since the last briefing")
and the flag history, so a re-render reads them back instead of depending on
what else the archive holds then.

Only briefings of the same report and the same kind of data count as "past":
an illustrative briefing never compares with a real one (synthetic-versus-real
differences are not revisions) nor feeds its hysteresis, and neither does a
briefing of another report sharing the archive.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from generator.compare import compare, history_points, indicator_history
from generator.dashboard import build_dashboard
from generator.errors import ArchiveError
from generator.manifest import Comparison, HistoryPoint, Manifest, SnapshotEntry, build_manifest
from generator.model import Analysis, ChartImage, FlagState, PreviousFlag, Snapshot
from generator.snapshot_io import SNAPSHOT_FILE, snapshot_bytes
from generator.spec import LoadedSpec

log = logging.getLogger(__name__)

HISTORY_LIMIT = 52


@dataclass(frozen=True)
class Earlier:
    """An earlier briefing: its manifest, and its data snapshot when asked for (read lazily)."""

    manifest: Manifest
    load_snapshot: Callable[[], Snapshot]

    @classmethod
    def in_memory(cls, manifest: Manifest, snapshot: Snapshot) -> Earlier:
        return cls(manifest, lambda: snapshot)


@dataclass(frozen=True)
class Past:
    """The briefings before a date that a new one may compare with, oldest first."""

    earlier: list[Earlier] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # earlier briefings that could not be read, and why
    skipped: list[str] = field(default_factory=list)  # why some archived briefings were not compared with

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


def comparable(manifest: Manifest, report_id: str | None, illustrative: bool | None) -> bool:
    """Whether an archived briefing is of the same report and the same kind of data (real or illustrative)."""
    theirs = manifest.report_definition.id
    if report_id is not None and theirs is not None and theirs != report_id:
        return False
    return illustrative is None or manifest.source.illustrative == illustrative


def select_past(earlier: list[Earlier], day: date, report_id: str | None, illustrative: bool | None) -> Past:
    """The comparable briefings dated before ``day``; the others are listed in ``skipped``."""
    kept, skipped = [], []
    for e in earlier:
        if e.manifest.briefing_date >= day:
            continue
        if comparable(e.manifest, report_id, illustrative):
            kept.append(e)
        else:
            kind = "illustrative" if e.manifest.source.illustrative else "real"
            skipped.append(f"{e.manifest.briefing_date} ({kind} data, report "
                           f"'{e.manifest.report_definition.id or e.manifest.report_definition.title}')")
    return Past(earlier=kept, skipped=skipped)


@dataclass(frozen=True)
class Record:
    """The manifest (without file hashes) and the data files of one briefing."""

    manifest: Manifest
    snapshot: bytes
    report: bytes


def since_last(past: Past, current: Manifest, snapshot: Snapshot) -> Comparison | None:
    """The comparison with the previous comparable briefing (``None`` for the first one)."""
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
    """The manifest and the files that make a briefing reproducible: the acquired data and the definition."""
    acquired = analysis.acquired or analysis.snapshot
    snap = snapshot_bytes(acquired)
    entry = SnapshotEntry(
        file=SNAPSHOT_FILE,
        sha256=hashlib.sha256(snap).hexdigest(),
        series=len(acquired.series),
        observations=sum(int(s.values.size) for s in acquired.series.values()),
    )
    history = history_points(past.manifests, HISTORY_LIMIT)
    manifest = build_manifest(loaded, analysis, day, generated_at, version, snapshot=entry, history=history)
    comparison = since_last(past, manifest, acquired)
    calendar = getattr(loaded, "calendar", None)  # a compiled plan carries its calendar; a bare definition none
    dashboard = build_dashboard(loaded.spec, analysis, comparison, calendar, day)
    manifest = manifest.model_copy(update={"since_last": comparison, "dashboard": dashboard})
    return Record(manifest=manifest, snapshot=snap, report=loaded.definition_bytes())


def history_chart(manifest: Manifest) -> ChartImage | None:
    """The flag-history chart from the manifest's history plus this briefing (``None`` without history)."""
    points = [
        *manifest.history,
        HistoryPoint(date=manifest.briefing_date, stance=manifest.stance.label, flags=manifest.flag_states()),
    ]
    labels = {fid: f.label for fid, f in manifest.flags.items()}
    from generator.charts.history import flag_history_chart  # matplotlib only when a chart is drawn here

    return flag_history_chart([p.date for p in points], [p.flags for p in points], labels)
