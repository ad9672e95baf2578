"""The performance grid: total returns by calendar horizon, relative to a benchmark, with a 10-year rank.

Pure pandas. Input: adjusted closes (dividends reinvested, so a price return is
a total return) per series id, the briefing date ``D`` and the declared rows
(``[performance]``, :mod:`generator.spec_performance`).

**The window end.** A row's end close is its last close on or before ``D``;
the horizons count back from the *anchor* ``A``: ``A = D`` for a fresh row.
A stale row (last close more than ``max_staleness_days`` calendar days before
``D``) keeps its values, but they are measured to its own last close (``A`` =
that date) and marked stale with it, so every number is a true statement about
a stated window rather than a week in which nothing was observed.

**Horizons** (calendar, not trading-day counts). The base close of a horizon
is the last close on or before its target date, so a holiday or a weekend on
the target takes the trading day before it:

* ``1w``: target ``A - 7 days``;
* ``1m``, ``3m``, ``12m``: ``A`` minus 1, 3 or 12 calendar months (pandas
  ``DateOffset``; a day that does not exist in the target month becomes that
  month's last day, e.g. 31 May - 3 months = 28/29 Feb);
* ``ytd``: 31 December of the year before ``A`` (the last close of the
  previous calendar year).

**Formulas.** Total return ``R_h = 100 * (P[end] / P[base_h] - 1)`` in %; the
relative return ``R_h(row) - R_h(benchmark)`` in percentage points, the
benchmark taking its own closes on or before the same end and target dates.
A basket row's ``P`` is its equal-weight index, rebalanced daily
(:func:`generator.indicators.leadership.equal_weight_index`). A cell is
``None``, with its reason, when the row (or the benchmark) has no close on or
before the target ("history starts 2024-12-16"), or when the benchmark has no
close within ``max_staleness_days`` of the anchor.

**The percentile** (:func:`relative_percentile`) ranks today's 3-month
relative return among the 3-month relative returns computed the same way at
each of the row's closes in the last ``percentile_years`` years.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from generator.indicators.leadership import equal_weight_index
from generator.spec_performance import Horizon, PerformanceRowSpec, PerformanceSpec

_TOLERANCE = 1e-9  # percentage points: today's value computed twice must rank as itself


@dataclass(frozen=True)
class PerformanceRow:
    """One row of the grid, computed.

    ``returns`` and ``relative`` map each horizon to a value in % and in
    percentage points, or ``None``; ``missing`` and ``missing_relative`` then say
    why. ``bases`` is the date of the close each return starts from. ``as_of``
    is the row's last close on or before the briefing date (``None``: no
    prices). ``pctile_3m_rel_10y`` is in % (0-100); ``pctile_years`` says how
    many years of history it ranks in (fewer than declared when history is
    shorter; ``None`` with no percentile).
    """

    id: str
    label: str
    group: str
    members: tuple[str, ...]
    as_of: date | None
    stale: bool
    returns: dict[Horizon, float | None]
    relative: dict[Horizon, float | None]
    bases: dict[Horizon, date] = field(default_factory=dict)
    missing: dict[Horizon, str] = field(default_factory=dict)
    missing_relative: dict[Horizon, str] = field(default_factory=dict)
    pctile_3m_rel_10y: float | None = None
    pctile_years: float | None = None
    notes: tuple[str, ...] = ()
    is_benchmark: bool = False


@dataclass(frozen=True)
class PerformanceGrid:
    """The grid for one briefing date: rows in declared order, horizons as declared.

    ``targets`` maps each horizon to the calendar date it reaches back to from
    the briefing date (the column's "since"); stale rows reach back from their
    own as-of date instead (their ``bases`` say where they start).
    """

    as_of: date
    benchmark: str
    horizons: tuple[Horizon, ...]
    targets: dict[Horizon, date]
    percentile_years: int
    rows: tuple[PerformanceRow, ...]

    def groups(self) -> list[tuple[str, list[PerformanceRow]]]:
        """Rows by group, groups in the order they first appear."""
        out: dict[str, list[PerformanceRow]] = {}
        for row in self.rows:
            out.setdefault(row.group, []).append(row)
        return list(out.items())

    def row(self, row_id: str) -> PerformanceRow:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)


def horizon_target(horizon: Horizon, anchor: date) -> date:
    """The calendar date a horizon reaches back to from ``anchor`` (its base is the last close on or before it)."""
    ts = pd.Timestamp(anchor)
    if horizon == "1w":
        return (ts - pd.Timedelta(days=7)).date()
    if horizon == "ytd":
        return date(anchor.year - 1, 12, 31)
    months = {"1m": 1, "3m": 3, "12m": 12}[horizon]
    return (ts - pd.DateOffset(months=months)).date()


def _clean(series: pd.Series) -> pd.Series:
    """Float values on a sorted, unique DatetimeIndex, missing values dropped."""
    out = series.astype(float).dropna()
    out.index = pd.DatetimeIndex(out.index)
    out = out[~out.index.duplicated(keep="last")]
    return out.sort_index()


def _close_on_or_before(prices: pd.Series, when: date) -> tuple[pd.Timestamp, float] | None:
    pos = int(prices.index.searchsorted(pd.Timestamp(when), side="right")) - 1
    if pos < 0:
        return None
    return prices.index[pos], float(prices.iloc[pos])


def period_return(prices: pd.Series, anchor: date, target: date) -> tuple[float, date] | str:
    """``(100 * (P[end] / P[base] - 1), base date)``, or why not.

    ``end`` is the last close on or before ``anchor``, ``base`` the last close on
    or before ``target``; the reason is "history starts YYYY-MM-DD" when there is
    no close on or before the target.
    """
    if prices.empty:
        return "no prices"
    end = _close_on_or_before(prices, anchor)
    base = _close_on_or_before(prices, target)
    if end is None or base is None:
        return f"history starts {prices.index[0].date()}"
    return 100.0 * (end[1] / base[1] - 1.0), base[0].date()


def rolling_return(prices: pd.Series, at: pd.DatetimeIndex, months: int = 3) -> np.ndarray:
    """At each date t of ``at``: 100 * (P[last close <= t] / P[last close <= t - months] - 1); NaN without a base."""
    values = prices.to_numpy(dtype=float)
    end = prices.index.searchsorted(at, side="right") - 1
    base = prices.index.searchsorted(at - pd.DateOffset(months=months), side="right") - 1
    ok = (end >= 0) & (base >= 0)
    out = np.full(len(at), np.nan)
    out[ok] = 100.0 * (values[end[ok]] / values[base[ok]] - 1.0)
    return out


def relative_percentile(
    row: pd.Series, benchmark: pd.Series, anchor: date, today: float, years: int, min_years: float
) -> tuple[float, float, date] | str:
    """Where ``today`` (the 3-month relative return, pp) ranks among the row's own history, in %, or why not.

    Distribution: x(t) = rolling_return(row)(t) - rolling_return(benchmark)(t)
    at every close t of the row with A - ``years`` years < t <= A and a value.
    Percentile = 100 * count(x(t) <= today) / count(x(t)): 100 means today's is
    the highest of the decade. Returns ``(percentile, years covered, first t)``;
    years covered is ``years`` when there is a value from the row's first close
    in the window on, else (A - first t) / 365.25 (shorter history). Under
    ``min_years`` of values there is no percentile.
    """
    start = pd.Timestamp(anchor) - pd.DateOffset(years=years)
    window = row.index[(row.index > start) & (row.index <= pd.Timestamp(anchor))]
    x = rolling_return(row, window) - rolling_return(benchmark, window)
    keep = ~np.isnan(x)
    x, at = x[keep], window[keep]
    if len(x) == 0:
        return "no 3-month relative returns to rank against"
    first = at[0]
    full = first == window[0]  # a value from the window's first close on: the whole span is covered
    covered = float(years) if full else (pd.Timestamp(anchor) - first).days / 365.25
    if covered < min_years:
        return f"3-month relative returns only since {first.date()} ({covered:.1f} years; the rank needs {min_years:g})"
    pct = 100.0 * float(np.count_nonzero(x <= today + _TOLERANCE)) / len(x)
    return pct, covered, first.date()


def _row_prices(row: PerformanceRowSpec, prices: Mapping[str, pd.Series], as_of: date) -> pd.Series | str:
    """The row's closes on or before ``as_of`` (a basket's equal-weight index), or why there are none."""
    absent = [sid for sid in row.series_ids if sid not in prices or prices[sid].dropna().empty]
    if absent:
        return f"no prices for {', '.join(absent)}"
    cut = {sid: _clean(prices[sid]).loc[: pd.Timestamp(as_of)] for sid in row.series_ids}
    before = [sid for sid, s in cut.items() if s.empty]
    if before:
        return f"no prices for {', '.join(before)} on or before {as_of}"
    if not row.is_basket:
        return cut[row.id]
    path = equal_weight_index(pd.concat(cut, axis=1))
    if path.empty:
        return f"no date on which every member of {row.id} has a price on or before {as_of}"
    return path


def _basket_start(row: PerformanceRowSpec, prices: Mapping[str, pd.Series]) -> str:
    """The member whose history starts last (where the basket's starts), as " (META)"."""
    firsts = {sid: _clean(prices[sid]).index[0] for sid in row.series_ids}
    return f" ({max(firsts, key=lambda sid: firsts[sid])})"


def _group_reasons(reasons: Mapping[Horizon, str], prefix: str = "") -> list[str]:
    by_reason: dict[str, list[str]] = {}
    for h, why in reasons.items():
        by_reason.setdefault(why, []).append(h)
    return [f"{prefix}{', '.join(hs)}: {why}" for why, hs in by_reason.items()]


def _compute_row(
    row: PerformanceRowSpec,
    prices: Mapping[str, pd.Series],
    bench: pd.Series | str,
    spec: PerformanceSpec,
    as_of: date,
    horizons: Sequence[Horizon],
) -> PerformanceRow:
    path = _row_prices(row, prices, as_of)
    is_benchmark = row.id == spec.benchmark
    if isinstance(path, str):
        nothing: dict[Horizon, float | None] = {h: None for h in horizons}
        return PerformanceRow(
            id=row.id, label=row.label, group=row.group, members=row.series_ids, is_benchmark=is_benchmark,
            as_of=None, stale=False, returns=dict(nothing), relative=dict(nothing),
            missing={h: path for h in horizons}, missing_relative={h: path for h in horizons}, notes=(path,),
        )  # fmt: skip
    last = path.index[-1].date()
    stale = (as_of - last).days > spec.max_staleness_days
    anchor = last if stale else as_of
    notes: list[str] = []
    if stale:
        notes.append(f"stale: last close {last}, {(as_of - last).days} days before {as_of}; returns measured to {last}")
    bench_end = None if isinstance(bench, str) else _close_on_or_before(bench, anchor)
    bench_problem = bench if isinstance(bench, str) else None
    if bench_end is not None and (anchor - bench_end[0].date()).days > spec.max_staleness_days:
        bench_problem = (
            f"{spec.benchmark} has no close within {spec.max_staleness_days} days of {anchor}"
            f" (last {bench_end[0].date()})"
        )
    elif bench_end is None and bench_problem is None:
        bench_problem = f"{spec.benchmark} has no close on or before {anchor}"
    returns: dict[Horizon, float | None] = {}
    relative: dict[Horizon, float | None] = {}
    bases: dict[Horizon, date] = {}
    missing: dict[Horizon, str] = {}
    missing_rel: dict[Horizon, str] = {}
    wanted: list[Horizon] = list(horizons) if "3m" in horizons else [*horizons, "3m"]
    for h in wanted:
        target = horizon_target(h, anchor)
        got = period_return(path, anchor, target)
        if isinstance(got, str):
            returns[h], relative[h] = None, None
            missing[h] = missing_rel[h] = got + (_basket_start(row, prices) if row.is_basket else "")
            continue
        returns[h], bases[h] = got
        if is_benchmark:
            relative[h], missing_rel[h] = None, "the benchmark itself"
        elif bench_problem is not None:
            relative[h], missing_rel[h] = None, bench_problem
        else:
            assert not isinstance(bench, str)
            b = period_return(bench, anchor, target)
            if isinstance(b, str):
                relative[h], missing_rel[h] = None, f"{spec.benchmark} {b}"
            else:
                relative[h] = got[0] - b[0]
    notes += _group_reasons({h: w for h, w in missing.items() if h in horizons})
    notes += _group_reasons(
        {h: w for h, w in missing_rel.items() if h in horizons and h not in missing and not is_benchmark},
        "relative ",
    )
    pctile: float | None = None
    years: float | None = None
    today = relative.get("3m")
    if today is not None and not isinstance(bench, str):
        ranked = relative_percentile(path, bench, anchor, today, spec.percentile_years, spec.min_percentile_years)
        if isinstance(ranked, str):
            notes.append(f"no percentile: {ranked}")
        else:
            pctile, years, first = ranked
            if years < spec.percentile_years:
                notes.append(
                    f"percentile over {years:.1f} years, not {spec.percentile_years}: "
                    f"3-month relative returns start {first}"
                )
    return PerformanceRow(
        id=row.id, label=row.label, group=row.group, members=row.series_ids, is_benchmark=is_benchmark,
        as_of=last, stale=stale,
        returns={h: returns[h] for h in horizons}, relative={h: relative[h] for h in horizons},
        bases={h: d for h, d in bases.items() if h in horizons},
        missing={h: w for h, w in missing.items() if h in horizons},
        missing_relative={h: w for h, w in missing_rel.items() if h in horizons},
        pctile_3m_rel_10y=pctile, pctile_years=years, notes=tuple(notes),
    )  # fmt: skip


def performance_grid(prices: Mapping[str, pd.Series], as_of: date, spec: PerformanceSpec) -> PerformanceGrid:
    """The grid for briefing date ``as_of`` from adjusted closes per series id (see the module docstring).

    Observations after ``as_of`` are ignored. Never raises for missing or short
    data: such cells are ``None`` with their reason in the row.
    """
    horizons = tuple(spec.horizons)
    bench: pd.Series | str
    if spec.benchmark not in prices or prices[spec.benchmark].dropna().empty:
        bench = f"no prices for {spec.benchmark}"
    else:
        bench = _clean(prices[spec.benchmark]).loc[: pd.Timestamp(as_of)]
        if bench.empty:
            bench = f"no prices for {spec.benchmark} on or before {as_of}"
    rows = tuple(_compute_row(r, prices, bench, spec, as_of, horizons) for r in spec.rows)
    return PerformanceGrid(
        as_of=as_of,
        benchmark=spec.benchmark,
        horizons=horizons,
        targets={h: horizon_target(h, as_of) for h in horizons},
        percentile_years=spec.percentile_years,
        rows=rows,
    )
