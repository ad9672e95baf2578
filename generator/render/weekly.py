"""View models of the weekly note's tables: the performance grid, the scorecard's conditions, the dates under a number.

Templates only format; every word that depends on data (stale marks, periods,
signs) is decided here so it can be tested without rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.indicators.performance import PerformanceGrid, PerformanceRow
from generator.model import ConditionReading, IndicatorValue, SeriesData, Snapshot
from generator.phrasing import amount
from generator.spec import ReportSpec

HORIZON_NAMES = {"1w": "1 wk", "1m": "1 mo", "3m": "3 mo", "ytd": "YTD", "12m": "12 mo"}
MINUS = "\u2212"


def short_date(d: date) -> str:
    """``13 Jun 2025``."""
    return f"{d.day} {d:%b %Y}"


def signed(value: float | None, decimals: int = 1) -> str:
    """``+1.2`` / ``−0.4`` (a true minus sign) / ``0.0``; an en dash for no value."""
    if value is None:
        return "–"
    text = f"{abs(value):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text


@dataclass(frozen=True)
class Cell:
    """A number in the grid: its text, whether it is a gain or a loss, and why it is empty when it is."""

    text: str
    sign: str  # "gain" | "loss" | "flat" | "none"
    why: str = ""


def _cell(value: float | None, why: str = "", decimals: int = 1) -> Cell:
    if value is None:
        return Cell("–", "none", why)
    shown = round(value, decimals)
    return Cell(signed(value, decimals), "gain" if shown > 0 else "loss" if shown < 0 else "flat")


@dataclass(frozen=True)
class GridRow:
    id: str
    label: str
    stale_note: str  # "stale: last close 13 Jun 2025" or ""
    returns: list[Cell]
    relative: list[Cell]
    pctile: str
    benchmark: bool


@dataclass(frozen=True)
class GridView:
    """The performance grid as the template shows it: groups of rows, one column per horizon."""

    as_of: date
    benchmark: str
    horizons: list[str]  # column heads: "1 week", ...
    relative_horizons: list[str]  # the horizons also shown relative to the benchmark
    groups: list[tuple[str, list[GridRow]]]
    percentile_years: int


RELATIVE = ("3m", "12m")


def _grid_row(row: PerformanceRow, horizons: tuple[str, ...]) -> GridRow:
    stale = f"stale: last close {short_date(row.as_of)}" if row.stale and row.as_of else ""
    if row.as_of is None:
        stale = "no data"
    pct = "–"
    if row.pctile_3m_rel_10y is not None:
        pct = f"{row.pctile_3m_rel_10y:.0f}"
    return GridRow(
        id=row.id,
        label=row.label,
        stale_note=stale,
        returns=[_cell(row.returns.get(h), row.missing.get(h, "")) for h in horizons],  # type: ignore[call-overload]
        relative=[_cell(row.relative.get(h), row.missing_relative.get(h, "")) for h in RELATIVE if h in horizons],  # type: ignore[call-overload]
        pctile=pct,
        benchmark=row.is_benchmark,
    )


def grid_view(grid: PerformanceGrid | None) -> GridView | None:
    if grid is None:
        return None
    horizons = tuple(grid.horizons)
    return GridView(
        as_of=grid.as_of,
        benchmark=grid.benchmark,
        horizons=[HORIZON_NAMES[h] for h in horizons],
        relative_horizons=[HORIZON_NAMES[h] for h in RELATIVE if h in horizons],
        groups=[(name, [_grid_row(r, horizons) for r in rows]) for name, rows in grid.groups()],
        percentile_years=grid.percentile_years,
    )


# ---------------------------------------------------------------- the scorecard's conditions


@dataclass(frozen=True)
class ConditionView:
    """One condition of a flag as the scorecard prints it, with its own value and state."""

    label: str
    value: str  # "2.9%", "−2.1%", "no data"
    state: str  # "green" | "amber" | "red" | "unknown" | "stale"
    thresholds: str
    stale_note: str


def condition_views(conditions: tuple[ConditionReading, ...]) -> list[ConditionView]:
    out = []
    for c in conditions:
        value = "no data" if c.value is None else amount(c.value, c.unit, c.decimals)
        stale = f"stale: as of {short_date(c.stale_as_of)}" if c.stale_as_of else ""
        out.append(ConditionView(c.label, value, "stale" if stale else c.state.value, c.thresholds, stale))
    return out


# ---------------------------------------------------------------- the dates under a number


def _period(data: SeriesData, frequency: str) -> str:
    last = data.last_date
    if last is None:
        return "no data"
    if frequency == "monthly":
        return f"{last:%b %Y}"
    if frequency == "quarterly":
        return f"Q{(last.month - 1) // 3 + 1} {last.year}"
    return str(last)


def inputs_text(ind: IndicatorValue, spec: ReportSpec, snapshot: Snapshot) -> str:
    """What each input's last observation is: dates for daily data, periods for monthly and quarterly.

    ``IWM, SPY 2025-08-13``; ``CPILFESL Jun 2025 (Jul due ~15 Aug; not used before then without vintage data)``.
    A stand-in or derived input says so.
    """
    from generator.watch import next_period  # the expected-release rule of "What to watch"

    groups: dict[str, list[str]] = {}
    notes: list[str] = []
    for sid in ind.inputs_as_of:
        data = snapshot.series.get(sid)
        sspec = spec.series.get(sid)
        if data is None:
            groups.setdefault("no data", []).append(sid)
            continue
        frequency = sspec.frequency if sspec else "daily"
        text = _period(data, frequency)
        if sspec is not None and frequency in ("monthly", "quarterly") and data.last_date is not None:
            upcoming = next_period(data.last_date, frequency)
            due = upcoming.toordinal() + sspec.publication_lag_days
            due_date = date.fromordinal(due)
            label = f"{upcoming:%b}" if frequency == "monthly" else "the next quarter"
            if due_date > snapshot.as_of:
                text += f" ({label} due ~{due_date.day} {due_date:%b})"
        groups.setdefault(text, []).append(sid)
        if data.fallback:
            notes.append(f"{sid}: {data.fallback}")
    # Many inputs on one date (a basket of seven) read as a count; the appendix names them.
    parts = [f"{', '.join(ids) if len(ids) <= 3 else f'{len(ids)} series'} {when}" for when, ids in groups.items()]
    return "; ".join(parts + notes)


def stale_note(ind: IndicatorValue) -> str:
    """``stale: as of 13 Jun 2025`` for a value computed from an input older than its series allows."""
    if not ind.stale or ind.as_of is None:
        return ""
    return f"stale: as of {short_date(ind.as_of)}"
