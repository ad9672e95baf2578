"""The house chart style: one palette, typography and layout for every chart.

The palette (Okabe-Ito) stays distinguishable for colour-blind readers, and
lines also differ in width and dash so they survive grey-scale printing. Text
stays text in the SVG (``svg.fonttype = none``), set in DejaVu Sans, the font
the documents embed. Figures are drawn at the PDF's text width, so one point in
the chart is one point on the page.
"""

from __future__ import annotations

import io
import re
from functools import cache
from typing import TYPE_CHECKING, Any

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
    """
    load_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height), dpi=100)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0].tolist()
    panel = (height - top - bottom - gap * (rows - 1)) / rows
    fig.subplots_adjust(
        left=left / WIDTH_IN, right=1 - right / WIDTH_IN, top=1 - top / height, bottom=bottom / height,
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
            ha="left", va="bottom", fontsize=7.5, color=MUTED, annotation_clip=False,
        )  # fmt: skip


def legend_on_top(ax: Axes) -> None:
    """A one-row legend above the unit line: never over the data."""
    from matplotlib import transforms

    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        anchor = ax.transAxes + transforms.ScaledTranslation(0, 16 / 72, ax.figure.dpi_scale_trans)
        ax.legend(
            loc="lower left", bbox_to_anchor=(0, 1), bbox_transform=anchor, ncols=len(handles), borderaxespad=0,
            borderpad=0, columnspacing=1.4, handletextpad=0.5,
        )  # fmt: skip


def concise_dates(ax: Axes) -> None:
    """Date ticks for spans of any length without rotated labels (archive charts, whose span varies)."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def date_axis(ax: Axes, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Years as ticks on multi-year spans; January and July, as 'Jan 2025', on shorter ones."""
    import matplotlib.dates as mdates

    years = (end - start).days / 365.25
    if years >= 4:
        ax.xaxis.set_major_locator(mdates.YearLocator(1 if years <= 12 else 2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7) if years >= 1.5 else (1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_xlim(start, end)


def thin(series: pd.Series, max_points: int = 1400) -> pd.Series:
    """At most ``max_points`` points that draw the same line at the page's resolution.

    The x-range is cut into ``max_points / 2`` equal time buckets and each keeps
    its lowest and highest observation, in time order (plus the last point, so the
    end value is exact). At 7 inches wide a bucket is under a point wide, thinner
    than the line itself, so peaks and troughs are kept and the look does not
    change; a 10-year daily line shrinks to about half its points.
    """
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
