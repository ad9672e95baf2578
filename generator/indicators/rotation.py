"""Rotation indicators: where the small-cap/large-cap price ratio sits in its own history.

Relative returns and the distance from the 200-day average live in
:mod:`generator.indicators.returns`; this module adds the long-history view.
"""

from __future__ import annotations

import pandas as pd

from generator.indicators.registry import indicator
from generator.indicators.returns import _aligned, _need


@indicator(unit="percentile")
def ratio_percentile(a: pd.Series, b: pd.Series, window: int) -> float:
    """Percentile of today's a/b price ratio within its last ``window`` trading days, in %.

    r = a / b on common dates; 100 * count(r[i] <= r[t] for the last ``window``
    dates) / window. With window = 2520 (ten years) a low value means small
    caps are cheap relative to their own decade - a price proxy for valuation.
    """
    both = _aligned(a, b)
    _need(len(both), window, f"a {window}-day percentile")
    ratio = (both["a"] / both["b"]).iloc[-window:]
    return float((ratio <= ratio.iloc[-1]).sum() / window * 100.0)
