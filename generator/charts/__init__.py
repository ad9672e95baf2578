"""Charts: the definition's charts drawn with matplotlib in the house style, as SVG."""

from __future__ import annotations

from generator.charts import bars, timeseries  # noqa: F401  (registers the chart kinds)
from generator.charts.kinds import CHART_KINDS, check_chart_params
from generator.charts.render import render_charts

__all__ = ["CHART_KINDS", "check_chart_params", "render_charts"]
