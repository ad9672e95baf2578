"""Indicator functions by theme, registered by name, and the evaluator that applies the definition."""

from __future__ import annotations

from generator.indicators import levels, returns  # noqa: F401  (registration side effect)
from generator.indicators.evaluate import evaluate_indicators
from generator.indicators.registry import FUNCTIONS, indicator

__all__ = ["FUNCTIONS", "evaluate_indicators", "indicator"]
