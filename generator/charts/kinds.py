"""Chart kinds, registered by name: each draws one figure from snapshot series.

A kind receives its :class:`ChartSpec`, the full series it names (a moving
average needs history before the chart's first date) and the first date to
show, and returns the figure plus a short statement of the
latest values for the alt text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from generator.charts.style import RECESSION_GREY, line_style, new_figure
from generator.spec import ChartSpec

Drawer = Callable[[ChartSpec, dict[str, pd.Series], dict[str, str], pd.Timestamp], "Drawn"]


@dataclass(frozen=True)
class Drawn:
    figure: Figure
    latest: str  # "IWM/SPY 0.372 (200-day average 0.365)" - read out in the alt text


CHART_KINDS: dict[str, Drawer] = {}


def chart_kind(name: str) -> Callable[[Drawer], Drawer]:
    def register(func: Drawer) -> Drawer:
        CHART_KINDS[name] = func
        return func

    return register


def label_last(ax: Axes, series: pd.Series, color: str, fmt: str = "{:.2f}") -> None:
    """Write the latest value just right of the line's end."""
    s = series.dropna()
    if s.empty:
        return
    ax.annotate(
        fmt.format(s.iloc[-1]),
        xy=(s.index[-1], s.iloc[-1]),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize=7.5,
        color=color,
        fontweight="bold",
    )


def shade_recessions(ax: Axes, recession: pd.Series | None, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Grey bands over NBER recession months (USREC = 1) inside the chart's span."""
    if recession is None or recession.empty:
        return
    flags = recession[(recession.index >= start - pd.DateOffset(months=1)) & (recession.index <= end)]
    in_rec = False
    begin = start
    for when, value in flags.items():
        if value >= 0.5 and not in_rec:
            in_rec, begin = True, max(when, start)
        elif value < 0.5 and in_rec:
            in_rec = False
            ax.axvspan(begin, when, color=RECESSION_GREY, linewidth=0, zorder=0)
    if in_rec:
        ax.axvspan(begin, end, color=RECESSION_GREY, linewidth=0, zorder=0)


@chart_kind("ratio_with_average")
def ratio_with_average(
    spec: ChartSpec, data: dict[str, pd.Series], labels: dict[str, str], start: pd.Timestamp
) -> Drawn:
    """Ratio of the first series to the second, with its moving average."""
    a_id, b_id = spec.series[0], spec.series[1]
    window = int(spec.params.get("window", 200))  # type: ignore[arg-type]
    both = pd.concat({"a": data[a_id], "b": data[b_id]}, axis=1, join="inner").dropna()
    full_ratio = both["a"] / both["b"]
    average = full_ratio.rolling(window).mean()[start:]
    ratio = full_ratio[start:]
    fig, ax = new_figure()
    ax.plot(ratio.index, ratio.values, label=f"{a_id}/{b_id}", **line_style(0))
    ax.plot(average.index, average.values, label=f"{window}-day average", **line_style(1))
    label_last(ax, ratio, line_style(0)["color"], "{:.3f}")
    ax.set_ylabel("price ratio")
    ax.legend(loc="upper left")
    latest = f"{a_id}/{b_id} {ratio.iloc[-1]:.3f} ({window}-day average {average.iloc[-1]:.3f})" if len(ratio) else ""
    return Drawn(fig, latest)


@chart_kind("lines")
def lines(spec: ChartSpec, data: dict[str, pd.Series], labels: dict[str, str], start: pd.Timestamp) -> Drawn:
    """Each series as a line on one axis, labelled with its latest value."""
    fig, ax = new_figure()
    parts = []
    for i, sid in enumerate(spec.series):
        s = data[sid].dropna()[start:]
        style = line_style(i)
        ax.plot(s.index, s.values, label=labels.get(sid, sid), **style)
        label_last(ax, s, style["color"])
        if len(s):
            parts.append(f"{sid} {s.iloc[-1]:.2f}")
    ax.set_ylabel(str(spec.params.get("unit", "")))
    ax.legend(loc="upper left")
    return Drawn(fig, ", ".join(parts))


@chart_kind("yoy")
def yoy(spec: ChartSpec, data: dict[str, pd.Series], labels: dict[str, str], start: pd.Timestamp) -> Drawn:
    """Year-over-year % change of monthly index series (12-observation change)."""
    fig, ax = new_figure()
    parts = []
    for i, sid in enumerate(spec.series):
        s = data[sid].dropna()
        change = ((s / s.shift(12) - 1.0).dropna() * 100.0)[start:]
        style = line_style(i)
        ax.plot(change.index, change.values, label=labels.get(sid, sid), **style)
        label_last(ax, change, style["color"], "{:.1f}%")
        if len(change):
            parts.append(f"{sid} {change.iloc[-1]:.1f}% year over year")
    ax.set_ylabel(str(spec.params.get("unit", "% y/y")))
    ax.legend(loc="upper left")
    return Drawn(fig, ", ".join(parts))
