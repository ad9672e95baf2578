"""Relative returns over calendar months: the performance grid's definition, so a sentence and the grid agree.

A trading-day window (``relative_return``, 63 days) and a calendar horizon (3
months back to the same date) start from different closes; on a volatile day
the two "three-month" numbers differ by a point or more. The briefing's
sentences, flags and charts that speak of "N months" use these functions, the
grid's definition (:mod:`generator.indicators.performance`), so the reader
meets one number per question.
"""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.leadership import equal_weight_index
from generator.indicators.performance import period_return
from generator.indicators.registry import indicator


def _clean(prices: pd.Series) -> pd.Series:
    out = prices.astype(float).dropna()
    out.index = pd.DatetimeIndex(out.index)
    return out[~out.index.duplicated(keep="last")].sort_index()


def months_back(anchor: pd.Timestamp, months: int) -> pd.Timestamp:
    """The calendar date ``months`` months before ``anchor``, as the grid counts (31 May - 3 months = 28/29 Feb)."""
    return anchor - pd.DateOffset(months=months)


def months_relative(a: pd.Series, b: pd.Series, months: int) -> tuple[float, pd.Timestamp, pd.Timestamp]:
    """``(a's return - b's return in pp, base target date, end date)`` over ``months`` calendar months.

    End = the earlier of the two last closes (both measured to the same day);
    each series' base is its own last close on or before end - ``months``.
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    a, b = _clean(a), _clean(b)
    if a.empty or b.empty:
        raise InsufficientHistory("no prices" if a.empty else "no benchmark prices")
    end = min(a.index[-1], b.index[-1])
    target = months_back(end, months)
    got = [period_return(s, end.date(), target.date()) for s in (a, b)]
    for r in got:
        if isinstance(r, str):
            raise InsufficientHistory(f"a {months}-month return needs a close on or before {target.date()}: {r}")
    (ra, _), (rb, _) = got  # type: ignore[misc]
    return ra - rb, target, end


@indicator(unit="pp")
def relative_return_months(a: pd.Series, b: pd.Series, months: int) -> float:
    """Return of a minus return of b over ``months`` calendar months, in percentage points (the grid's definition).

    t = the earlier of a's and b's last closes; base_x = x's last close on or before t - ``months`` calendar months
    (pandas DateOffset); 100 * (a[t] / a[base_a] - 1) - 100 * (b[t] / b[base_b] - 1), adjusted closes (total return).
    """
    return months_relative(a, b, months)[0]


@indicator(unit="pp")
def basket_relative_return_months(members: pd.DataFrame, b: pd.Series, months: int) -> float:
    """Equal-weight basket return minus b's return over ``months`` calendar months, in percentage points.

    The basket is the grid's: an index rebalanced daily on the dates every member has a price,
    I[d_k] = I[d_(k-1)] * (1 + mean_i(p_i[d_k] / p_i[d_(k-1)] - 1)); then as ``relative_return_months``
    with the index as a.
    """
    basket = equal_weight_index(members)
    if basket.empty:
        raise InsufficientHistory("no date on which every member has a price")
    return months_relative(basket, b, months)[0]
