"""The house chart style: one palette, typography and layout for every chart.

The palette (Okabe-Ito) stays distinguishable for colour-blind readers, and
lines also differ in width and dash so they survive grey-scale printing. Text
stays text in the SVG (``svg.fonttype = none``), set in DejaVu Sans, the font
the documents embed. Figures are drawn at the PDF's text width, so one point in
the chart is one point on the page.

A chart is drawn in a :class:`Layout`: ``DESKTOP`` (the PDF's text width, also
the HTML on wide screens) or ``PHONE`` (about 360 CSS px wide with larger text,
shown by the HTML on small screens, where the desktop drawing would be scaled
down to 5 px text). Code that draws reads the layout in force (:func:`layout`)
for the figure width, font sizes, margins and how many ticks fit.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INK = "#1A1A1A"
MUTED = "#4D4D4D"
PALETTE = ["#0B3C5D", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00"]
# The same hues darkened until text in them reaches 4.5:1 on white (WCAG AA): line-end labels use these.
TEXT_PALETTE = ["#0B3C5D", "#B34A00", "#007A5A", "#A3487F", "#1F6F99", "#8F5C00"]
DASHES: list[Any] = ["-", (0, (5, 2)), (0, (1, 1.5)), "-.", "-", (0, (5, 2))]
WIDTHS = [1.8, 1.5, 1.5, 1.3, 1.1, 1.1]
RECESSION_GREY = "#E3E3E3"
BAND_GREY = "#EDEDED"
NEUTRAL = "#8C8C8C"  # reference lines (targets, zero, averages of history)
POSITIVE, NEGATIVE = PALETTE[0], PALETTE[1]  # bars: navy above zero, vermilion below (also differ in hatch)

WIDTH_IN = 7.0  # the PDF text width on A4 with 16 mm margins (178 mm)
HEIGHT_IN = 2.7
FONT = "DejaVu Sans"


@dataclass(frozen=True)
class Layout:
    """Sizes for one rendition of a chart. Fonts in points (one point = 4/3 CSS px at scale 1).

    ``margin_scale`` multiplies the margins the drawing code gives in desktop
    inches (labels are larger); ``max_ticks`` caps the date ticks that fit
    across the plot; ``bar_pad`` is the share of the bars' range left beside
    them for their value labels.
    """

    name: str
    width: float
    font: float  # tick labels and general text
    legend: float
    small: float  # the unit above the axis, bar values
    end_label: float  # latest values at line ends (bold)
    margin_scale: float
    max_ticks: int
    bar_pad: float


DESKTOP = Layout("desktop", WIDTH_IN, 8.5, 8.0, 7.5, 8.0, 1.0, 12, 0.12)
# 3.75 in is 360 CSS px: on a 390 px phone (369 px of text column) it is shown at 1.02x, on a 360 px one at
# 0.92x, so 9 pt (12 px) stays at least 11 px on screen.
PHONE = Layout("phone", 3.75, 9.5, 9.0, 9.0, 9.5, 1.15, 5, 0.3)
_LAYOUT: ContextVar[Layout] = ContextVar("chart_layout", default=DESKTOP)


def current_layout() -> Layout:
    return _LAYOUT.get()


@contextmanager
def layout(which: Layout) -> Iterator[Layout]:
    """Draw in ``which`` layout inside the block (matplotlib's default font sizes follow it)."""
    load_matplotlib()
    import matplotlib

    token = _LAYOUT.set(which)
    try:
        with matplotlib.rc_context({"font.size": which.font, "legend.fontsize": which.legend}):
            yield which
    finally:
        _LAYOUT.reset(token)


RC = {
    "font.family": FONT,
    "font.size": 8.5,
    "text.color": INK,
    "axes.labelcolor": MUTED,
    "axes.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
    "axes.edgecolor": MUTED,
    "axes.linewidth": 0.8,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "legend.handlelength": 2.6,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "ytick.left": False,
    "xtick.major.size": 3,
    "lines.solid_capstyle": "butt",
    "svg.fonttype": "none",  # keep text as text: smaller files, selectable and searchable in the PDF
    "svg.hashsalt": "macro-briefing",  # deterministic ids, so identical inputs give identical SVG
    "path.simplify": True,
}


@cache
def load_matplotlib() -> None:
    """Import matplotlib and set the house style, once per process, when the first chart is drawn.

    Importing matplotlib costs about 0.4 s of CPU. Only the chart code needs it,
    and it usually runs in the chart worker: the process that lays out the PDF
    never pays for it (the definition's chart kinds register without it).
    """
    import matplotlib

    matplotlib.use("Agg")  # no display anywhere this runs
    # Charts are only ever drawn by this package, so the style is set once for the process.
    matplotlib.rcParams.update(RC)  # type: ignore[arg-type]


def new_figure(
    height: float = HEIGHT_IN,
    rows: int = 1,
    *,
    left: float = 0.42,
    right: float = 0.5,
    top: float = 0.5,
    bottom: float = 0.28,
    gap: float = 0.5,
) -> tuple[Figure, list[Axes]]:
    """A figure sized for the text column in the house style; ``rows`` stacked panels share the x-axis.

    Margins are fixed in inches (y tick labels left, line-end labels right,
    legend and unit on top) rather than fitted with a tight bounding box, which
    would draw every chart twice; it also keeps every chart's plot area aligned.
    Sizes are given for the desktop layout; in the phone layout the figure is
    narrower and the margins grow with the text.
    """
    load_matplotlib()
    from matplotlib.figure import Figure

    lay = current_layout()
    k = lay.margin_scale
    left, right, top, bottom, gap = left * k, right * k, top * k, bottom * k, gap * k
    height += (top + bottom + gap * (rows - 1)) * (1 - 1 / k)  # the plot keeps its height; margins grow
    fig = Figure(figsize=(lay.width, height), dpi=100)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0].tolist()
    panel = (height - top - bottom - gap * (rows - 1)) / rows
    fig.subplots_adjust(
        left=left / lay.width, right=1 - right / lay.width, top=1 - top / height, bottom=bottom / height,
        hspace=gap / panel if rows > 1 else 0,
    )  # fmt: skip
    return fig, axes


def label_color(i: int) -> str:
    """Text colour matching line ``i``: its hue, dark enough to read."""
    return TEXT_PALETTE[i % len(TEXT_PALETTE)]


def line_style(i: int) -> dict[str, Any]:
    return {
        "color": PALETTE[i % len(PALETTE)],
        "linestyle": DASHES[i % len(DASHES)],
        "linewidth": WIDTHS[i % len(WIDTHS)],
    }


def unit_label(ax: Axes, unit: str) -> None:
    """The y unit written just above the plot, from the figure's left edge (no rotated text)."""
    from matplotlib import transforms

    if unit:
        fig = ax.figure
        to_fig = transforms.blended_transform_factory(fig.transFigure, ax.transAxes)
        ax.annotate(
            unit, xy=(0.006, 1), xycoords=to_fig, xytext=(0, 5), textcoords="offset points",
            ha="left", va="bottom", fontsize=current_layout().small, color=MUTED, annotation_clip=False,
        )  # fmt: skip


def _legend_columns(labels: list[str], font: float, room_pt: float) -> int:
    """How many legend entries fit side by side in ``room_pt`` (widths estimated from the text length)."""
    # DejaVu Sans averages about 0.6 em a character; each entry also has its line sample and spacing.
    widths = [len(text) * 0.6 * font + (2.6 + 0.5 + 1.4) * font for text in labels]
    for ncols in range(len(labels), 1, -1):
        columns = [max(widths[i::ncols]) for i in range(ncols)]
        if sum(columns) <= room_pt:
            return ncols
    return 1


def legend_on_top(ax: Axes) -> None:
    """The legend above the unit line: never over the data.

    One row when it fits; otherwise (on a phone) as many rows as it needs, the
    figure growing upward so the plot keeps its size.
    """
    from matplotlib import transforms

    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    lay = current_layout()
    fig = cast("Figure", ax.figure)  # every axes here is on a figure from new_figure, never a subfigure
    room = (fig.get_figwidth() - 0.1) * 72
    ncols = len(handles) if lay is DESKTOP else _legend_columns(labels, lay.legend, room)
    rows = math.ceil(len(handles) / ncols)
    above_unit = lay.small + 8.5  # points: the unit's line (its size and a 5 pt offset) and a gap
    if rows > 1 and ax is fig.axes[0]:
        _grow_top(fig, (rows - 1) * lay.legend * 1.45 / 72)
    anchor = ax.transAxes + transforms.ScaledTranslation(0, above_unit / 72, fig.dpi_scale_trans)
    ax.legend(
        loc="lower left", bbox_to_anchor=(0, 1), bbox_transform=anchor, ncols=ncols, borderaxespad=0,
        borderpad=0, columnspacing=1.4, handletextpad=0.5,
    )  # fmt: skip


def _grow_top(fig: Figure, inches: float) -> None:
    """Make the figure ``inches`` taller at the top, every axes keeping its size and place from the bottom."""
    height = fig.get_figheight()
    boxes = [ax.get_position() for ax in fig.axes]
    fig.set_figheight(height + inches)
    for ax, box in zip(fig.axes, boxes, strict=True):
        shrink = height / (height + inches)
        ax.set_position((box.x0, box.y0 * shrink, box.width, box.height * shrink))


def concise_dates(ax: Axes) -> None:
    """Date ticks for spans of any length without rotated labels (archive charts, whose span varies)."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def date_axis(ax: Axes, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Years as ticks on multi-year spans; January and July, as 'Jan 2025', on shorter ones.

    At most the layout's ``max_ticks`` labels: on a phone every second or third year, and fewer months.
    """
    import matplotlib.dates as mdates

    lay = current_layout()
    years = (end - start).days / 365.25
    if years >= 4:
        step = 1 if years <= lay.max_ticks else 2 if years <= 2 * lay.max_ticks else math.ceil(years / lay.max_ticks)
        ax.xaxis.set_major_locator(mdates.YearLocator(step))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        per_year = 2 if years >= 1.5 else 4
        while per_year > 1 and years * per_year > lay.max_ticks - 1:
            per_year //= 2
        months = {4: (1, 4, 7, 10), 2: (1, 7), 1: (1,)}[per_year]
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_xlim(start, end)


def thin(series: pd.Series, max_points: int | None = None) -> pd.Series:
    """At most ``max_points`` points that draw the same line at the page's resolution.

    By default 1400 at the desktop width (7 inches), proportionally fewer on a narrower figure.

    The x-range is cut into ``max_points / 2`` equal time buckets and each keeps
    its lowest and highest observation, in time order (plus the last point, so the
    end value is exact). At 7 inches wide a bucket is under a point wide, thinner
    than the line itself, so peaks and troughs are kept and the look does not
    change; a 10-year daily line shrinks to about half its points.
    """
    if max_points is None:
        max_points = round(1400 * current_layout().width / WIDTH_IN)
    s = series.dropna()
    if len(s) <= max_points:
        return s
    n_buckets = max_points // 2
    ts = s.index.asi8
    edges = np.linspace(ts[0], ts[-1], n_buckets + 1)
    bucket = np.clip(np.searchsorted(edges, ts, side="right") - 1, 0, n_buckets - 1)
    frame = pd.DataFrame({"v": s.to_numpy(), "b": bucket, "i": np.arange(len(s))})
    grouped = frame.groupby("b")["v"]
    keep = np.union1d(frame.loc[grouped.idxmin(), "i"], frame.loc[grouped.idxmax(), "i"])
    keep = np.union1d(keep, [0, len(s) - 1])
    return s.iloc[keep]


_XML_DECL = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_PATH_D = re.compile(r'\bd="([^"]*)"')
_NUMBER = re.compile(r"-?\d+\.\d+")
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [-\d.]+ [-\d.]+\)"')
# A group with nothing but an id and no group inside it: matplotlib wraps every artist in one.
_BARE_GROUP = re.compile(r'<g id="([^"]+)">\s*((?:(?!<g[ >]).)*?)\s*</g>', re.S)


def _unwrap_bare_groups(svg: str) -> str:
    """Drop the id-only ``<g>`` wrappers nothing refers to, innermost first; their content stays in place.

    They carry no style or transform, so the drawing is unchanged, and every
    element fewer is one less for a renderer to cascade: WeasyPrint spends a
    tenth of its SVG time on them.
    """
    referenced = set(re.findall(r'#([^")\s]+)', svg))

    def unwrap(m: re.Match[str]) -> str:
        return m.group(0) if m.group(1) in referenced else m.group(2)

    while True:
        simpler = _BARE_GROUP.sub(unwrap, svg)
        if simpler == svg:
            return svg
        svg = simpler


def _namespace_ids(svg: str, prefix: str) -> str:
    """Prefix every id and its references, so several inline SVGs can share one document."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    refs = re.compile(r"#(" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)) + r')(?=[")])')
    return refs.sub(lambda m: f"#{prefix}-{m.group(1)}", svg)


def _compact_path(match: re.Match[str]) -> str:
    # Path coordinates are in points: 0.1 pt (0.035 mm) is below what print or screen can show.
    d = _NUMBER.sub(lambda m: f"{float(m.group(0)):.1f}".rstrip("0").rstrip("."), match.group(1))
    return 'd="' + " ".join(d.split()) + '"'


def to_svg(fig: Figure, chart_id: str) -> str:
    """Serialize to inline-ready SVG: no XML declaration, doctype or metadata; ids unique to the chart.

    Path data is rounded to 0.1 pt and stripped of line breaks, which halves the
    size of line charts without a visible difference; no-op rotations and bare
    group wrappers are dropped (see :func:`_unwrap_bare_groups`).
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = _METADATA.sub("", _XML_DECL.sub("", buf.getvalue()))
    svg = _PATH_D.sub(_compact_path, svg)
    svg = _unwrap_bare_groups(_NO_ROTATION.sub("", svg))
    return _namespace_ids(svg.strip(), f"c-{chart_id}")
