"""The Fed and rates: where the policy rate is in its cycle, and what the market prices.

DFEDTAR ended in 2008; the target is read from the range (DFEDTARU upper,
DFEDTARL lower), which FRED publishes daily including weekends.
"""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.levels import _clean
from generator.indicators.registry import Reading, indicator
from generator.indicators.returns import _aligned, _need


def moves(series: pd.Series) -> pd.Series:
    """Every change of a step series (e.g. the target range): dated at the first day of the new level, in bp."""
    s = _clean(series)
    diff = (s.diff() * 100.0).round(4)
    return diff[diff.fillna(0.0) != 0.0]


@indicator(unit="bp")
def change_from_peak_bp(series: pd.Series, years: float = 3.0) -> Reading:
    """Distance of the latest value below its peak over the last ``years`` years, in basis points.

    100 * (x[t] - max(x[s] for t - years <= s <= t)); 0 at the peak, negative
    once the Fed has cut from it. The history must reach back ``years`` years.
    """
    s = _clean(series)
    last = s.index[-1]
    start = last - pd.DateOffset(days=round(365.25 * years))
    if s.index[0] > start + pd.Timedelta(days=7):
        raise InsufficientHistory(
            f"a {years:g}-year peak needs history from {start.date()}, it starts {s.index[0].date()}"
        )
    window = s[s.index >= start]
    peak_date = window[window == window.max()].index[-1]
    return Reading(float((s.iloc[-1] - window.max()) * 100.0), f"peak {window.max():.2f}% last held {peak_date.date()}")


@indicator(unit="bp")
def last_change_bp(series: pd.Series) -> Reading:
    """Size of the latest move of a step series, in basis points: 100 * (x[d] - x[d-1]) at the last d where it changed.

    The note gives the move's date (the first date at the new level).
    """
    m = moves(series)
    if m.empty:
        raise InsufficientHistory("no move in the history available")
    return Reading(float(m.iloc[-1]), f"on {m.index[-1].date()}")


@indicator(unit="days")
def days_since_last_change(series: pd.Series) -> float:
    """Calendar days from the latest move of a step series to its latest observation: t - d_last_move."""
    s = _clean(series)
    m = moves(s)
    if m.empty:
        raise InsufficientHistory("no move in the history available")
    return float((s.index[-1] - m.index[-1]).days)


@indicator(unit="bp")
def spread_change_bp(a: pd.Series, b: pd.Series, window: int) -> float:
    """Change of the spread a - b over ``window`` common observations, in basis points.

    d = a - b on the dates both have a value; 100 * (d[t] - d[t-window]).
    """
    both = _aligned(a, b)
    _need(len(both), window + 1, f"a {window}-day change")
    d = both["a"] - both["b"]
    return float((d.iloc[-1] - d.iloc[-1 - window]) * 100.0)
