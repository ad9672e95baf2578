"""Level and change indicators on single series: latest values, spreads, year-over-year changes."""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.registry import indicator


def _clean(series: pd.Series) -> pd.Series:
    out = series.dropna()
    if out.empty:
        raise InsufficientHistory("no observations")
    return out


@indicator
def latest(series: pd.Series, scale: float = 1.0) -> float:
    """The latest observation, times ``scale`` (e.g. 100 to turn % into basis points)."""
    return float(_clean(series).iloc[-1] * scale)


@indicator
def spread_bp(a: pd.Series, b: pd.Series) -> float:
    """Latest a minus latest b, in basis points: 100 * (a[last] - b[last]), each at its own last date."""
    return float((_clean(a).iloc[-1] - _clean(b).iloc[-1]) * 100.0)


@indicator
def yoy_change(series: pd.Series) -> float:
    """Year-over-year change of a monthly index, in %: 100 * (x[m] / x[m-12 months] - 1).

    The base is the observation dated exactly twelve months before the latest one;
    a gap in the history (e.g. an unpublished month) there means insufficient history.
    """
    s = _clean(series)
    last = s.index[-1]
    base_date = last - pd.DateOffset(months=12)
    if base_date not in s.index:
        raise InsufficientHistory(f"no observation dated {base_date.date()} for a year-over-year change")
    return float((s.iloc[-1] / s.loc[base_date] - 1.0) * 100.0)
