"""Chart kinds, registered by name: each draws one figure from snapshot series and states its facts.

A kind receives its :class:`ChartSpec`, the full series it names (a moving
average needs history before the chart's first date), display labels and the
first and last dates to show. It returns the figure, the **facts** its title
template may read (e.g. ``gap`` = how far the ratio sits from its average, in
%), a sentence of latest values for the alt text, and the line ends to label.

Each kind declares its facts with a type, so the report definition's title
templates are checked at load: ``"value"`` (a :class:`Quantity`), ``"text"``,
or ``"series"`` (a :class:`Quantity` per series id: ``last.DGS2``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from generator.charts.style import RECESSION_GREY
from generator.phrasing import Quantity
from generator.spec import ChartSpec

if TYPE_CHECKING:  # matplotlib is imported when the first chart is drawn (style.load_matplotlib)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FactType = Literal["value", "text", "series"]
Fact = Quantity | str | Mapping[str, Quantity]


@dataclass(frozen=True)
class EndLabel:
    """A latest-value label at a line's end: placed after the axes are final, apart from its neighbours."""

    ax: Axes
    x: pd.Timestamp
    y: float
    text: str
    color: str


@dataclass
class Drawn:
    figure: Figure
    facts: Mapping[str, Any]  # name -> Quantity, text, or a Quantity per series id
    latest: str  # "IWM/SPY 0.372 (200-day average 0.365)": read out in the alt text
    end_labels: list[EndLabel] = field(default_factory=list)


Drawer = Callable[[ChartSpec, dict[str, pd.Series], dict[str, str], pd.Timestamp, pd.Timestamp], Drawn]


@dataclass(frozen=True)
class ChartKind:
    name: str
    draw: Drawer
    facts: Mapping[str, FactType]
    time_axis: bool = True  # dates on x: the span is set, recessions shaded, line ends labelled


CHART_KINDS: dict[str, ChartKind] = {}


def chart_kind(name: str, facts: Mapping[str, FactType], time_axis: bool = True) -> Callable[[Drawer], Drawer]:
    def register(func: Drawer) -> Drawer:
        CHART_KINDS[name] = ChartKind(name, func, dict(facts), time_axis)
        return func

    return register


def param(spec: ChartSpec, name: str, default: Any) -> Any:
    return spec.params.get(name, default)


def check_chart_params(kind_name: str, params: dict[str, Any], series: list[str]) -> list[str]:
    """Problems with a chart's parameters and series for its kind (the charts helper declares them per kind)."""
    kind = CHART_KINDS.get(kind_name)
    if kind is None:
        return [f"kind: unknown chart kind '{kind_name}'"]
    return []


def last_of(series: pd.Series) -> float:
    s = series.dropna()
    if s.empty:
        raise ValueError("empty series")
    return float(s.iloc[-1])


def shade_recessions(ax: Axes, recession: pd.Series | None, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """Grey bands over NBER recession months (USREC = 1) inside the chart's span; ``True`` if any was drawn."""
    if recession is None or recession.empty:
        return False
    flags = recession[(recession.index >= start - pd.DateOffset(months=1)) & (recession.index <= end)]
    in_rec, drawn = False, False
    begin = start
    for when, value in flags.items():
        if value >= 0.5 and not in_rec:
            in_rec, begin = True, max(when, start)
        elif value < 0.5 and in_rec:
            in_rec, drawn = False, True
            ax.axvspan(begin, when, color=RECESSION_GREY, linewidth=0, zorder=0)
    if in_rec:
        drawn = True
        ax.axvspan(begin, end, color=RECESSION_GREY, linewidth=0, zorder=0)
    return drawn


def place_end_labels(labels: list[EndLabel], min_gap_pt: float = 9.5) -> None:
    """Write each latest value just right of its line's end, nudged apart so none overlaps another.

    Works in points on the final axes: labels on one axes are sorted by height
    and pushed up from the lowest until each is ``min_gap_pt`` above the last.
    """
    import matplotlib.dates as mdates

    by_axes: dict[int, list[EndLabel]] = {}
    for label in labels:
        by_axes.setdefault(id(label.ax), []).append(label)
    for group in by_axes.values():
        ax = group[0].ax
        to_pt = 72.0 / ax.figure.dpi
        ys = [ax.transData.transform((mdates.date2num(lb.x), lb.y))[1] * to_pt for lb in group]
        order = sorted(range(len(group)), key=lambda i: ys[i])
        placed: dict[int, float] = {}
        floor = -1e9
        for i in order:
            y = max(ys[i], floor + min_gap_pt)
            placed[i] = y
            floor = y
        for i, lb in enumerate(group):
            ax.annotate(
                lb.text, xy=(lb.x, lb.y), xytext=(5, placed[i] - ys[i]), textcoords="offset points",
                va="center", ha="left", fontsize=8, color=lb.color, fontweight="bold", annotation_clip=False,
            )  # fmt: skip
