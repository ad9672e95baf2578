"""Validation on arrival: every series from every source passes here before anything charts it.

Why: vendors send empty bodies, ``"null"`` strings, duplicated rows, files
sorted newest-first, prices in the wrong unit, unadjusted splits. Each problem
is either rejected (the series is treated as failed, so the fallback chain
takes over) or fixed and flagged (a note that reaches the data-quality box).
Nothing is silently charted.

FRED's own missing values (``.`` or an empty cell: market holidays, the
October 2025 CPI that was never published) are expected and dropped quietly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from generator.spec import SeriesSpec

MISSING_MARKERS = frozenset({"", ".", "nan", "NaN", "NA", "N/A", "null", "None", "#N/A"})

# A positive level that triples or falls to a third from one observation to the
# next is a unit or split error far more often than a market move (the VIX's
# record day, 2018-02-05, was x2.2).
MAX_LEVEL_RATIO = 3.0
# A rate or spread moving more than this many points between observations is a
# units mix-up (basis points vs percent), not a market move.
MAX_RATE_STEP = 5.0
_MAX_EXAMPLES = 3
_DAY_NS = 86_400_000_000_000


@dataclass(frozen=True)
class Checked:
    """The outcome of validation: clean values, or a reason to reject; plus notes either way."""

    values: pd.Series | None
    notes: tuple[str, ...] = ()
    rejected: str | None = None

    @property
    def ok(self) -> bool:
        return self.rejected is None


def _examples(items: Sequence[object]) -> str:
    shown = ", ".join(repr(i) if isinstance(i, str) else str(i) for i in items[:_MAX_EXAMPLES])
    return shown + (", ..." if len(items) > _MAX_EXAMPLES else "")


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


def _plausible(spec: SeriesSpec, values: pd.Series, notes: list[str]) -> pd.Series:
    if spec.kind in ("price",) or spec.field == "volume":
        bad = values < 0 if spec.field == "volume" else values <= 0
        if bad.any():
            days = [d.date().isoformat() for d in values.index[bad.to_numpy()]]
            notes.append(f"{int(bad.sum())} impossible non-positive value(s) dropped: {_examples(days)}")
            values = values[~bad.to_numpy()]
    if spec.kind == "flag":
        odd = ~values.isin([0.0, 1.0])
        if odd.any():
            notes.append(f"{int(odd.sum())} value(s) of a 0/1 flag are neither 0 nor 1")
    return values


def implausible_jumps(spec: SeriesSpec, values: pd.Series) -> list[str]:
    """Describe observation-to-observation moves no market makes (flagged, not dropped)."""
    if len(values) < 2 or spec.kind == "flag" or spec.field == "volume":
        return []
    prev, cur = values.to_numpy()[:-1], values.to_numpy()[1:]
    dates = values.index[1:]
    found: list[str] = []
    if spec.kind in ("price", "index", "level") and (values > 0).all():
        ratio = cur / prev
        hits = np.flatnonzero((ratio >= MAX_LEVEL_RATIO) | (ratio <= 1 / MAX_LEVEL_RATIO))
        for i in hits:
            found.append(f"{dates[i].date()}: {prev[i]:g} -> {cur[i]:g} (x{ratio[i]:.2f})")
    else:
        step = np.abs(cur - prev)
        hits = np.flatnonzero(step > MAX_RATE_STEP)
        for i in hits:
            found.append(f"{dates[i].date()}: {prev[i]:g} -> {cur[i]:g} ({cur[i] - prev[i]:+g} {spec.unit})")
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
    values = _plausible(spec, values, notes)
    if values.empty:
        return Checked(None, tuple(notes), "no plausible observations")
    jumps = implausible_jumps(spec, values)
    if jumps:
        notes.append(f"{len(jumps)} implausible jump(s), check the source: {_examples(jumps)}")
    values = values.astype("float64")
    values.name = spec.id
    values.index.name = "date"
    return Checked(values, tuple(notes))


def between(values: pd.Series, start: date, end: date) -> pd.Series:
    """The observations of a checked series (sorted, unique dates) from ``start`` to ``end``, both included."""
    days = values.index.to_numpy("datetime64[ns]")
    lo = np.searchsorted(days, np.datetime64(start, "ns"), side="left")
    hi = np.searchsorted(days, np.datetime64(end, "ns"), side="right")
    return values.iloc[lo:hi]
