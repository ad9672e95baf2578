"""Charts of the archive: flag states across briefings, an indicator as published, two data vintages.

The flag-history chart shows each flag's state across archived briefings as a heat-map.

Rows are flags (in definition order), columns are briefing dates (oldest left,
this briefing right). Each cell is coloured by state and, so the chart survives
grey-scale printing and colour-blind readers, carries the state's letter when
the columns are wide enough (G, A, R, ?); an empty cell means the flag did not
exist in that briefing's definition.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from generator.charts.style import (
    PHONE,
    concise_dates,
    current_layout,
    layout,
    legend_on_top,
    line_style,
    new_figure,
    to_svg,
    unit_label,
)
from generator.manifest import HistoryPoint
from generator.model import ChartImage

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STATES = ("green", "amber", "red", "unknown")
COLOURS = {"green": "#1B6E3A", "amber": "#8A5A00", "red": "#B00020", "unknown": "#5F6368"}
LETTERS = {"green": "G", "amber": "A", "red": "R", "unknown": "?"}
MAX_COLUMNS = 26  # half a year of weekly briefings fits the text column legibly
PHONE_COLUMNS = 8  # two months of weekly briefings on a phone
CHART_ID = "flag-history"


def flag_history_chart(
    dates: Sequence[date],
    states: Sequence[Mapping[str, str]],
    labels: Mapping[str, str],
    phone: bool = True,
) -> ChartImage | None:
    """Heat-map of ``states[i][flag]`` for each briefing date; ``None`` with fewer than two briefings.

    ``labels`` maps each flag id to its label, in the order the rows are drawn.
    ``phone``: also draw the phone rendition (the last eight briefings, labels
    on two lines, larger text), which the HTML shows on small screens.
    """
    if len(dates) < 2 or not labels:
        return None
    dates = list(dates)[-MAX_COLUMNS:]
    states = list(states)[-MAX_COLUMNS:]
    svg = to_svg(_flag_grid(dates, states, labels), CHART_ID)
    svg_phone = ""
    if phone:
        with layout(PHONE):
            svg_phone = to_svg(_flag_grid(dates[-PHONE_COLUMNS:], states[-PHONE_COLUMNS:], labels), f"{CHART_ID}-phone")
    latest = states[-1]
    flag_ids = list(labels)
    changed = [labels[f] for f in flag_ids if f in latest and f in states[-2] and latest[f] != states[-2][f]]
    alt = f"Each flag's state in the last {len(dates)} briefings, {dates[0]} to {dates[-1]}. " + (
        f"Changed in this briefing: {', '.join(changed)}." if changed else "No flag changed in this briefing."
    )
    return ChartImage(
        id=CHART_ID,
        title="Flag history across briefings",
        svg=svg,
        alt=alt,
        source_line=f"Source: archived briefings {dates[0]} to {dates[-1]} (flag states as published).",
        svg_phone=svg_phone,
    )


def _flag_grid(dates: list[date], states: list[Mapping[str, str]], labels: Mapping[str, str]) -> Figure:
    """The heat-map figure in the layout in force (on a phone: labels wrapped, every second date, legend in 2 rows)."""
    from matplotlib.colors import ListedColormap  # imported on use: see style.load_matplotlib
    from matplotlib.patches import Patch

    lay = current_layout()
    phone = lay is PHONE
    flag_ids = list(labels)
    grid = np.full((len(flag_ids), len(dates)), np.nan)
    for j, column in enumerate(states):
        for i, fid in enumerate(flag_ids):
            if fid in column:
                grid[i, j] = STATES.index(column[fid])
    # The label without its parenthesised gloss: rows stay one line (wrapped on a phone).
    names = [labels[f].split(" (")[0] for f in flag_ids]
    if phone:
        names = [textwrap.fill(n, 17, max_lines=3, placeholder="...") for n in names]
        lines = max(n.count("\n") + 1 for n in names)
        row = 0.26 if lines == 1 else 0.36  # inches: two lines of 9.5 pt (three, set tight, still fit)
        fig, (ax,) = new_figure(height=1.3 + row * len(flag_ids), left=1.4, right=0.08, top=0.1, bottom=1.05)
    else:  # long flag names on the left, rotated dates and the legend below: margins sized for them
        fig, (ax,) = new_figure(height=1.35 + 0.24 * len(flag_ids), left=2.2, right=0.15, top=0.12, bottom=1.2)
    cmap = ListedColormap([COLOURS[s] for s in STATES]).with_extremes(bad="#FFFFFF")
    ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-0.5, vmax=len(STATES) - 0.5, aspect="auto")
    ax.grid(False)
    ax.set_yticks(range(len(flag_ids)), names)
    if phone:
        for text in ax.get_yticklabels():
            text.set_linespacing(0.9)
    step = 2 if phone else max(1, len(dates) // 8)
    ax.set_xticks(range(0, len(dates), step), [dates[j].isoformat() for j in range(0, len(dates), step)])
    ax.tick_params(axis="x", labelsize=lay.small if phone else 7, rotation=45 if phone else 30)
    ax.set_xticks(np.arange(-0.5, len(dates)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(flag_ids)), minor=True)
    ax.grid(which="minor", color="#FFFFFF", linewidth=1.2)
    ax.tick_params(which="minor", length=0)
    for i in range(len(flag_ids)):
        for j in range(len(dates)):
            if not np.isnan(grid[i, j]):
                letter = LETTERS[STATES[int(grid[i, j])]]
                ax.text(j, i, letter, ha="center", va="center", color="#FFFFFF", fontsize=lay.small if phone else 6.5)
    ax.legend(
        handles=[Patch(color=COLOURS[s], label=s) for s in STATES],
        loc="lower left",
        bbox_to_anchor=(0, 0),
        bbox_transform=fig.transFigure,
        ncol=2 if phone else 4,
    )
    return fig


def indicator_history_chart(dates: Sequence[date], values: Sequence[float | None], label: str, unit: str) -> ChartImage:
    """An indicator's value as published in each archived briefing (gaps where it was not computed)."""
    fig, (ax,) = new_figure(height=2.6, top=0.3)
    xs = [np.datetime64(d) for d in dates]
    ys = [np.nan if v is None else v for v in values]
    ax.plot(xs, ys, marker="o", markersize=3, **line_style(0))
    unit_label(ax, unit)
    concise_dates(ax)
    shown = [v for v in values if v is not None]
    alt = f"{label} in {len(dates)} archived briefings, {dates[0]} to {dates[-1]}" + (
        f"; latest {shown[-1]:,.2f} {unit}." if shown else "; never computed."
    )
    return ChartImage(
        id="indicator-history",
        title=f"{label} across briefings",
        svg=to_svg(fig, "indicator-history"),
        alt=alt,
        source_line=f"Source: the value recorded in each archived briefing's manifest, {dates[0]} to {dates[-1]}.",
    )


def vintage_chart(
    series_id: str, label: str, before: pd.Series, after: pd.Series, date_before: date, date_after: date
) -> ChartImage:
    """One series as two briefings saw it: the earlier vintage dashed under the later one, last two years."""
    start = pd.Timestamp(date_after) - pd.DateOffset(years=2)
    fig, (ax,) = new_figure(height=2.4)
    ax.plot(after[after.index >= start], label=f"as of {date_after}", **line_style(0))
    ax.plot(before[before.index >= start], label=f"as of {date_before}", **line_style(1))
    unit_label(ax, series_id)
    legend_on_top(ax)
    concise_dates(ax)
    chart_id = f"vintage-{series_id}"
    return ChartImage(
        id=chart_id,
        title=f"{series_id} as published in each briefing",
        svg=to_svg(fig, chart_id),
        alt=f"{label} as known on {date_before} (dashed) and on {date_after} (solid): revisions show where they part.",
        source_line=f"Source: the data snapshots archived with the briefings of {date_before} and {date_after}.",
    )


def draw_history(points: list[HistoryPoint], labels: dict[str, str]) -> ChartImage | None:
    """The flag-history chart of ``points`` (dates, stances and flag states), ``None`` without history."""
    return flag_history_chart([p.date for p in points], [p.flags for p in points], labels)
