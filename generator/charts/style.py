"""The house chart style: one palette and typography for every chart.

The palette (Okabe-Ito subset) stays distinguishable for colour-blind readers,
and lines also differ in width and dash so they survive grey-scale printing.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display anywhere this runs

from matplotlib.figure import Figure

PALETTE = ["#0B3C5D", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00"]
DASHES: list[Any] = ["-", "--", "-.", ":", "-", "--"]
WIDTHS = [1.8, 1.4, 1.4, 1.4, 1.0, 1.0]
RECESSION_GREY = "#D9D9D9"

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.grid": True,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 7.5,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "svg.fonttype": "none",  # keep text as text: smaller files, selectable in the PDF
    "svg.hashsalt": "macro-briefing",  # deterministic ids, so identical inputs give identical SVG
}


# Charts are only ever drawn by this package, so the style is set once for the process.
matplotlib.rcParams.update(RC)


def new_figure(height: float = 2.6) -> tuple[Figure, Any]:
    """A figure sized for the text column (6.5 in wide) in the house style."""
    fig = Figure(figsize=(6.5, height), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def line_style(i: int) -> dict[str, Any]:
    return {
        "color": PALETTE[i % len(PALETTE)],
        "linestyle": DASHES[i % len(DASHES)],
        "linewidth": WIDTHS[i % len(WIDTHS)],
    }


_XML_DECL = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


_ID = re.compile(r'\bid="([^"]+)"')


def _namespace_ids(svg: str, prefix: str) -> str:
    """Prefix every id and its references, so several inline SVGs can share one document."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    refs = re.compile(r"#(" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)) + r')(?=[")])')
    return refs.sub(lambda m: f"#{prefix}-{m.group(1)}", svg)


def to_svg(fig: Figure, chart_id: str) -> str:
    """Serialize to inline-ready SVG: no XML declaration, doctype or metadata; ids unique to the chart."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    svg = _METADATA.sub("", _XML_DECL.sub("", buf.getvalue()))
    return _namespace_ids(svg.strip(), f"c-{chart_id}")
