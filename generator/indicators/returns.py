"""Price-based indicators: relative returns and ratios between two price series."""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.registry import indicator


def _aligned(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """Both series on the dates where both have a value (different holiday calendars drop out)."""
    return pd.concat({"a": a, "b": b}, axis=1, join="inner").dropna()


def _need(n_have: int, n_need: int, what: str) -> None:
    if n_have < n_need:
        raise InsufficientHistory(f"{what} needs {n_need} observations, {n_have} available")


def total_return(prices: pd.Series, window: int) -> float:
    """Total return in % over the last ``window`` observations of an adjusted price series."""
    _need(len(prices), window + 1, f"a {window}-day return")
    return float((prices.iloc[-1] / prices.iloc[-1 - window] - 1.0) * 100.0)


@indicator(unit="pp")
def relative_return(a: pd.Series, b: pd.Series, window: int) -> float:
    """Return of a minus return of b over ``window`` trading days, in percentage points.

    100 * (a[t] / a[t-window] - 1) - 100 * (b[t] / b[t-window] - 1), on the dates
    both series trade, using adjusted closes (total return).
    """
    both = _aligned(a, b)
    return total_return(both["a"], window) - total_return(both["b"], window)


@indicator(unit="%")
def ratio_vs_moving_average(a: pd.Series, b: pd.Series, window: int) -> float:
    """How far the a/b price ratio sits from its ``window``-day simple average, in %.

    r = a / b on common dates; 100 * (r[t] / mean(r[t-window+1..t]) - 1).
    """
    both = _aligned(a, b)
    _need(len(both), window, f"a {window}-day average")
    ratio = both["a"] / both["b"]
    return float((ratio.iloc[-1] / ratio.iloc[-window:].mean() - 1.0) * 100.0)
