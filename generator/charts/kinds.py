"""Chart kinds, registered by name: each draws one figure from snapshot series and states its facts.

A kind receives its :class:`ChartSpec`, the full series it names (a moving
average needs history before the chart's first date), display labels and the
first and last dates to show. It returns the figure, the **facts** its title
template may read (e.g. ``gap`` = how far the ratio sits from its average, in
%), a sentence of latest values for the alt text, the line ends to label, and
the dates it actually plotted.

Each kind declares its facts with a type, so the report definition's title
templates are checked at load: ``"value"`` (a :class:`Quantity`), ``"text"``,
or ``"series"`` (a :class:`Quantity` per series id: ``last.DGS2``). Every kind
also has the standard facts of :data:`STANDARD_FACTS`, computed from what was
plotted (``charts/render.py``). Each kind declares its parameters and how many
series it takes (``charts/params.py``): the definition is checked against them
with :func:`check_chart_params`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from generator.charts.params import Arity, Param, UndeclaredParameter, check_params, read_param
from generator.charts.style import RECESSION_GREY, current_layout
from generator.indicators.registry import Reading
from generator.phrasing import Quantity
from generator.spec import ChartSpec

if TYPE_CHECKING:  # matplotlib is imported when the first chart is drawn (style.load_matplotlib)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CHART_KINDS",
    "STANDARD_FACTS",
    "Arity",
    "ChartKind",
    "Drawn",
    "EndLabel",
    "NothingToPlot",
    "Param",
    "UndeclaredParameter",
    "chart_kind",
    "check_chart_params",
    "last_of",
    "param",
    "place_end_labels",
    "reading",
    "shade_recessions",
]

FactType = Literal["value", "text", "series"]
Fact = Quantity | str | Mapping[str, Quantity]

# Facts every kind has, describing what was actually plotted (computed in charts/render.py):
STANDARD_FACTS: dict[str, FactType] = {
    "span": "text",  # "over five years" when the declared window is covered, else "since 16 Dec 2024"
    "start": "text",  # the first plotted date, "16 Dec 2024" ("Sep 2015" for monthly series)
    "end": "text",  # the last plotted date
    "years_plotted": "value",  # the plotted window in years, one decimal
    "plotted": "series",  # per series: true when it is drawn; guard optional clauses with {% if plotted.ID %}
}


class NothingToPlot(ValueError):
    """No series of the chart has anything to draw in its window; the message says why, for the reader."""


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
    """What a kind drew. ``first``/``last``: the earliest and latest plotted dates (of any line or bar);
    ``missing``: series it could not draw, with the reason a reader is given ("too short for ...");
    ``notes``: anything else the reader must know about what is (not) drawn, as sentences."""

    figure: Figure
    facts: Mapping[str, Any]  # name -> Quantity, text, or a Quantity per series id
    latest: str  # "IWM/SPY 0.372 (200-day average 0.365)": read out in the alt text
    end_labels: list[EndLabel] = field(default_factory=list)
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    missing: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


Drawer = Callable[[ChartSpec, dict[str, pd.Series], dict[str, str], pd.Timestamp, pd.Timestamp], Drawn]


@dataclass(frozen=True)
class ChartKind:
    """A registered kind: ``facts`` holds its own facts and the standard ones."""

    name: str
    draw: Drawer
    facts: Mapping[str, FactType]
    params: tuple[Param, ...]
    series: Arity
    time_axis: bool = True  # dates on x: the span is set, recessions shaded, line ends labelled

    @property
    def summary(self) -> str:
        """The first line of the kind's docstring: what it draws."""
        return (self.draw.__doc__ or "").strip().splitlines()[0] if self.draw.__doc__ else ""


CHART_KINDS: dict[str, ChartKind] = {}


def chart_kind(
    name: str,
    facts: Mapping[str, FactType],
    *,
    series: Arity,
    params: Sequence[Param] = (),
    time_axis: bool = True,
) -> Callable[[Drawer], Drawer]:
    """Register a kind with its facts, its series arity and its declared parameters."""
    clash = set(facts) & set(STANDARD_FACTS)
    if clash:
        raise ValueError(f"chart kind {name}: facts {sorted(clash)} are standard facts")

    def register(func: Drawer) -> Drawer:
        CHART_KINDS[name] = ChartKind(name, func, {**facts, **STANDARD_FACTS}, tuple(params), series, time_axis)
        return func

    return register


def param(spec: ChartSpec, name: str) -> Any:
    """Parameter ``name`` of the chart (its declared default when absent), in its declared type.

    Raises :class:`UndeclaredParameter` when the chart's kind does not declare it.
    """
    kind = CHART_KINDS[spec.kind]
    return read_param(kind.name, kind.params, spec.params, name, len(spec.series))


def check_chart_params(kind_name: str, params: Mapping[str, Any], series: list[str]) -> list[str]:
    """Problems with a chart's ``params`` and ``series`` for kind ``kind_name``, one line each.

    E.g. ``params.windw: unknown parameter (did you mean 'window'?)``,
    ``params.window: expected an integer, got 'x'``,
    ``series: ratio_with_average needs exactly 2 series, got 3``. The caller
    prefixes the file and the chart's key.
    """
    kind = CHART_KINDS.get(kind_name)
    if kind is None:
        return [f"kind: unknown chart kind '{kind_name}'"]
    return check_params(kind.name, kind.params, kind.series, params, series)


def reading(value: float | Reading) -> float:
    """An indicator function's result as a number (a chart shows the value, not its note)."""
    return value.value if isinstance(value, Reading) else float(value)


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


def place_end_labels(labels: list[EndLabel], min_gap_pt: float | None = None) -> None:
    """Write each latest value just right of its line's end, nudged apart so none overlaps another.

    Works in points on the final axes: labels on one axes are sorted by height
    and pushed up from the lowest until each is ``min_gap_pt`` (default: the
    label size and 1.5 pt) above the last.
    """
    import matplotlib.dates as mdates

    size = current_layout().end_label
    min_gap_pt = size + 1.5 if min_gap_pt is None else min_gap_pt
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
                va="center", ha="left", fontsize=size, color=lb.color, fontweight="bold", annotation_clip=False,
            )  # fmt: skip
