"""Indicator functions by theme, registered by name, and the evaluator that applies the definition.

Themes: returns and rotation (relative returns, ratios, percentiles), leadership
(Mag 7 baskets, contribution to the index), valuation (P/E discounts), fed (the
policy cycle), levels (latest values, changes, year-over-year, percentiles; used
by inflation, credit, volatility, flows and tailwinds), dispersion, labor.
"""

from __future__ import annotations

from generator.indicators import (  # noqa: F401  (registration side effect)
    dispersion,
    fed,
    horizon_returns,
    labor,
    leadership,
    levels,
    returns,
    rotation,
    valuation,
)
from generator.indicators.evaluate import evaluate_indicators
from generator.indicators.registry import FUNCTIONS, Reading, indicator

__all__ = ["FUNCTIONS", "Reading", "evaluate_indicators", "indicator"]
