"""Draw every chart of the definition from a snapshot into :class:`ChartImage` values.

The chart's title is its finding, written from the facts its kind computed
(``phrasing``) and from the standard facts of what was actually plotted: its
window (``span``: "over five years" when the declared window is covered,
"since 16 Dec 2024" when the data start later), ``start``, ``end`` and which
series are drawn (``plotted``). The x-axis runs from where the data start, and
the note says why a chart starts late, which series is missing, which ends
early and which a declared fallback stands in for (the plan resolves them
before the charts are drawn). A chart missing some series draws the others;
one that cannot draw anything is kept as a note, so the reader sees what is
absent. The source line names providers, series ids and the as-of date.

Each chart is drawn twice when the HTML needs it: for the page (the PDF, wide
screens) and for a phone (narrower, larger text; ``ChartImage.svg_phone``).
Its words are the same in both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
from jinja2 import UndefinedError

from generator.charts.kinds import CHART_KINDS, ChartKind, Drawn, NothingToPlot, place_end_labels, shade_recessions
from generator.charts.params import subset_params
from generator.charts.style import PHONE, date_axis, layout, to_svg
from generator.charts.words import day_words, listing, years_words
from generator.model import ChartImage, Snapshot
from generator.phrasing import MissingValue, Quantity, render_template
from generator.pointintime import is_stale
from generator.spec import ChartSpec, ReportSpec

log = logging.getLogger(__name__)

_PROVIDER_NAMES = {"yahoo": "Yahoo Finance", "fred": "FRED"}
# How late after the window's start a series' first point may fall and still cover it: a daily series
# starts on the next trading day, a monthly one on the next first of the month.
_COVER_SLACK = {"daily": 7, "weekly": 10, "monthly": 35, "quarterly": 95}


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
    recession = spec.report.recession_series
    shading = (
        f" Shaded: recessions ({_PROVIDER_NAMES[spec.series[recession].provider]} {recession})."
        if shaded and recession
        else ""
    )
    suffix = f"; as of {as_of}" if as_of else ""
    mark = " Illustrative data - not market data." if snapshot.illustrative else ""
    return f"Source: {parts}{suffix}.{shading}{mark}"


@dataclass(frozen=True)
class _Window:
    """What was plotted, in the standard facts, and where the x-axis starts."""

    facts: dict[str, Any]
    axis_start: pd.Timestamp
    notes: list[str]


def _grouped(reasons: dict[str, str]) -> list[str]:
    """{'A': 'no data', 'B': 'no data'} -> ['A and B: no data.']"""
    by_reason: dict[str, list[str]] = {}
    for sid, why in reasons.items():
        by_reason.setdefault(why, []).append(sid)
    return [f"{listing(ids)}: {why}." for why, ids in by_reason.items()]


def _late_start(first: pd.Timestamp, firsts: dict[str, pd.Timestamp], slack: pd.Timedelta, monthly: bool) -> str:
    """'From 16 Dec 2024: AMZN's history starts there.' (or names the series whose late start cut the window)."""
    latest = max(firsts.values())
    late = [sid for sid, f in firsts.items() if f >= latest - pd.Timedelta(days=7)]
    subject = f"{late[0]}'s history starts" if len(late) == 1 else f"the histories of {listing(late)} start"
    when = day_words(first, monthly)
    if latest >= first - slack:
        return f"From {when}: {subject} there."
    return f"From {when}: {subject} on {day_words(latest, monthly)}, too late for earlier points."


def _window(
    spec: ReportSpec, chart: ChartSpec, kind: ChartKind, drawn: Drawn, plotted: list[str],
    have: dict[str, pd.Series], start: pd.Timestamp, end: pd.Timestamp,
) -> _Window:  # fmt: skip
    first = drawn.first if drawn.first is not None else start
    last = drawn.last if drawn.last is not None else end
    frequencies = {spec.series[sid].frequency for sid in plotted}
    monthly = frequencies <= {"monthly", "quarterly"}
    notes: list[str] = []
    axis_start = start
    span = f"from {day_words(first, monthly)} to {day_words(last, monthly)}"
    if kind.time_axis:
        slack = pd.Timedelta(days=max(_COVER_SLACK[f] for f in frequencies))
        if first <= start + slack:
            span = f"over {years_words(chart.years)}"
        else:
            span, axis_start = f"since {day_words(first, monthly)}", first
            notes.append(_late_start(first, {sid: have[sid].index[0] for sid in plotted}, slack, monthly))
    facts: dict[str, Any] = {
        "span": span,
        "start": day_words(first, monthly),
        "end": day_words(last, monthly),
        "years_plotted": Quantity((last - first).days / 365.25, 1),
        "plotted": {sid: sid in plotted for sid in chart.series},
    }
    return _Window(facts, axis_start, notes)


def _stale_notes(spec: ReportSpec, snapshot: Snapshot, plotted: list[str]) -> list[str]:
    """'NVDA and AMZN: data end 13 Jun 2025.' for plotted series older than their declared staleness allows."""
    ends: dict[str, list[str]] = {}
    for sid in plotted:
        data = snapshot.series[sid]
        if (data.stale or is_stale(data, spec.series[sid], snapshot.as_of)) and data.last_date is not None:
            ends.setdefault(day_words(pd.Timestamp(data.last_date)), []).append(sid)
    return [f"{listing(ids)}: data end {day}." for day, ids in ends.items()]


def _stand_in_notes(snapshot: Snapshot, plotted: list[str]) -> list[str]:
    """'DFEDTARU: derived from the effective rate (DFF).' for each plotted series a declared fallback stands in for."""
    return [f"{sid}: {snapshot.series[sid].fallback}." for sid in plotted if snapshot.series[sid].fallback]


def _text(template: str, facts: dict[str, Any]) -> str | None:
    """The template filled with the facts; ``None`` when it reads a fact that has no value."""
    try:
        return render_template(template, **{k: v for k, v in facts.items() if v is not None})
    except (MissingValue, UndefinedError):
        return None


def _cannot_draw(kind: ChartKind, series: list[str], absent: list[str]) -> str | None:
    """Why nothing can be drawn without the ``absent`` series, or ``None`` when the others suffice."""
    if not absent:
        return None
    if kind.series.max == kind.series.min or len(series) - len(absent) < kind.series.min:
        return " ".join(_grouped(dict.fromkeys(absent, "no data")))
    if kind.series.benchmark_last and series[-1] in absent:
        return f"{series[-1]} (the benchmark): no data."
    return None


def _not_drawn(spec: ReportSpec, chart: ChartSpec, snapshot: Snapshot, why: str) -> ChartImage:
    """The chart's place in the document, saying what would be plotted and why it is not."""
    end = pd.Timestamp(snapshot.as_of)
    facts = {
        "span": f"over {years_words(chart.years)}",
        "start": day_words(end - pd.DateOffset(months=round(chart.years * 12))),
        "end": day_words(end),
        "years_plotted": Quantity(0.0, 1),
        "plotted": dict.fromkeys(chart.series, False),
    }
    what = _text(chart.subtitle, facts) or chart.id
    note = f"Not drawn. {why.rstrip('.')}."
    return ChartImage(
        id=chart.id,
        title=what,
        svg="",
        alt=f"{what}. {note}",
        source_line=source_line(spec, chart, snapshot),
        note=note,
    )


def _finish(
    drawn: Drawn, kind: ChartKind, spec: ReportSpec, snapshot: Snapshot, start: pd.Timestamp, end: pd.Timestamp
) -> bool:
    """Date axis, recession bands (on multi-year axes) and line-end labels; ``True`` if a band was drawn."""
    shaded = False
    if kind.time_axis:
        sid = spec.report.recession_series
        recession = snapshot.series.get(sid) if sid else None
        shade = recession is not None and (end - start).days / 365.25 >= 2
        for ax in drawn.figure.axes:
            if shade and recession is not None:
                shaded = shade_recessions(ax, recession.values, start, end) or shaded
            date_axis(ax, start, end)
        place_end_labels(drawn.end_labels)
    return shaded


def render_chart(spec: ReportSpec, chart: ChartSpec, snapshot: Snapshot, phone: bool = True) -> ChartImage:
    """One chart as SVG, drawn from the series that have data; a note alone when none can be drawn.

    ``phone``: also draw the phone rendition (only the HTML shows it).
    """
    kind = CHART_KINDS[chart.kind]
    end = pd.Timestamp(snapshot.as_of)
    start = end - pd.DateOffset(months=round(chart.years * 12))
    have = {
        sid: values
        for sid in chart.series
        if sid in snapshot.series and not (values := snapshot.series[sid].values.dropna()).empty
    }
    absent = [sid for sid in chart.series if sid not in have]
    why = _cannot_draw(kind, chart.series, absent)
    if why is not None:
        return _not_drawn(spec, chart, snapshot, why)
    keep = [i for i, sid in enumerate(chart.series) if sid in have]
    sub = chart.model_copy(
        update={"series": [chart.series[i] for i in keep], "params": subset_params(kind.params, chart.params, keep)}
    )
    data = {sid: snapshot.series[sid].values for sid in sub.series}
    labels = {sid: f"{sid} ({spec.series[sid].label})" for sid in sub.series}
    names = sub.params.get("names")
    if isinstance(names, list):
        labels.update({sid: str(name) for sid, name in zip(sub.series, names, strict=False)})
    try:
        drawn = kind.draw(sub, data, labels, start, end)
    except NothingToPlot as exc:
        return _not_drawn(
            spec, chart, snapshot, " ".join([str(exc).rstrip(".") + ".", *_grouped(dict.fromkeys(absent, "no data"))])
        )
    except (IndexError, ValueError, KeyError) as exc:
        log.warning("chart %s not drawn: %s", chart.id, exc)
        return _not_drawn(spec, chart, snapshot, "the data do not allow it")
    plotted = [sid for sid in sub.series if sid not in drawn.missing]
    window = _window(spec, chart, kind, drawn, plotted, have, start, end)
    facts = {**window.facts, **drawn.facts}
    missing = {**dict.fromkeys(absent, "no data"), **drawn.missing}
    notes = [
        *window.notes, *_stand_in_notes(snapshot, plotted), *_stale_notes(spec, snapshot, plotted), *_grouped(missing),
        *drawn.notes,
    ]  # fmt: skip
    subtitle = _text(chart.subtitle, facts) or ""
    title = _text(chart.title, facts)
    if title is None:
        log.info("chart %s: its title reads a fact without data; the subtitle stands in", chart.id)
        title = subtitle or chart.id
    note = " ".join(notes)
    shaded = _finish(drawn, kind, spec, snapshot, window.axis_start, end)
    svg_phone = ""
    if phone:
        with layout(PHONE):
            small = kind.draw(sub, data, labels, start, end)
            _finish(small, kind, spec, snapshot, window.axis_start, end)
            svg_phone = to_svg(small.figure, f"{chart.id}-phone")
    described = _text(chart.alt, facts) or subtitle or title
    alt = f"{described} Latest: {drawn.latest}." + (f" {note}" if note else "")
    return ChartImage(
        id=chart.id,
        title=title,
        svg=to_svg(drawn.figure, chart.id),
        alt=alt,
        source_line=source_line(spec, chart, snapshot, shaded),
        subtitle=subtitle,
        note=note,
        svg_phone=svg_phone,
    )


def render_charts(
    spec: ReportSpec, snapshot: Snapshot, phone: bool = True, part: tuple[int, int] = (0, 1)
) -> dict[str, ChartImage]:
    """Every chart the definition declares, keyed by id: drawn from what the data allow, or a note saying why not.

    ``phone=False`` skips the phone renditions (no HTML to show them: a PDF-only run). ``part=(i, n)`` draws
    every n-th chart from the i-th only, so that n processes can share the drawing.
    """
    i, n = part
    return {chart.id: render_chart(spec, chart, snapshot, phone) for chart in list(spec.charts.values())[i::n]}
