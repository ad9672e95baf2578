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


@indicator(unit="bp")
def spread_bp(a: pd.Series, b: pd.Series) -> float:
    """Latest a minus latest b, in basis points: 100 * (a[last] - b[last]), each at its own last date."""
    return float((_clean(a).iloc[-1] - _clean(b).iloc[-1]) * 100.0)


@indicator(unit="%")
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


@indicator(unit="percentile")
def percentile_rank(series: pd.Series, window: int) -> float:
    """Percentile of the latest value within its last ``window`` observations, in %.

    100 * count(x[i] <= x[t] for i in t-window+1..t) / window: 100 means the
    highest of the window, 1/window * 100 the lowest.
    """
    s = _clean(series)
    if len(s) < window:
        raise InsufficientHistory(f"a {window}-observation percentile needs {window} observations, {len(s)} available")
    tail = s.iloc[-window:]
    return float((tail <= tail.iloc[-1]).sum() / window * 100.0)


@indicator(unit="%")
def annualized_change(series: pd.Series, months: int) -> float:
    """Change of a monthly index over ``months`` months, annualized, in %.

    100 * ((x[m] / x[m-months]) ** (12 / months) - 1), the base being the
    observation dated exactly ``months`` months before the latest one.
    """
    s = _clean(series)
    last = s.index[-1]
    base_date = last - pd.DateOffset(months=months)
    if base_date not in s.index:
        raise InsufficientHistory(f"no observation dated {base_date.date()} for a {months}-month change")
    return float(((s.iloc[-1] / s.loc[base_date]) ** (12.0 / months) - 1.0) * 100.0)


@indicator(unit="%")
def pct_change(series: pd.Series, periods: int) -> float:
    """Percent change over the last ``periods`` observations: 100 * (x[t] / x[t-periods] - 1).

    For a weekly series 13 observations are a quarter.
    """
    s = _clean(series)
    if len(s) < periods + 1:
        raise InsufficientHistory(
            f"a {periods}-observation change needs {periods + 1} observations, {len(s)} available"
        )
    return float((s.iloc[-1] / s.iloc[-1 - periods] - 1.0) * 100.0)


@indicator
def change(series: pd.Series, periods: int, scale: float = 1.0) -> float:
    """Change over the last ``periods`` observations, times ``scale``: scale * (x[t] - x[t-periods]).

    ``scale = 100`` turns a change in % into basis points.
    """
    s = _clean(series)
    if len(s) < periods + 1:
        raise InsufficientHistory(
            f"a {periods}-observation change needs {periods + 1} observations, {len(s)} available"
        )
    return float((s.iloc[-1] - s.iloc[-1 - periods]) * scale)


@indicator
def difference(a: pd.Series, b: pd.Series, scale: float = 1.0) -> float:
    """(a - b) * scale on the latest date both have a value (e.g. a real yield: 10-year yield - breakeven)."""
    both = pd.concat({"a": a, "b": b}, axis=1, join="inner").dropna()
    if both.empty:
        raise InsufficientHistory("no date on which both inputs have a value")
    return float((both["a"].iloc[-1] - both["b"].iloc[-1]) * scale)


@indicator
def level_sum(a: pd.Series, b: pd.Series) -> float:
    """a + b on the latest date both have a value (e.g. Baa yield = Baa-Treasury spread + 10-year yield)."""
    both = pd.concat({"a": a, "b": b}, axis=1, join="inner").dropna()
    if both.empty:
        raise InsufficientHistory("no date on which both inputs have a value")
    return float(both["a"].iloc[-1] + both["b"].iloc[-1])
