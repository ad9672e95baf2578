"""Views over the archive for ``compare`` and ``history``: briefings read, compared, their charts drawn.

Above the archive (which only stores and reads) and the charts, beside the commands that use it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from generator.archive.read import Problem, find_briefing, scan
from generator.charts.history import indicator_history_chart, vintage_chart
from generator.compare import compare, indicator_history
from generator.errors import ArchiveError, UsageError
from generator.manifest import Comparison
from generator.model import ChartImage


@dataclass(frozen=True)
class ArchiveComparison:
    comparison: Comparison
    charts: list[ChartImage]  # the earlier and later data vintage overlaid, for each revised series


def compare_dates(root: Path, day_a: date, day_b: date, charts: bool = False) -> ArchiveComparison:
    """Compare the archived briefings of two dates (earlier first, whatever the order given)."""
    if day_a == day_b:
        raise UsageError(f"compare needs two different dates, got {day_a} twice")
    before_day, after_day = sorted((day_a, day_b))
    before = find_briefing(root, before_day)
    after = find_briefing(root, after_day)
    good, _ = scan(root)
    history = indicator_history(b.manifest for b in good if b.date <= before_day)
    snap_a = before.snapshot  # a missing snapshot is an error naming the file
    snap_b = after.snapshot
    comparison = compare(before.manifest, after.manifest, snap_a, snap_b, history)
    drawn: list[ChartImage] = []
    if charts:
        for update in comparison.series:
            if update.revisions and update.id in snap_a.series and update.id in snap_b.series:
                drawn.append(
                    vintage_chart(
                        update.id,
                        update.label,
                        snap_a.series[update.id].values,
                        snap_b.series[update.id].values,
                        before_day,
                        after_day,
                    )
                )
    return ArchiveComparison(comparison=comparison, charts=drawn)


@dataclass(frozen=True)
class HistoryRow:
    date: date
    value: float | None
    formatted: str
    status: str
    stance: str


@dataclass(frozen=True)
class IndicatorHistory:
    id: str
    label: str
    unit: str
    decimals: int
    rows: list[HistoryRow]  # oldest first; only briefings whose definition had the indicator
    absent: list[date]  # briefings whose definition did not have it
    skipped: list[Problem] = field(default_factory=list)  # briefings that could not be read

    def chart(self) -> ChartImage:
        return indicator_history_chart([r.date for r in self.rows], [r.value for r in self.rows], self.label, self.unit)

    def as_json(self) -> dict[str, object]:
        return {
            "indicator": self.id,
            "label": self.label,
            "unit": self.unit,
            "values": [
                {"date": r.date.isoformat(), "value": r.value, "formatted": r.formatted, "status": r.status}
                for r in self.rows
            ],
            "not_in_definition": [d.isoformat() for d in self.absent],
        }


def indicator_over_time(root: Path, indicator: str) -> IndicatorHistory:
    """``indicator``'s value as recorded in each archived manifest (not recomputed from today's data)."""
    good, bad = scan(root)
    if not good:
        raise ArchiveError(f"the archive {root} has no readable briefing")
    rows = []
    absent = []
    ref = None
    for b in good:
        entry = b.manifest.indicators.get(indicator)
        if entry is None:
            absent.append(b.date)
            continue
        ref = entry
        rows.append(HistoryRow(b.date, entry.value, entry.formatted, entry.status, b.manifest.stance.label))
    if ref is None:
        known = sorted({i for b in good for i in b.manifest.indicators})
        close = difflib.get_close_matches(indicator, known, n=3)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise UsageError(f"no archived briefing has an indicator '{indicator}'{hint}")
    return IndicatorHistory(indicator, ref.label, ref.unit, ref.decimals, rows, absent, bad)
