"""Labor: the unemployment rate against its recent low (the Sahm rule's logic)."""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.levels import _clean
from generator.indicators.registry import indicator


@indicator(unit="pp")
def rise_from_low(series: pd.Series, months: int = 12) -> float:
    """Latest value minus its minimum over the last ``months`` months (the latest included), in the series' unit.

    x[m] - min(x[m-months+1..m]) on monthly observations; needs ``months`` of them.
    """
    s = _clean(series)
    last = s.index[-1]
    start = last - pd.DateOffset(months=months - 1)
    window = s[s.index >= start]
    if s.index[0] > start:
        raise InsufficientHistory(
            f"a {months}-month low needs history from {start.date()}, it starts {s.index[0].date()}"
        )
    return float(s.iloc[-1] - window.min())
