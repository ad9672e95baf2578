"""Draw every chart of the definition from a snapshot into :class:`ChartImage` values."""

from __future__ import annotations

import pandas as pd

from generator.charts.kinds import CHART_KINDS, shade_recessions
from generator.charts.style import to_svg
from generator.model import ChartImage, Snapshot
from generator.spec import ChartSpec, ReportSpec

RECESSION_SERIES = "USREC"
_PROVIDER_NAMES = {"yahoo": "Yahoo Finance", "fred": "FRED"}


def source_line(spec: ReportSpec, chart: ChartSpec, snapshot: Snapshot) -> str:
    """'Source: FRED DGS2, DGS10; Yahoo Finance IWM, SPY; as of 2026-11-20' for the chart's series."""
    groups: dict[str, list[str]] = {}
    for sid in chart.series:
        groups.setdefault(_PROVIDER_NAMES[spec.series[sid].provider], []).append(sid)
    dates = [snapshot.series[sid].last_date for sid in chart.series if sid in snapshot.series]
    as_of = max((d for d in dates if d is not None), default=None)
    parts = "; ".join(f"{name} {', '.join(ids)}" for name, ids in groups.items())
    suffix = f"; as of {as_of}" if as_of else ""
    mark = " Illustrative data - not market data." if snapshot.illustrative else ""
    return f"Source: {parts}{suffix}.{mark}"


def render_chart(spec: ReportSpec, chart: ChartSpec, snapshot: Snapshot) -> ChartImage | None:
    """One chart as SVG, or ``None`` when one of its series is missing."""
    if any(sid not in snapshot.series or snapshot.series[sid].values.empty for sid in chart.series):
        return None
    end = pd.Timestamp(snapshot.as_of)
    start = end - pd.DateOffset(months=round(chart.years * 12))
    data = {sid: snapshot.series[sid].values for sid in chart.series}
    labels = {sid: f"{sid} ({spec.series[sid].label})" if len(chart.series) > 1 else sid for sid in chart.series}
    drawn = CHART_KINDS[chart.kind](chart, data, labels, start)
    ax = drawn.figure.axes[0]
    if chart.years >= 2:
        recession = snapshot.series.get(RECESSION_SERIES)
        shade_recessions(ax, recession.values if recession else None, start, end)
    ax.set_xlim(start, end)
    alt = chart.alt or chart.title
    if drawn.latest:
        alt = f"{alt} Latest: {drawn.latest}."
    return ChartImage(
        id=chart.id,
        title=chart.title,
        svg=to_svg(drawn.figure, chart.id),
        alt=alt,
        source_line=source_line(spec, chart, snapshot),
    )


def render_charts(spec: ReportSpec, snapshot: Snapshot) -> dict[str, ChartImage]:
    """Every chart the definition declares that its data allow, keyed by id."""
    out: dict[str, ChartImage] = {}
    for chart in spec.charts.values():
        image = render_chart(spec, chart, snapshot)
        if image is not None:
            out[chart.id] = image
    return out
