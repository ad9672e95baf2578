"""Leadership and concentration: the Magnificent 7 against the rest of the market.

Baskets are equal-weighted unless weights are given; weights (a member's share
of the S&P 500, from analyst inputs or live market caps) are carried from the
date they were observed to the start of a period by the member's price
relative to the index, which is how a cap weight drifts when share counts do
not change.
"""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.registry import Reading, indicator
from generator.indicators.returns import _need


def _common(members: pd.DataFrame, b: pd.Series) -> pd.DataFrame:
    """Members and b (as column ``__b``) on the dates where every one of them has a price."""
    frame = members.copy()
    frame["__b"] = b
    return frame.dropna(how="any")


def equal_weight_index(members: pd.DataFrame) -> pd.Series:
    """An equal-weight basket as a price index, rebalanced daily, starting at 100.

    On the dates every member has a price (d_0 < d_1 < ...):
    I[d_0] = 100; I[d_k] = I[d_(k-1)] * (1 + mean_i(p_i[d_k] / p_i[d_(k-1)] - 1)).
    The chart kind ``basket_relative`` draws the same basket.
    """
    frame = members.dropna(how="any")
    if frame.empty:
        return pd.Series(dtype=float, index=frame.index, name="basket")
    daily = frame.pct_change().iloc[1:].mean(axis=1)
    index = 100.0 * (1.0 + daily).cumprod()
    start = pd.Series([100.0], index=frame.index[:1])
    return pd.concat([start, index]).rename("basket")


@indicator(unit="pp")
def basket_relative_return(members: pd.DataFrame, b: pd.Series, window: int) -> float:
    """Equal-weight basket return minus b's return over ``window`` trading days, in percentage points.

    mean_i(100 * (p_i[t] / p_i[t-window] - 1)) - 100 * (b[t] / b[t-window] - 1),
    on the dates every member and b trade (rebalanced to equal weights at t-window).
    """
    frame = _common(members, b)
    _need(len(frame), window + 1, f"a {window}-day basket return")
    now, then = frame.iloc[-1], frame.iloc[-1 - window]
    rets = (now / then - 1.0) * 100.0
    return float(rets.drop("__b").mean() - rets["__b"])


def _period_base(dates: pd.DatetimeIndex, period: str) -> pd.Timestamp:
    """The last date before the current quarter ("qtd") or year ("ytd") starts."""
    last = dates[-1]
    if period == "ytd":
        start = pd.Timestamp(year=last.year, month=1, day=1)
    elif period == "qtd":
        start = pd.Timestamp(year=last.year, month=3 * ((last.month - 1) // 3) + 1, day=1)
    else:
        raise ValueError(f"period must be 'qtd' or 'ytd', got {period!r}")
    before = dates[dates < start]
    if before.empty:
        raise InsufficientHistory(f"no price before {start.date()} to start the {period.upper()} return from")
    return before[-1]


def contribution_between(
    members: pd.DataFrame, index: pd.Series, weights: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[float, float, pd.Timestamp]:
    """(share of the index's return in %, index return in %, weight date) from ``start`` to ``end``.

    Weights are matched to members by position and taken at their latest
    observation dated on or before ``end``; each is carried to ``start`` by
    w_i(start) = w_i(d) * (p_i(start) / p_i(d)) / (I(start) / I(d)).
    """
    if members.shape[1] != weights.shape[1]:
        raise ValueError(f"{members.shape[1]} members but {weights.shape[1]} weights")
    frame = _common(members, index)
    frame = frame[frame.index <= end]
    if frame.empty or frame.index[0] > start:
        raise InsufficientHistory(f"prices of every member do not reach back to {start.date()}")
    start = frame.index[frame.index <= start][-1]
    end = frame.index[-1]
    w = weights[weights.index <= end].dropna(how="any")
    if w.empty:
        raise InsufficientHistory(f"no complete set of weights dated on or before {end.date()}")
    wdate = w.index[-1]
    known = frame[frame.index <= wdate]
    if known.empty:
        raise InsufficientHistory(f"no prices on or before the weights' date {wdate.date()}")
    at_w = known.iloc[-1]
    names = list(members.columns)
    weight = pd.Series(w.iloc[-1].to_numpy(dtype=float), index=names)
    p0, p1 = frame.loc[start], frame.loc[end]
    drift = (p0[names] / at_w[names]) / (p0["__b"] / at_w["__b"])
    w_start = weight * drift
    member_ret = p1[names] / p0[names] - 1.0
    index_ret = float(p1["__b"] / p0["__b"] - 1.0)
    if index_ret <= 0:
        raise InsufficientHistory(
            f"the index did not rise from {start.date()} to {end.date()} ({index_ret * 100:.1f}%): "
            "a share of its gains is undefined"
        )
    share = float((w_start * member_ret).sum() / index_ret * 100.0)
    return share, index_ret * 100.0, wdate


@indicator(unit="%")
def contribution_share(members: pd.DataFrame, index: pd.Series, weights: pd.DataFrame, period: str) -> Reading:
    """Members' share of the index's gain over the quarter ("qtd") or year ("ytd") to date, in %.

    100 * sum_i(w_i * r_i) / R, where r_i is member i's price return and R the
    index's total return from the last close before the period to the latest
    common date, and w_i member i's index weight (a fraction) at the start,
    carried from the weights' observation date d by
    w_i(start) = w_i(d) * (p_i(start) / p_i(d)) / (I(start) / I(d)).
    Undefined when the index did not rise.
    """
    frame = _common(members, index)
    if frame.empty:
        raise InsufficientHistory("no date on which every member and the index trade")
    base = _period_base(pd.DatetimeIndex(frame.index), period)
    share, index_ret, wdate = contribution_between(members, index, weights, base, frame.index[-1])
    return Reading(share, f"index {index_ret:+.1f}% since {base.date()}; weights as of {wdate.date()}")
