"""What a briefing records about itself before it is rendered: the manifest, the data snapshot, the definition.

The manifest carries every number with its source and as-of date, the
comparison with the previous comparable briefing ("Since the last briefing")
and the flag history, so a re-render reads them back instead of depending on
what else the archive holds then.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime

from generator.compare import compare, history_points, indicator_history
from generator.dashboard import build_dashboard
from generator.errors import ArchiveError
from generator.manifest import Comparison, HistoryPoint, Manifest, SnapshotEntry, build_manifest
from generator.model import Analysis, ChartImage, Snapshot
from generator.past import Past
from generator.snapshot_io import SNAPSHOT_FILE, snapshot_bytes
from generator.spec import LoadedSpec

log = logging.getLogger(__name__)

HISTORY_LIMIT = 52


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
    dashboard = build_dashboard(loaded.spec, analysis, comparison, day) if analysis.outlook is not None else None
    manifest = manifest.model_copy(update={"since_last": comparison, "dashboard": dashboard})
    return Record(manifest=manifest, snapshot=snap, report=loaded.definition_bytes())


def history_chart(manifest: Manifest) -> ChartImage | None:
    """The flag-history chart from an archived manifest: its recorded history plus the briefing itself."""
    points = [
        *manifest.history,
        HistoryPoint(date=manifest.briefing_date, stance=manifest.stance.label, flags=manifest.flag_states()),
    ]
    from generator.charts.history import draw_history  # matplotlib only when a chart is drawn here

    return draw_history(points, {fid: f.label for fid, f in manifest.flags.items()})
