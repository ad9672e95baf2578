"""Charts of the archive: flag states across briefings, an indicator as published, two data vintages.

The flag-history chart shows each flag's state across archived briefings as a heat-map.

Rows are flags (in definition order), columns are briefing dates (oldest left,
this briefing right). Each cell is coloured by state and, so the chart survives
grey-scale printing and colour-blind readers, carries the state's letter when
the columns are wide enough (G, A, R, ?); an empty cell means the flag did not
exist in that briefing's definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from generator.charts.style import concise_dates, legend_on_top, line_style, new_figure, to_svg, unit_label
from generator.model import ChartImage

STATES = ("green", "amber", "red", "unknown")
COLOURS = {"green": "#1B6E3A", "amber": "#8A5A00", "red": "#B00020", "unknown": "#5F6368"}
LETTERS = {"green": "G", "amber": "A", "red": "R", "unknown": "?"}
MAX_COLUMNS = 26  # half a year of weekly briefings fits the text column legibly
CHART_ID = "flag-history"


def flag_history_chart(
    dates: Sequence[date],
    states: Sequence[Mapping[str, str]],
    labels: Mapping[str, str],
) -> ChartImage | None:
    """Heat-map of ``states[i][flag]`` for each briefing date; ``None`` with fewer than two briefings.

    ``labels`` maps each flag id to its label, in the order the rows are drawn.
    """
    if len(dates) < 2 or not labels:
        return None
    from matplotlib.colors import ListedColormap  # imported on use: see style.load_matplotlib
    from matplotlib.patches import Patch

    dates = list(dates)[-MAX_COLUMNS:]
    states = list(states)[-MAX_COLUMNS:]
    flag_ids = list(labels)
    grid = np.full((len(flag_ids), len(dates)), np.nan)
    for j, column in enumerate(states):
        for i, fid in enumerate(flag_ids):
            if fid in column:
                grid[i, j] = STATES.index(column[fid])
    # Long flag names on the left, rotated dates and the legend below: margins sized for them.
    fig, (ax,) = new_figure(height=1.35 + 0.24 * len(flag_ids), left=2.2, right=0.15, top=0.12, bottom=1.2)
    cmap = ListedColormap([COLOURS[s] for s in STATES]).with_extremes(bad="#FFFFFF")
    ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-0.5, vmax=len(STATES) - 0.5, aspect="auto")
    ax.grid(False)
    # The label without its parenthesised gloss: rows stay one line, the margin stays the house one.
    ax.set_yticks(range(len(flag_ids)), [labels[f].split(" (")[0] for f in flag_ids])
    step = max(1, len(dates) // 8)
    ax.set_xticks(range(0, len(dates), step), [dates[j].isoformat() for j in range(0, len(dates), step)])
    ax.tick_params(axis="x", labelsize=7, rotation=30)
    ax.set_xticks(np.arange(-0.5, len(dates)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(flag_ids)), minor=True)
    ax.grid(which="minor", color="#FFFFFF", linewidth=1.2)
    ax.tick_params(which="minor", length=0)
    if len(dates) <= MAX_COLUMNS:
        for i in range(len(flag_ids)):
            for j in range(len(dates)):
                if not np.isnan(grid[i, j]):
                    ax.text(
                        j, i, LETTERS[STATES[int(grid[i, j])]], ha="center", va="center", color="#FFFFFF", fontsize=6.5
                    )
    ax.legend(
        handles=[Patch(color=COLOURS[s], label=s) for s in STATES],
        loc="lower left",
        bbox_to_anchor=(0, 0),
        bbox_transform=fig.transFigure,
        ncol=4,
    )
    latest = states[-1]
    changed = [labels[f] for f in flag_ids if f in latest and f in states[-2] and latest[f] != states[-2][f]]
    alt = f"Each flag's state in the last {len(dates)} briefings, {dates[0]} to {dates[-1]}. " + (
        f"Changed in this briefing: {', '.join(changed)}." if changed else "No flag changed in this briefing."
    )
    return ChartImage(
        id=CHART_ID,
        title="Flag history across briefings",
        svg=to_svg(fig, CHART_ID),
        alt=alt,
        source_line=f"Source: archived briefings {dates[0]} to {dates[-1]} (flag states as published).",
    )


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
