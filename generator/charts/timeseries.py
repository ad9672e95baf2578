"""Time-series chart kinds: ratios, baskets, rates, inflation, stacked panels, valuation range.

Every kind computes on the full history it is given and draws from ``start``
(or from where its data begin, which the chart then says); long daily lines are
thinned to what the page can show (``style.thin``). Kinds that draw each
series on its own (lines, yoy, panels) draw the series they can and report
the others as missing, with the reason.
"""

from __future__ import annotations

import pandas as pd

from generator.charts.kinds import Arity, Drawn, EndLabel, NothingToPlot, Param, chart_kind, last_of, param, reading
from generator.charts.style import (
    BAND_GREY,
    NEUTRAL,
    label_color,
    legend_on_top,
    line_style,
    new_figure,
    thin,
    unit_label,
)
from generator.charts.words import day_words, listing, months_words
from generator.errors import InsufficientHistory
from generator.indicators.horizon_returns import basket_relative_return_months
from generator.phrasing import Quantity
from generator.spec import ChartSpec

Series = dict[str, pd.Series]
Labels = dict[str, str]

NAMES = Param("names", "texts", None, "each series' name in the legend (default: its label)", per="series")


def _aligned(data: Series, ids: list[str]) -> pd.DataFrame:
    return pd.concat({sid: data[sid] for sid in ids}, axis=1, join="inner").dropna()


def _percentile_of_last(window: pd.Series) -> float:
    """Share of observations in ``window`` at or below its last value, in % (the last value's percentile)."""
    w = window.dropna()
    return float((w <= w.iloc[-1]).mean() * 100.0)


def _nothing_in_window(ids: list[str], start: pd.Timestamp, data: Series) -> NothingToPlot:
    ends = [data[sid].dropna().index[-1] for sid in ids if not data[sid].dropna().empty]
    if ends and max(ends) < start:
        return NothingToPlot(f"{listing(ids)}: no observation since {day_words(start)}")
    return NothingToPlot(f"{listing(ids)}: no common dates since {day_words(start)}")


@chart_kind(
    "ratio_with_average",
    facts={"ratio": "value", "average": "value", "gap": "value"},
    series=Arity(2, 2),
    params=[Param("window", "integer", 200, "length of the moving average, in trading days", minimum=2)],
)
def ratio_with_average(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Ratio of the first series to the second, with its ``window``-day moving average.

    Facts: ``ratio`` (latest a/b), ``average`` (its moving average), ``gap``
    (100 * (ratio / average - 1), in %). Without ``window`` common days the
    average is left out (and so are ``average`` and ``gap``).
    """
    a_id, b_id = spec.series[0], spec.series[1]
    window = param(spec, "window")
    both = _aligned(data, [a_id, b_id])
    full_ratio = both[a_id] / both[b_id]
    average = full_ratio.rolling(window).mean()[start:].dropna()
    ratio = full_ratio[start:]
    if ratio.empty:
        raise _nothing_in_window([a_id, b_id], start, data)
    fig, (ax,) = new_figure()
    r_thin = thin(ratio)
    ax.plot(r_thin.index, r_thin.values, label=f"{a_id}/{b_id} price ratio", **line_style(0))
    notes: list[str] = []
    r = float(ratio.iloc[-1])
    if average.empty:
        notes.append(f"No {window}-day average: {len(full_ratio)} common trading days.")
        facts: dict[str, object] = {"ratio": Quantity(r, 3), "average": None, "gap": None}
        latest = f"{a_id}/{b_id} {r:.3f}"
    else:
        a_thin = thin(average)
        ax.plot(a_thin.index, a_thin.values, label=f"{window}-day average", **line_style(1))
        avg = float(average.iloc[-1])
        gap = (r / avg - 1.0) * 100.0
        facts = {"ratio": Quantity(r, 3), "average": Quantity(avg, 3), "gap": Quantity(gap, 1)}
        latest = (
            f"{a_id}/{b_id} {r:.3f}, {abs(gap):.1f}% {'above' if gap >= 0 else 'below'} "
            f"its {window}-day average of {avg:.3f}"
        )
    unit_label(ax, "ratio")
    legend_on_top(ax)
    labels_ = [EndLabel(ax, ratio.index[-1], r, f"{r:.3f}", label_color(0))]
    return Drawn(fig, facts, latest, labels_, first=ratio.index[0], last=ratio.index[-1], notes=notes)


@chart_kind(
    "basket_relative",
    facts={
        "total": "value",
        "recent": "value",
        "recent_span": "text",
        "members": "value",
        "member_list": "text",
        "benchmark": "text",
    },
    series=Arity(2, benchmark_last=True),
    params=[
        Param("name", "text", "basket", "what the basket is called in the legend"),
        Param("recent_months", "integer", 3, "horizon of the recent relative return, in calendar months", minimum=1),
    ],
)
def basket_relative(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Cumulative performance of an equal-weight basket relative to a benchmark, rebased to 100 at the start.

    The basket is the first series up to the last; the benchmark is the last. The
    basket's daily return is the plain mean of its members' daily returns (equal
    weight, rebalanced daily); relative = basket index / benchmark index * 100,
    on the dates every member and the benchmark trade. Facts: ``total`` (%
    relative gain over the plotted span), ``recent`` (the basket's return minus
    the benchmark's over the last ``recent_months`` calendar months, in points:
    the indicator ``basket_relative_return_months``, the performance grid's
    definition, so a table or the grid showing it agrees), ``recent_span``
    ("three months"), ``members`` (basket size), ``member_list`` ("AAPL, MSFT and
    NVDA") and ``benchmark``.
    """
    members, bench = spec.series[:-1], spec.series[-1]
    frame = _aligned(data, [*members, bench])
    before = frame.index[frame.index <= start]
    frame = frame[before[-1] :] if len(before) else frame  # the base day is the last trading day at or before start
    if len(frame) < 2:
        raise _nothing_in_window([*members, bench], start, data)
    returns = frame.pct_change().iloc[1:]
    basket = (1.0 + returns[members].mean(axis=1)).cumprod()
    benchmark = (1.0 + returns[bench]).cumprod()
    relative = pd.concat([pd.Series([100.0], index=frame.index[:1]), basket / benchmark * 100.0])
    months = param(spec, "recent_months")
    total = float(relative.iloc[-1] - 100.0)
    try:
        value = basket_relative_return_months(pd.concat({m: data[m] for m in members}, axis=1), data[bench], months)
        recent: Quantity | None = Quantity(reading(value), 1)
    except InsufficientHistory:
        recent = None
    name = param(spec, "name")
    fig, (ax,) = new_figure()
    rel = thin(relative)
    ax.axhline(100.0, color=NEUTRAL, linewidth=0.8, zorder=1)
    ax.plot(rel.index, rel.values, label=f"{name} relative to {bench} (start = 100)", **line_style(0))
    unit_label(ax, "index, start = 100")
    legend_on_top(ax)
    last = float(relative.iloc[-1])
    facts = {
        "total": Quantity(total, 0),
        "recent": recent,
        "recent_span": months_words(months),
        "members": Quantity(len(members), 0),
        "member_list": listing(members),
        "benchmark": bench,
    }
    latest = f"{name} relative to {bench} at {last:.0f} (start = 100)"
    if recent is not None:
        latest += f"; return {recent.value:+.1f} points against {bench}'s over the last {months_words(months)}"
    ends = [EndLabel(ax, relative.index[-1], last, f"{last:.0f}", label_color(0))]
    return Drawn(fig, facts, latest, ends, first=relative.index[0], last=relative.index[-1])


def _drawable(spec: ChartSpec, data: Series, start: pd.Timestamp) -> tuple[dict[str, pd.Series], dict[str, str]]:
    """Each series' observations from ``start``, and why the others have none."""
    kept: dict[str, pd.Series] = {}
    missing: dict[str, str] = {}
    for sid in spec.series:
        s = data[sid].dropna()
        if s[start:].empty:
            missing[sid] = f"no observation since {day_words(start)}" if len(s) else "no data"
        else:
            kept[sid] = s
    return kept, missing


@chart_kind(
    "lines",
    facts={"last": "series", "change": "series"},
    series=Arity(1),
    params=[
        Param("unit", "text", "", "the unit written above the axis"),
        Param("decimals", "integer", 2, "decimals of the latest values", minimum=0),
        NAMES,
    ],
)
def lines(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Each series as a line on one axis, its latest value at its end.

    Facts: ``last.ID`` (latest value of series ID) and ``change.ID`` (latest minus
    the value a year before it), both with ``decimals`` places (default 2). A
    series with no observation in the window is left out and reported missing.
    """
    kept, missing = _drawable(spec, data, start)
    if not kept:
        raise NothingToPlot("; ".join(f"{sid}: {why}" for sid, why in missing.items()))
    fig, (ax,) = new_figure()
    decimals = param(spec, "decimals")
    last: dict[str, Quantity] = {}
    change: dict[str, Quantity] = {}
    ends: list[EndLabel] = []
    for i, sid in enumerate(spec.series):
        if sid not in kept:
            continue
        full = kept[sid]
        s = full[start:]
        t = thin(s)
        ax.plot(t.index, t.values, label=labels.get(sid, sid), **line_style(i))
        value = last_of(full)
        year_ago = full[: full.index[-1] - pd.DateOffset(years=1)]
        last[sid] = Quantity(value, decimals)
        if len(year_ago):
            change[sid] = Quantity(value - float(year_ago.iloc[-1]), decimals)
        ends.append(EndLabel(ax, full.index[-1], value, f"{value:.{decimals}f}", label_color(i)))
    unit_label(ax, param(spec, "unit"))
    legend_on_top(ax)
    latest = ", ".join(f"{labels.get(sid, sid)} {last[sid]}" for sid in spec.series if sid in last)
    first = min(kept[sid][start:].index[0] for sid in kept)
    last_date = max(kept[sid].index[-1] for sid in kept)
    return Drawn(fig, {"last": last, "change": change}, latest, ends, first=first, last=last_date, missing=missing)


def _annualized_3m(index: pd.Series) -> pd.Series:
    """3-month annualized % change of a monthly index: 100 * ((x[m] / x[m-3]) ** 4 - 1)."""
    s = index.dropna()
    base = s.reindex(s.index - pd.DateOffset(months=3))
    base.index = s.index
    return (((s / base) ** 4 - 1.0) * 100.0).dropna()


def _yoy(index: pd.Series) -> pd.Series:
    """Year-over-year % change of a monthly index: 100 * (x[m] / x[m-12 months] - 1), gaps stay gaps."""
    s = index.dropna()
    base = s.reindex(s.index - pd.DateOffset(months=12))
    base.index = s.index
    return ((s / base - 1.0) * 100.0).dropna()


def _why_no_yoy(series: pd.Series, start: pd.Timestamp) -> str:
    s = series.dropna()
    if s.empty:
        return "no data"
    if s.index[-1] < start:
        return f"no observation since {day_words(start)}"
    return "too short for a year-over-year change (needs 13 months)"


@chart_kind(
    "inflation_rates",
    facts={"yoy": "value", "ann3m": "value", "target": "value"},
    series=Arity(1, 1),
    params=[
        Param("name", "text", None, "the index's name in the legend (default: the series id)"),
        Param("target", "number", 2.0, "the inflation target drawn as a reference line, in %"),
    ],
)
def inflation_rates(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """A monthly price index as year-over-year and 3-month annualized inflation, with the target.

    Facts: ``yoy`` (latest year over year, %), ``ann3m`` (latest 3-month
    annualized, %), ``target`` (the ``target`` parameter, default 2).
    """
    sid = spec.series[0]
    name = param(spec, "name") or sid
    target = param(spec, "target")
    yoy, ann = _yoy(data[sid])[start:], _annualized_3m(data[sid])[start:]
    if yoy.empty or ann.empty:
        raise NothingToPlot(f"{sid}: {_why_no_yoy(data[sid], start)}")
    fig, (ax,) = new_figure()
    ax.axhline(target, color=NEUTRAL, linewidth=0.9, linestyle=(0, (2, 2)), zorder=1, label=f"{target:g}% target")
    ax.plot(ann.index, ann.values, label=f"{name}, 3-month annualized", **line_style(1))
    ax.plot(yoy.index, yoy.values, label=f"{name}, year over year", **line_style(0))
    unit_label(ax, "%")
    legend_on_top(ax)
    y, a = float(yoy.iloc[-1]), float(ann.iloc[-1])
    ends = [
        EndLabel(ax, yoy.index[-1], y, f"{y:.1f}", label_color(0)),
        EndLabel(ax, ann.index[-1], a, f"{a:.1f}", label_color(1)),
    ]
    facts = {"yoy": Quantity(y, 1), "ann3m": Quantity(a, 1), "target": Quantity(target, 1)}
    month = yoy.index[-1].strftime("%B %Y")
    latest = f"{name} {y:.1f}% year over year and {a:.1f}% 3-month annualized in {month}"
    first, last = min(yoy.index[0], ann.index[0]), max(yoy.index[-1], ann.index[-1])
    return Drawn(fig, facts, latest, ends, first=first, last=last)


@chart_kind(
    "yoy",
    facts={"last": "series"},
    series=Arity(1),
    params=[Param("unit", "text", "% y/y", "the unit written above the axis"), NAMES],
)
def yoy(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Year-over-year % change of monthly index series. Facts: ``last.ID`` (latest % y/y).

    A series too short for a year-over-year change in the window is left out and reported missing.
    """
    changes = {sid: _yoy(data[sid])[start:] for sid in spec.series}
    missing = {sid: _why_no_yoy(data[sid], start) for sid, c in changes.items() if c.empty}
    if len(missing) == len(changes):
        raise NothingToPlot("; ".join(f"{sid}: {why}" for sid, why in missing.items()))
    fig, (ax,) = new_figure()
    ax.axhline(0.0, color=NEUTRAL, linewidth=0.8, zorder=1)
    last: dict[str, Quantity] = {}
    ends = []
    for i, sid in enumerate(spec.series):
        change = changes[sid]
        if change.empty:
            continue
        ax.plot(change.index, change.values, label=labels.get(sid, sid), **line_style(i))
        value = float(change.iloc[-1])
        last[sid] = Quantity(value, 1)
        ends.append(EndLabel(ax, change.index[-1], value, f"{value:.1f}", label_color(i)))
    unit_label(ax, param(spec, "unit"))
    legend_on_top(ax)
    latest = ", ".join(f"{labels.get(sid, sid)} {last[sid]}% year over year" for sid in spec.series if sid in last)
    drawn = [c for c in changes.values() if not c.empty]
    first, last_date = min(c.index[0] for c in drawn), max(c.index[-1] for c in drawn)
    return Drawn(fig, {"last": last}, latest, ends, first=first, last=last_date, missing=missing)


@chart_kind(
    "panels",
    facts={"last": "series", "pct": "series"},
    series=Arity(1),
    params=[
        Param("scales", "numbers", 1.0, "multiplies each series (100 turns % into bp)", per="series"),
        Param("units", "texts", "", "each panel's unit", per="series"),
        Param("decimals", "numbers", 1, "decimals of each panel's latest value", per="series"),
        NAMES,
    ],
)
def panels(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """One stacked panel per series, each with its own unit, sharing the date axis.

    ``scales`` multiplies each series (100 turns % into bp), ``units`` names each
    panel's unit. Facts: ``last.ID`` (latest scaled value) and ``pct.ID`` (its
    percentile within the plotted span, %). A series with no observation in the
    window gets no panel and is reported missing.
    """
    scales = param(spec, "scales")
    units = param(spec, "units")
    decimals = [int(x) for x in param(spec, "decimals")]
    kept, missing = _drawable(spec, data, start)
    if not kept:
        raise NothingToPlot("; ".join(f"{sid}: {why}" for sid, why in missing.items()))
    rows = [i for i, sid in enumerate(spec.series) if sid in kept]
    fig, axes = new_figure(height=1.6 * len(rows) + 0.3, rows=len(rows))
    last: dict[str, Quantity] = {}
    pct: dict[str, Quantity] = {}
    ends = []
    for i, ax in zip(rows, axes, strict=True):
        sid = spec.series[i]
        s = kept[sid][start:] * scales[i]
        t = thin(s)
        ax.plot(t.index, t.values, label=labels.get(sid, sid), **line_style(i))
        value = float(s.iloc[-1])
        last[sid], pct[sid] = Quantity(value, decimals[i]), Quantity(_percentile_of_last(s), 0)
        ends.append(EndLabel(ax, s.index[-1], value, f"{value:.{decimals[i]}f}", label_color(i)))
        unit_label(ax, units[i])
        legend_on_top(ax)
    latest = "; ".join(
        f"{labels.get(spec.series[i], spec.series[i])} {last[spec.series[i]]} {units[i]} "
        f"({pct[spec.series[i]].value:.0f}th percentile of the span)"
        for i in rows
    )
    first = min(kept[sid][start:].index[0] for sid in kept)
    last_date = max(kept[sid].index[-1] for sid in kept)
    return Drawn(fig, {"last": last, "pct": pct}, latest, ends, first=first, last=last_date, missing=missing)


@chart_kind(
    "ratio_range",
    facts={"ratio": "value", "pct": "value", "vs_median": "value"},
    series=Arity(2, 2),
)
def ratio_range(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """The a/b price ratio over the span against its own range: median line and 10th-90th percentile band.

    A price-based valuation proxy when no earnings data is available. Facts:
    ``ratio`` (latest), ``pct`` (its percentile within the plotted span, %),
    ``vs_median`` (100 * (ratio / median - 1), %).
    """
    a_id, b_id = spec.series[0], spec.series[1]
    both = _aligned(data, [a_id, b_id])[start:]
    if both.empty:
        raise _nothing_in_window([a_id, b_id], start, data)
    ratio = both[a_id] / both[b_id]
    median, lo, hi = (float(ratio.quantile(q)) for q in (0.5, 0.1, 0.9))
    fig, (ax,) = new_figure()
    ax.axhspan(lo, hi, color=BAND_GREY, linewidth=0, zorder=0, label="10th-90th percentile of the span")
    ax.axhline(median, color=NEUTRAL, linewidth=1.0, linestyle=(0, (4, 2)), zorder=1, label="median")
    t = thin(ratio)
    ax.plot(t.index, t.values, label=f"{a_id}/{b_id} price ratio", **line_style(0))
    unit_label(ax, "ratio")
    legend_on_top(ax)
    r = float(ratio.iloc[-1])
    pct = _percentile_of_last(ratio)
    vs_median = (r / median - 1.0) * 100.0
    facts = {"ratio": Quantity(r, 3), "pct": Quantity(pct, 0), "vs_median": Quantity(vs_median, 0)}
    latest = f"{a_id}/{b_id} {r:.3f}, at the {pct:.0f}th percentile of the span and {vs_median:+.0f}% from its median {median:.3f}"
    ends = [EndLabel(ax, ratio.index[-1], r, f"{r:.3f}", label_color(0))]
    return Drawn(fig, facts, latest, ends, first=ratio.index[0], last=ratio.index[-1])
