"""Dispersion and quality: how unevenly small caps move, sector by sector."""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.registry import indicator
from generator.indicators.returns import _need


@indicator(unit="pp")
def cross_sectional_std(members: pd.DataFrame, window: int) -> float:
    """Cross-sectional standard deviation of members' returns over ``window`` trading days, in percentage points.

    r_i = 100 * (p_i[t] / p_i[t-window] - 1) on the dates every member trades;
    sample standard deviation (n - 1) of the r_i. Needs at least two members.
    """
    frame = members.dropna(how="any")
    if frame.shape[1] < 2:
        raise InsufficientHistory("a dispersion needs at least two members")
    _need(len(frame), window + 1, f"a {window}-day return")
    rets = (frame.iloc[-1] / frame.iloc[-1 - window] - 1.0) * 100.0
    return float(rets.std(ddof=1))
