"""Compare two briefings: what moved, which flags changed, and whether macro data were new or revised.

Inputs are what the archive keeps of each briefing (its validated manifest and
its data snapshot), so two briefings built from different report definitions
compare without error: an indicator or flag present in only one of them is
shown as added or removed.

"Moved most" is measured two ways: in the indicator's own unit, and in
standard deviations: the change's distance from the mean of the indicator's
past briefing-to-briefing changes, divided by their standard deviation (as
recorded in the archived manifests up to the earlier briefing, at least
:data:`MIN_SD_CHANGES` of them). Ranking uses the standard-deviation move
where it exists, then the relative change.

For each macro series (FRED) the two snapshots are compared date by date: an
observation dated after everything the earlier briefing had is a *new
observation*; an observation both had with a different value is a *revision*
of an already published number.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from generator.manifest import (
    Comparison,
    FlagTransition,
    HistoryPoint,
    IndicatorMove,
    Manifest,
    Presence,
    Revision,
    SeriesUpdate,
    UpdateKind,
)
from generator.model import Snapshot

MIN_SD_CHANGES = 4  # fewer past changes than this give no meaningful standard deviation
SD_WINDOW = 52  # past changes used: about a year of weekly briefings
TOP_MOVERS = 8
MACRO_PROVIDERS = ("fred",)


def indicator_history(manifests: Iterable[Manifest]) -> dict[str, list[float]]:
    """Each indicator's recorded values across ``manifests`` (oldest first), skipping missing ones."""
    out: dict[str, list[float]] = {}
    for m in sorted(manifests, key=lambda m: m.briefing_date):
        for iid, entry in m.indicators.items():
            if entry.value is not None:
                out.setdefault(iid, []).append(entry.value)
    return out


def change_stats(values: Sequence[float]) -> tuple[float, float | None, int]:
    """Mean and sample standard deviation of consecutive changes of ``values`` (last :data:`SD_WINDOW`), and count.

    The standard deviation is ``None`` with fewer than :data:`MIN_SD_CHANGES` changes or none at all.
    """
    changes = [b - a for a, b in itertools.pairwise(values)][-SD_WINDOW:]
    if len(changes) < MIN_SD_CHANGES:
        return 0.0, None, len(changes)
    sd = statistics.stdev(changes)
    return statistics.fmean(changes), (sd if sd > 0 else None), len(changes)


def _indicator_moves(before: Manifest, after: Manifest, history: dict[str, list[float]]) -> list[IndicatorMove]:
    moves: list[IndicatorMove] = []
    ids = list(after.indicators) + [i for i in before.indicators if i not in after.indicators]
    for iid in ids:
        a = before.indicators.get(iid)
        b = after.indicators.get(iid)
        ref = b or a
        assert ref is not None
        presence: Presence = "both" if a and b else ("added" if b else "removed")
        va = a.value if a else None
        vb = b.value if b else None
        change = vb - va if va is not None and vb is not None else None
        mean, sd, basis = change_stats(history.get(iid, []))
        # how unusual the move is: a counter that rises 7 days every week has not "moved" when it does so again
        sd_change = (change - mean) / sd if change is not None and sd else None
        moves.append(
            IndicatorMove(
                id=iid,
                label=ref.label,
                unit=ref.unit,
                decimals=ref.decimals,
                before=va,
                after=vb,
                change=change,
                sd_change=sd_change,
                sd_basis=basis,
                presence=presence,
            )
        )
    return moves


def rank_movers(moves: Sequence[IndicatorMove], top: int = TOP_MOVERS) -> list[str]:
    """Ids of the indicators that moved most: by |SD move| first, then by |relative change|."""

    def key(m: IndicatorMove) -> tuple[int, float]:
        if m.sd_change is not None:
            return (0, -abs(m.sd_change))
        assert m.change is not None
        scale = abs(m.before) if m.before else 1.0
        return (1, -abs(m.change) / scale)

    moved = [m for m in moves if m.change is not None and m.change != 0]
    return [m.id for m in sorted(moved, key=key)[:top]]


def _flag_changes(before: Manifest, after: Manifest) -> list[FlagTransition]:
    ids = list(after.flags) + [f for f in before.flags if f not in after.flags]
    out = []
    for fid in ids:
        a = before.flags.get(fid)
        b = after.flags.get(fid)
        ref = b or a
        assert ref is not None
        out.append(
            FlagTransition(
                id=fid,
                label=ref.label,
                kind=ref.kind,
                before=a.state if a else None,
                after=b.state if b else None,
            )
        )
    return out


def series_update(sid: str, label: str, frequency: str, a: pd.Series | None, b: pd.Series | None) -> SeriesUpdate:
    """Classify what changed in one series between snapshot ``a`` (earlier) and ``b`` (later)."""
    if a is None or b is None:
        kept = b if b is not None else a
        last = float(kept.iloc[-1]) if kept is not None and not kept.empty else None
        return SeriesUpdate(
            id=sid,
            label=label,
            frequency=frequency,
            what="added" if a is None else "removed",
            last_after=last if b is not None else None,
            last_before=last if a is not None else None,
        )
    a = a.dropna()
    b = b.dropna()
    common = a.index.intersection(b.index)
    old = a.reindex(common).to_numpy(dtype="float64")
    new = b.reindex(common).to_numpy(dtype="float64")
    differs = ~np.isclose(old, new, rtol=1e-9, atol=1e-12)
    revisions = [
        Revision(date=common[i].date(), before=float(old[i]), after=float(new[i])) for i in np.flatnonzero(differs)
    ]
    new_dates = [d.date() for d in b.index.difference(a.index)]
    what: UpdateKind
    if new_dates and revisions:
        what = "new observation and revision"
    elif new_dates:
        what = "new observation"
    elif revisions:
        what = "revision"
    else:
        what = "unchanged"
    return SeriesUpdate(
        id=sid,
        label=label,
        frequency=frequency,
        what=what,
        new_dates=new_dates,
        last_before=float(a.iloc[-1]) if not a.empty else None,
        last_after=float(b.iloc[-1]) if not b.empty else None,
        revisions=revisions,
    )


def _series_updates(before: Manifest, snap_a: Snapshot, after: Manifest, snap_b: Snapshot) -> list[SeriesUpdate]:
    out = []
    ids = list(after.series) + [s for s in before.series if s not in after.series]
    for sid in ids:
        entry = after.series.get(sid) or before.series[sid]
        if entry.provider not in MACRO_PROVIDERS:
            continue
        sa = snap_a.series.get(sid)
        sb = snap_b.series.get(sid)
        out.append(
            series_update(
                sid,
                entry.label or sid,
                entry.frequency or "?",
                sa.values if sa is not None else None,
                sb.values if sb is not None else None,
            )
        )
    return out


def compare(
    before: Manifest,
    after: Manifest,
    snap_before: Snapshot | None,
    snap_after: Snapshot | None,
    history: dict[str, list[float]] | None = None,
    top: int = TOP_MOVERS,
) -> Comparison:
    """Briefing ``before`` against ``after``. ``history``: each indicator's archived values up to ``before``."""
    notes: list[str] = []
    if before.report_definition.sha256 != after.report_definition.sha256:
        notes.append(
            "the report definition changed between the two briefings "
            f"({before.report_definition.sha256[:12]} -> {after.report_definition.sha256[:12]}): "
            "indicators and flags present in only one are shown as added or removed"
        )
    moves = _indicator_moves(before, after, history or {})
    if snap_before is not None and snap_after is not None:
        series = _series_updates(before, snap_before, after, snap_after)
    else:
        series = []
        notes.append("a data snapshot is missing, so new observations and revisions cannot be told apart")
    return Comparison(
        before=before.briefing_date,
        after=after.briefing_date,
        stance_before=before.stance.label,
        stance_after=after.stance.label,
        indicators=moves,
        movers=rank_movers(moves, top),
        flags=_flag_changes(before, after),
        series=series,
        notes=notes,
    )


def history_points(manifests: Iterable[Manifest], limit: int = 52) -> list[HistoryPoint]:
    """The last ``limit`` briefings' stance and flag states, oldest first: the flag-history chart's data."""
    ordered = sorted(manifests, key=lambda m: m.briefing_date)[-limit:]
    return [HistoryPoint(date=m.briefing_date, stance=m.stance.label, flags=m.flag_states()) for m in ordered]


def format_change(value: float | None, decimals: int) -> str:
    """'+0.25', '-1.10', '0.00' or '-' for a change shown in its own unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:+,.{decimals}f}"
