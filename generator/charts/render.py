"""Draw every chart of the definition from a snapshot into :class:`ChartImage` values.

The chart's title is its finding, written from the facts its kind computed
(``phrasing``); the source line names providers, series ids and the as-of date.
"""

from __future__ import annotations

import logging

import pandas as pd

from generator.charts.kinds import CHART_KINDS, place_end_labels, shade_recessions
from generator.charts.style import date_axis, to_svg
from generator.model import ChartImage, Snapshot
from generator.phrasing import MissingValue, render_template
from generator.spec import ChartSpec, ReportSpec

log = logging.getLogger(__name__)

RECESSION_SERIES = "USREC"
_PROVIDER_NAMES = {"yahoo": "Yahoo Finance", "fred": "FRED"}


def source_line(spec: ReportSpec, chart: ChartSpec, snapshot: Snapshot, shaded: bool = False) -> str:
    """'Source: FRED DGS2, DGS10; Yahoo Finance IWM, SPY; as of 2026-11-20.' for the chart's series.

    ``shaded``: the chart shows recession bands, so the line names their source too.
    """
    groups: dict[str, list[str]] = {}
    for sid in chart.series:
        groups.setdefault(_PROVIDER_NAMES[spec.series[sid].provider], []).append(sid)
    dates = [snapshot.series[sid].last_date for sid in chart.series if sid in snapshot.series]
    as_of = max((d for d in dates if d is not None), default=None)
    parts = "; ".join(f"{name} {', '.join(ids)}" for name, ids in groups.items())
    shading = " Shaded: NBER recessions (FRED USREC)." if shaded else ""
    suffix = f"; as of {as_of}" if as_of else ""
    mark = " Illustrative data - not market data." if snapshot.illustrative else ""
    return f"Source: {parts}{suffix}.{shading}{mark}"


def _shades(chart: ChartSpec) -> bool:
    return CHART_KINDS[chart.kind].time_axis and chart.years >= 2


def render_chart(spec: ReportSpec, chart: ChartSpec, snapshot: Snapshot) -> ChartImage | None:
    """One chart as SVG, or ``None`` when a series is missing or too short to draw it."""
    if any(sid not in snapshot.series or snapshot.series[sid].values.empty for sid in chart.series):
        return None
    kind = CHART_KINDS[chart.kind]
    end = pd.Timestamp(snapshot.as_of)
    start = end - pd.DateOffset(months=round(chart.years * 12))
    data = {sid: snapshot.series[sid].values for sid in chart.series}
    labels = {sid: f"{sid} ({spec.series[sid].label})" for sid in chart.series}
    labels.update({sid: str(name) for sid, name in zip(chart.series, _names(chart), strict=False)})
    try:
        drawn = kind.draw(chart, data, labels, start, end)
    except (IndexError, ValueError, KeyError) as exc:
        log.warning("chart %s not drawn: %s", chart.id, exc)
        return None
    try:
        title = render_template(chart.title, **drawn.facts)
    except MissingValue:
        title = chart.subtitle or chart.id
    shaded = False
    if kind.time_axis:
        recession = snapshot.series.get(RECESSION_SERIES)
        for ax in drawn.figure.axes:
            if _shades(chart) and recession is not None:
                shaded = shade_recessions(ax, recession.values, start, end) or shaded
            date_axis(ax, start, end)
        place_end_labels(drawn.end_labels)
    alt = f"{chart.alt or chart.subtitle or title} Latest: {drawn.latest}."
    return ChartImage(
        id=chart.id,
        title=title,
        svg=to_svg(drawn.figure, chart.id),
        alt=alt,
        source_line=source_line(spec, chart, snapshot, shaded),
        subtitle=chart.subtitle,
    )


def _names(chart: ChartSpec) -> list[str]:
    names = chart.params.get("names")
    return [str(n) for n in names] if isinstance(names, list) else []


def render_charts(spec: ReportSpec, snapshot: Snapshot) -> dict[str, ChartImage]:
    """Every chart the definition declares that its data allow, keyed by id."""
    out: dict[str, ChartImage] = {}
    for chart in spec.charts.values():
        image = render_chart(spec, chart, snapshot)
        if image is not None:
            out[chart.id] = image
    return out
