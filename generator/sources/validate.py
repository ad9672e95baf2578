"""Validation on arrival: every series from every source passes here before anything charts it.

Why: vendors send empty bodies, ``"null"`` strings, duplicated rows, files
sorted newest-first, prices in the wrong unit, unadjusted splits. Each problem
is either rejected or fixed and flagged (a note that reaches the data-quality
box). Nothing is silently charted, and nothing real is silently removed:

* a value outside what its series' kind can take (an equity price of zero, a
  yield of 450 % that was sent in basis points), or a hundred times away from
  its neighbours (a price of 1e300), is **rejected**: left out of the values
  and kept in :attr:`SeriesData.rejected` with the reason. When the latest
  observation was rejected, the indicators reading the series say "no data"
  with that reason (:attr:`SeriesData.blocking_rejection`) rather than present an older
  value as current;
* a large move that a market can make (WTI at -37.63 on 2020-04-20, the
  unemployment rate from 4.4 to 14.8 % in April 2020) is **kept and marked**
  in a note, in the unit a reader thinks in: points for rates, spreads and
  percentages, per cent for prices and levels.

A series may widen its kind's range (``bounds = [low, high]``) or declare
single observations plausible (``plausible = [dates]``) in the report
definition.

FRED's own missing values (``.`` or an empty cell: market holidays, the
October 2025 CPI that was never published) are expected and dropped quietly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from generator.model import Rejection
from generator.spec import SeriesSpec

MISSING_MARKERS = frozenset({"", ".", "nan", "NaN", "NA", "N/A", "null", "None", "#N/A"})

# A positive level that triples or falls to a third from one observation to the
# next is worth a reader's attention (the VIX's record day, 2018-02-05, was x2.2);
# it is kept and marked.
MAX_LEVEL_RATIO = 3.0
# A rate, spread or percentage moving more than this many points between
# observations is marked (April 2020's unemployment rate moved +10.4 points).
MAX_RATE_STEP = 5.0
# A price or level a hundred times above or below the median of its neighbours
# is a unit error (cents for dollars) or a corrupt value: no market moves so.
REJECT_NEIGHBOUR_RATIO = 100.0
NEIGHBOURS = 10  # on each side: the median of 21 observations is not moved by one bad value
# Beyond this, no series of any kind holds a real value (1e300 is a parser's or a vendor's accident).
MAX_MAGNITUDE = 1e15
POINTS_KINDS = frozenset({"rate", "spread", "percent"})
RATIO_KINDS = frozenset({"price", "index", "level", "commodity"})
_MAX_EXAMPLES = 3
_DAY_NS = 86_400_000_000_000


@dataclass(frozen=True)
class Bounds:
    """The range a kind of series can take; ``low_open`` when ``low`` itself is out (a price of 0)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    what: str = ""

    def outside(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(len(values), dtype=bool)
        if self.low is not None:
            out |= values <= self.low if self.low_open else values < self.low
        if self.high is not None:
            out |= values > self.high
        return out


KIND_BOUNDS: dict[str, Bounds] = {
    "price": Bounds(0.0, None, low_open=True, what="a price is above 0"),
    # Futures and spot commodity prices can go below zero (WTI closed at -37.63 on 2020-04-20).
    "commodity": Bounds(),
    # Rates and spreads in percent: a value in basis points (450 for 4.5 %) is far outside.
    "rate": Bounds(-20.0, 50.0, what="a rate is between -20 and 50"),
    "spread": Bounds(-20.0, 50.0, what="a spread is between -20 and 50"),
    "percent": Bounds(-100.0, 100.0, what="a percentage is between -100 and 100"),
    "index": Bounds(),
    "level": Bounds(),
    "flag": Bounds(),  # 0/1: other values are flagged below, not dropped
}
VOLUME_BOUNDS = Bounds(0.0, None, what="a volume is not negative")


@dataclass(frozen=True)
class Checked:
    """The outcome of validation: clean values, or a reason to reject the whole series; notes either way.

    ``rejections`` are the single observations left out of ``values`` (see the module's docstring).
    """

    values: pd.Series | None
    notes: tuple[str, ...] = ()
    rejected: str | None = None
    rejections: tuple[Rejection, ...] = ()

    @property
    def ok(self) -> bool:
        return self.rejected is None


def fmt_number(x: float) -> str:
    """A number as a note shows it: ``4.4``, ``659.21``, ``30,722,277``, and ``1.0e+300`` (never 300 digits)."""
    if not math.isfinite(x):
        return str(x)
    size = abs(x)
    if size >= 1e9 or 0 < size < 1e-3:
        return f"{x:.1e}"
    if size >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.6g}"


def with_unit(x: float, unit: str) -> str:
    """``4.5 %``-style: the number as :func:`fmt_number` writes it, then the unit."""
    return f"{fmt_number(x)} {unit}".rstrip()


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + fmt_number(x)


def _examples(items: Sequence[object], sep: str = ", ") -> str:
    shown = sep.join(repr(i) if isinstance(i, str) and sep == ", " else str(i) for i in items[:_MAX_EXAMPLES])
    return shown + (f"{sep}..." if len(items) > _MAX_EXAMPLES else "")


def _to_numbers(raw: pd.Series, notes: list[str]) -> pd.Series:
    """Floats with FRED-style missing markers as NaN; other non-numbers counted and flagged."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.astype("float64")
    else:
        text = raw.astype("string").str.strip()
        missing = text.isna() | text.isin(MISSING_MARKERS)
        values = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
        bad = values.isna() & ~missing
        if bad.any():
            notes.append(f"{int(bad.sum())} non-numeric value(s) dropped (e.g. {_examples(list(text[bad]))})")
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        notes.append(f"{int(infinite.sum())} infinite value(s) dropped")
        values = values.where(~infinite)
    return values


def _to_dates(raw: pd.Series, notes: list[str]) -> pd.Series:
    if isinstance(raw.index, pd.DatetimeIndex):
        index = raw.index.tz_localize(None) if raw.index.tz is not None else raw.index
    else:
        index = pd.to_datetime(pd.Index(raw.index).astype("string"), errors="coerce", format="mixed")
    unreadable = pd.isna(index)
    out = pd.Series(raw.to_numpy(), index=index)
    if unreadable.any():
        notes.append(f"{int(unreadable.sum())} row(s) with unreadable dates dropped")
        out = out[~unreadable]
    index = pd.DatetimeIndex(out.index)
    if (index.to_numpy("datetime64[ns]").view("int64") % _DAY_NS).any():  # normalize() infers a frequency: slow
        index = index.normalize()
    out.index = index
    return out


def _order(values: pd.Series, notes: list[str]) -> pd.Series:
    if not values.index.is_monotonic_increasing:
        descending = values.index.is_monotonic_decreasing
        notes.append("dates were newest-first; reversed" if descending else "dates were out of order; sorted")
        values = values.sort_index(kind="stable")
    dup = values.index.duplicated(keep="last")
    if dup.any():
        dup_dates = values.index[dup]
        first = values[values.index.isin(dup_dates)].groupby(level=0).nunique()
        conflicting = first[first > 1]
        if len(conflicting):
            days = [d.date().isoformat() for d in conflicting.index]
            notes.append(
                f"{len(conflicting)} date(s) appear more than once with different values "
                f"(kept the last): {_examples(days)}"
            )
        else:
            notes.append(f"{int(dup.sum())} duplicate row(s) dropped")
        values = values[~dup]
    return values


def bounds_for(spec: SeriesSpec) -> Bounds:
    """The series' declared ``bounds``, else its kind's (a volume: not negative)."""
    if spec.bounds is not None:
        low, high = spec.bounds
        return Bounds(low, high, what=f"this series is declared between {fmt_number(low)} and {fmt_number(high)}")
    return VOLUME_BOUNDS if spec.field == "volume" else KIND_BOUNDS.get(spec.kind, Bounds())


def _neighbour_medians(spec: SeriesSpec, values: pd.Series) -> pd.Series | None:
    """The median of each observation's neighbours (itself included), for kinds measured in ratios."""
    if spec.kind not in RATIO_KINDS or spec.field == "volume" or len(values) < 5:
        return None
    size = values.abs() if spec.kind == "commodity" else values
    if spec.kind != "commodity" and (values <= 0).any():
        return None  # an index around zero (NFCI): ratios mean nothing
    return size.rolling(2 * NEIGHBOURS + 1, center=True, min_periods=1).median()


def _screen(spec: SeriesSpec, values: pd.Series) -> tuple[pd.Series, list[Rejection]]:
    """Leave out what the series cannot hold: outside its bounds, far from its neighbours, absurdly large."""
    unit = spec.unit
    array = values.to_numpy()
    reasons: dict[int, str] = {}
    bounds = bounds_for(spec)
    outside = bounds.outside(array)
    for i in np.flatnonzero(outside):
        reasons[int(i)] = f"{with_unit(array[i], unit)} is outside the plausible range ({bounds.what})"
    inside = np.flatnonzero(~outside)
    medians = _neighbour_medians(spec, values.iloc[inside])
    if medians is not None:
        med = medians.to_numpy()
        size = np.abs(array[inside])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = size / med
        far = ratio >= REJECT_NEIGHBOUR_RATIO
        if spec.kind != "commodity":  # a commodity price near zero is real (WTI on its way below it)
            far |= ratio <= 1 / REJECT_NEIGHBOUR_RATIO
        for j in np.flatnonzero((med > 0) & far):
            how = f"{fmt_number(ratio[j])} times" if ratio[j] >= 1 else f"1/{fmt_number(1 / ratio[j])} of"
            reasons[int(inside[j])] = (f"{with_unit(array[inside[j]], unit)} is {how} the median of the nearby "
                                       f"observations, {with_unit(med[j], unit)}: not a market move")
    for i in np.flatnonzero(np.abs(array) >= MAX_MAGNITUDE):
        reasons.setdefault(int(i), f"{with_unit(array[i], unit)} is beyond any real value "
                                   f"(at least {fmt_number(MAX_MAGNITUDE)})")
    if not reasons:
        return values, []
    declared = {pd.Timestamp(d) for d in spec.plausible}
    drop = sorted(i for i in reasons if values.index[i] not in declared)
    rejections = [Rejection(values.index[i].date(), float(array[i]), reasons[i]) for i in drop]
    keep = np.ones(len(values), dtype=bool)
    keep[drop] = False
    return values[keep], rejections


def _odd_flags(spec: SeriesSpec, values: pd.Series, notes: list[str]) -> None:
    if spec.kind == "flag":
        odd = ~values.isin([0.0, 1.0])
        if odd.any():
            notes.append(f"{int(odd.sum())} value(s) of a 0/1 flag are neither 0 nor 1")


def jumps(spec: SeriesSpec, values: pd.Series) -> list[str]:
    """Large moves from one observation to the next, for the reader: kept, never removed.

    Rates, spreads and percentages move in points (``4.4 -> 14.8 (+10.4 points)``);
    prices and levels in per cent (``18.31 -> -37.63 (-305.5%)``).
    """
    if len(values) < 2 or spec.kind == "flag" or spec.field == "volume":
        return []
    prev, cur = values.to_numpy()[:-1], values.to_numpy()[1:]
    dates = values.index[1:]
    found: list[str] = []
    ratio_kind = spec.kind == "commodity" or (spec.kind in RATIO_KINDS and (values > 0).all())
    if ratio_kind:
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (cur - prev) / np.abs(prev)
        hits = np.flatnonzero((prev != 0) & ((change >= MAX_LEVEL_RATIO - 1) | (change <= 1 / MAX_LEVEL_RATIO - 1)))
        for i in hits:
            found.append(f"{dates[i].date()}: {fmt_number(prev[i])} -> {fmt_number(cur[i])} "
                         f"({change[i] * 100:+,.1f}%)")
    else:
        hits = np.flatnonzero(np.abs(cur - prev) > MAX_RATE_STEP)
        for i in hits:
            found.append(f"{dates[i].date()}: {fmt_number(prev[i])} -> {fmt_number(cur[i])} "
                         f"({_signed(cur[i] - prev[i])} points)")
    return found


def check_series(spec: SeriesSpec, raw: pd.Series) -> Checked:
    """Clean ``raw`` (any dates, any values) into floats on a sorted unique DatetimeIndex, or reject it."""
    notes: list[str] = []
    if raw is None or len(raw) == 0:
        return Checked(None, (), "empty response: no observations")
    dated = _to_dates(raw, notes)
    values = _to_numbers(dated, notes).dropna()
    if values.empty:
        reason = "no numeric observations" if len(dated) else "no observation has a readable date"
        return Checked(None, tuple(notes), reason)
    values = _order(values, notes)
    values, rejections = _screen(spec, values)
    if rejections:
        shown = [f"{r.date}: {r.reason}" for r in rejections]
        notes.append(f"{len(rejections)} value(s) rejected and left out: {_examples(shown, '; ')}")
    if values.empty:
        return Checked(None, tuple(notes), "no plausible observations", tuple(rejections))
    _odd_flags(spec, values, notes)
    declared = [d for d in spec.plausible if pd.Timestamp(d) in values.index]
    if declared:
        notes.append(f"kept as declared plausible: {_examples([d.isoformat() for d in declared])}")
    found = jumps(spec, values)
    if found:
        notes.append(("jump kept: " if len(found) == 1 else f"{len(found)} jumps kept: ") + _examples(found, "; "))
    values = values.astype("float64")
    values.name = spec.id
    values.index.name = "date"
    return Checked(values, tuple(notes), rejections=tuple(rejections))


def between(values: pd.Series, start: date, end: date) -> pd.Series:
    """The observations of a checked series (sorted, unique dates) from ``start`` to ``end``, both included."""
    days = values.index.to_numpy("datetime64[ns]")
    lo = np.searchsorted(days, np.datetime64(start, "ns"), side="left")
    hi = np.searchsorted(days, np.datetime64(end, "ns"), side="right")
    return values.iloc[lo:hi]


def rejections_between(rejections: Sequence[Rejection], start: date, end: date) -> tuple[Rejection, ...]:
    """The rejected observations dated from ``start`` to ``end``, both included."""
    return tuple(r for r in rejections if start <= r.date <= end)

