"""Time-series chart kinds: ratios, baskets, rates, inflation, stacked panels, valuation range.

Every kind computes on the full history it is given and draws from ``start``;
long daily lines are thinned to what the page can show (``style.thin``).
"""

from __future__ import annotations

import pandas as pd

from generator.charts.kinds import Drawn, EndLabel, chart_kind, last_of, param
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
from generator.phrasing import Quantity
from generator.spec import ChartSpec

Series = dict[str, pd.Series]
Labels = dict[str, str]


def _aligned(data: Series, ids: list[str]) -> pd.DataFrame:
    return pd.concat({sid: data[sid] for sid in ids}, axis=1, join="inner").dropna()


def _percentile_of_last(window: pd.Series) -> float:
    """Share of observations in ``window`` at or below its last value, in % (the last value's percentile)."""
    w = window.dropna()
    return float((w <= w.iloc[-1]).mean() * 100.0)


@chart_kind("ratio_with_average", facts={"ratio": "value", "average": "value", "gap": "value"})
def ratio_with_average(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Ratio of the first series to the second, with its ``window``-day moving average.

    Facts: ``ratio`` (latest a/b), ``average`` (its moving average), ``gap``
    (100 * (ratio / average - 1), in %).
    """
    a_id, b_id = spec.series[0], spec.series[1]
    window = int(param(spec, "window", 200))
    both = _aligned(data, [a_id, b_id])
    full_ratio = both[a_id] / both[b_id]
    average = full_ratio.rolling(window).mean()[start:].dropna()
    ratio = full_ratio[start:]
    fig, (ax,) = new_figure()
    r_thin, a_thin = thin(ratio), thin(average)
    ax.plot(r_thin.index, r_thin.values, label=f"{a_id}/{b_id} price ratio", **line_style(0))
    ax.plot(a_thin.index, a_thin.values, label=f"{window}-day average", **line_style(1))
    unit_label(ax, "ratio")
    legend_on_top(ax)
    r, avg = float(ratio.iloc[-1]), float(average.iloc[-1])
    gap = (r / avg - 1.0) * 100.0
    facts = {"ratio": Quantity(r, 3), "average": Quantity(avg, 3), "gap": Quantity(gap, 1)}
    labels_ = [EndLabel(ax, ratio.index[-1], r, f"{r:.3f}", label_color(0))]
    latest = f"{a_id}/{b_id} {r:.3f}, {abs(gap):.1f}% {'above' if gap >= 0 else 'below'} its {window}-day average of {avg:.3f}"
    return Drawn(fig, facts, latest, labels_)


@chart_kind("basket_relative", facts={"total": "value", "recent": "value", "members": "value"})
def basket_relative(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Cumulative performance of an equal-weight basket relative to a benchmark, rebased to 100 at the start.

    The basket is the first series up to the last; the benchmark is the last. The
    basket's daily return is the plain mean of its members' daily returns (equal
    weight, rebalanced daily); relative = basket index / benchmark index * 100.
    Facts: ``total`` (% relative gain over the span), ``recent`` (% over the last
    ``recent_window`` trading days, default 63), ``members`` (basket size).
    """
    members, bench = spec.series[:-1], spec.series[-1]
    frame = _aligned(data, [*members, bench])
    before = frame.index[frame.index <= start]
    frame = frame[before[-1] :] if len(before) else frame  # the base day is the last trading day at or before start
    returns = frame.pct_change().iloc[1:]
    basket = (1.0 + returns[members].mean(axis=1)).cumprod()
    benchmark = (1.0 + returns[bench]).cumprod()
    relative = pd.concat([pd.Series([100.0], index=frame.index[:1]), basket / benchmark * 100.0])
    window = int(param(spec, "recent_window", 63))
    total = float(relative.iloc[-1] - 100.0)
    recent = float((relative.iloc[-1] / relative.iloc[-1 - window] - 1.0) * 100.0)
    name = str(param(spec, "name", "basket"))
    fig, (ax,) = new_figure()
    rel = thin(relative)
    ax.axhline(100.0, color=NEUTRAL, linewidth=0.8, zorder=1)
    ax.plot(rel.index, rel.values, label=f"{name} relative to {bench} (start = 100)", **line_style(0))
    unit_label(ax, "index, start = 100")
    legend_on_top(ax)
    last = float(relative.iloc[-1])
    facts = {"total": Quantity(total, 0), "recent": Quantity(recent, 1), "members": Quantity(len(members), 0)}
    latest = (
        f"{name} relative to {bench} at {last:.0f} (start = 100); {recent:+.1f}% over the last {window} trading days"
    )
    return Drawn(fig, facts, latest, [EndLabel(ax, relative.index[-1], last, f"{last:.0f}", label_color(0))])


@chart_kind("lines", facts={"last": "series", "change": "series"})
def lines(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Each series as a line on one axis, its latest value at its end.

    Facts: ``last.ID`` (latest value of series ID) and ``change.ID`` (latest minus
    the value a year before it), both with ``decimals`` places (default 2).
    """
    fig, (ax,) = new_figure()
    decimals = int(param(spec, "decimals", 2))
    last: dict[str, Quantity] = {}
    change: dict[str, Quantity] = {}
    ends: list[EndLabel] = []
    for i, sid in enumerate(spec.series):
        full = data[sid].dropna()
        s = full[start:]
        style = line_style(i)
        t = thin(s)
        ax.plot(t.index, t.values, label=labels.get(sid, sid), **style)
        value = last_of(full)
        year_ago = full[: full.index[-1] - pd.DateOffset(years=1)]
        last[sid] = Quantity(value, decimals)
        if len(year_ago):
            change[sid] = Quantity(value - float(year_ago.iloc[-1]), decimals)
        ends.append(EndLabel(ax, full.index[-1], value, f"{value:.{decimals}f}", label_color(i)))
    unit_label(ax, str(param(spec, "unit", "")))
    legend_on_top(ax)
    latest = ", ".join(f"{labels.get(sid, sid)} {last[sid]}" for sid in spec.series)
    return Drawn(fig, {"last": last, "change": change}, latest, ends)


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


@chart_kind("inflation_rates", facts={"yoy": "value", "ann3m": "value", "target": "value"})
def inflation_rates(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """A monthly price index as year-over-year and 3-month annualized inflation, with the target.

    Facts: ``yoy`` (latest year over year, %), ``ann3m`` (latest 3-month
    annualized, %), ``target`` (the ``target`` parameter, default 2).
    """
    sid = spec.series[0]
    name = str(param(spec, "name", sid))
    target = float(param(spec, "target", 2.0))
    yoy, ann = _yoy(data[sid])[start:], _annualized_3m(data[sid])[start:]
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
    return Drawn(fig, facts, latest, ends)


@chart_kind("yoy", facts={"last": "series"})
def yoy(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """Year-over-year % change of monthly index series. Facts: ``last.ID`` (latest % y/y)."""
    fig, (ax,) = new_figure()
    ax.axhline(0.0, color=NEUTRAL, linewidth=0.8, zorder=1)
    last: dict[str, Quantity] = {}
    ends = []
    for i, sid in enumerate(spec.series):
        change = _yoy(data[sid])[start:]
        style = line_style(i)
        ax.plot(change.index, change.values, label=labels.get(sid, sid), **style)
        value = float(change.iloc[-1])
        last[sid] = Quantity(value, 1)
        ends.append(EndLabel(ax, change.index[-1], value, f"{value:.1f}", label_color(i)))
    unit_label(ax, str(param(spec, "unit", "% y/y")))
    legend_on_top(ax)
    latest = ", ".join(f"{labels.get(sid, sid)} {last[sid]}% year over year" for sid in spec.series)
    return Drawn(fig, {"last": last}, latest, ends)


@chart_kind("panels", facts={"last": "series", "pct": "series"})
def panels(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """One stacked panel per series, each with its own unit, sharing the date axis.

    ``scales`` multiplies each series (100 turns % into bp), ``units`` names each
    panel's unit. Facts: ``last.ID`` (latest scaled value) and ``pct.ID`` (its
    percentile within the chart's span, %).
    """
    n = len(spec.series)
    scales = [float(x) for x in param(spec, "scales", [1.0] * n)]
    units = [str(x) for x in param(spec, "units", [""] * n)]
    decimals = [int(float(x)) for x in param(spec, "decimals", [1] * n)]
    fig, axes = new_figure(height=1.6 * n + 0.3, rows=n)
    last: dict[str, Quantity] = {}
    pct: dict[str, Quantity] = {}
    ends = []
    for i, (sid, ax) in enumerate(zip(spec.series, axes, strict=True)):
        s = data[sid].dropna()[start:] * scales[i]
        style = line_style(i)
        t = thin(s)
        ax.plot(t.index, t.values, label=labels.get(sid, sid), **style)
        value = float(s.iloc[-1])
        last[sid], pct[sid] = Quantity(value, decimals[i]), Quantity(_percentile_of_last(s), 0)
        ends.append(EndLabel(ax, s.index[-1], value, f"{value:.{decimals[i]}f}", label_color(i)))
        unit_label(ax, units[i])
        legend_on_top(ax)
    latest = "; ".join(
        f"{labels.get(sid, sid)} {last[sid]} {units[i]} ({pct[sid].value:.0f}th percentile of the span)"
        for i, sid in enumerate(spec.series)
    )
    return Drawn(fig, {"last": last, "pct": pct}, latest, ends)


@chart_kind("ratio_range", facts={"ratio": "value", "pct": "value", "vs_median": "value"})
def ratio_range(spec: ChartSpec, data: Series, labels: Labels, start: pd.Timestamp, end: pd.Timestamp) -> Drawn:
    """The a/b price ratio over the span against its own range: median line and 10th-90th percentile band.

    A price-based valuation proxy when no earnings data is available. Facts:
    ``ratio`` (latest), ``pct`` (its percentile within the span, %),
    ``vs_median`` (100 * (ratio / median - 1), %).
    """
    a_id, b_id = spec.series[0], spec.series[1]
    both = _aligned(data, [a_id, b_id])[start:]
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
    return Drawn(fig, facts, latest, [EndLabel(ax, ratio.index[-1], r, f"{r:.3f}", label_color(0))])
