"""Charts: the definition's charts drawn with matplotlib in the house style, as inline SVG."""

from __future__ import annotations

from generator.charts.kinds import CHART_KINDS
from generator.charts.render import render_charts

__all__ = ["CHART_KINDS", "render_charts"]
