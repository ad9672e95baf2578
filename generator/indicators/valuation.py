"""Valuation: the small-cap discount on earnings multiples, from analyst inputs or live quotes.

No free machine-readable feed publishes index forward P/E, so the multiples
come from dated analyst inputs (or Yahoo's trailing P/E for ETFs, labelled as
such); when none is available the indicator says "no data", never a made-up
number. The price-ratio percentile in :mod:`generator.indicators.rotation` is
the proxy that works without them.
"""

from __future__ import annotations

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.levels import _clean
from generator.indicators.registry import Reading, indicator


@indicator(unit="%")
def pe_discount(a: pd.Series, b: pd.Series, max_gap_days: int = 31) -> Reading:
    """Discount of multiple a to multiple b, in %: 100 * (1 - a[last] / b[last]).

    Each at its latest observation; the two must be dated within
    ``max_gap_days`` of each other, so multiples from different months are
    never compared. Positive = a is cheaper.
    """
    sa, sb = _clean(a), _clean(b)
    da, db = sa.index[-1], sb.index[-1]
    gap = abs((da - db).days)
    if gap > max_gap_days:
        raise InsufficientHistory(
            f"latest multiples are dated {da.date()} and {db.date()}, more than {max_gap_days} days apart"
        )
    return Reading(float((1.0 - sa.iloc[-1] / sb.iloc[-1]) * 100.0), f"as of {min(da, db).date()}")
