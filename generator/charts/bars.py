"""Cross-section chart kinds: one bar per series, sorted, each labelled with its value."""

from __future__ import annotations

import pandas as pd

from generator.charts.kinds import Arity, Drawn, NothingToPlot, Param, chart_kind, param, reading
from generator.charts.style import INK, NEGATIVE, NEUTRAL, POSITIVE, current_layout, new_figure, unit_label
from generator.charts.words import months_words
from generator.errors import InsufficientHistory
from generator.indicators.horizon_returns import months_relative
from generator.phrasing import Quantity
from generator.spec import ChartSpec


@chart_kind(
    "relative_bars",
    facts={
        "best_name": "text",
        "best": "value",
        "worst_name": "text",
        "worst": "value",
        "ahead": "value",
        "count": "value",
    },
    series=Arity(2, benchmark_last=True),
    params=[
        Param("months", "integer", 3, "the return horizon, in calendar months (the performance grid's)", minimum=1),
        Param(
            "names",
            "texts",
            None,
            "each bar's name, one per series but the last (default: the series id)",
            per="members",
        ),
    ],
    time_axis=False,
)
def relative_bars(
    spec: ChartSpec, data: dict[str, pd.Series], labels: dict[str, str], start: pd.Timestamp, end: pd.Timestamp
) -> Drawn:
    """Each series' return minus the benchmark's (the last series) over ``months`` calendar months, in pp.

    Each bar is the indicator ``relative_return_months`` of its series against
    the benchmark (the performance grid's definition), so a table or the grid
    showing one agrees with its bar. ``names`` gives each bar a short name (same order as the series). Bars
    are sorted, navy and solid above zero, vermilion and hatched below (readable
    in grey print). A series too short for the horizon gets no bar and is
    reported missing. Facts: ``best_name``/``best`` and ``worst_name``/``worst`` (pp),
    ``ahead`` (how many beat the benchmark) and ``count``; ``span`` is the
    horizon in words ("over three months").
    """
    members, bench = spec.series[:-1], spec.series[-1]
    months = param(spec, "months")
    names = [n or sid for n, sid in zip(param(spec, "names"), members, strict=True)]
    prices = data[bench].dropna()
    if prices.empty or prices.index[0] > prices.index[-1] - pd.DateOffset(months=months):
        raise NothingToPlot(f"{bench}: too short for a {months}-month return ({len(prices)} observations)")
    rows = []
    missing: dict[str, str] = {}
    bases: list[pd.Timestamp] = []
    ends: list[pd.Timestamp] = []
    for sid, name in zip(members, names, strict=True):
        try:
            value, base, end = months_relative(data[sid].dropna(), prices, months)
        except InsufficientHistory:
            have = len(data[sid].dropna())
            missing[sid] = f"too short for a {months}-month return" if have else "no data"
            continue
        rows.append((name, reading(value)))
        bases.append(base)
        ends.append(end)
    if not rows:
        raise NothingToPlot("; ".join(f"{sid}: {why}" for sid, why in missing.items()))
    rows.sort(key=lambda row: row[1])
    fig, (ax,) = new_figure(
        height=0.24 * current_layout().margin_scale * len(rows) + 0.6, left=1.25, right=0.2, top=0.3, bottom=0.22
    )
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ys = range(len(rows))
    values = [v for _n, v in rows]
    bars = ax.barh(list(ys), values, height=0.62, color=[POSITIVE if v >= 0 else NEGATIVE for v in values])
    for bar, v in zip(bars, values, strict=True):
        if v < 0:
            bar.set_hatch("////")
            bar.set_edgecolor("#FFFFFF")
            bar.set_linewidth(0)
        ax.annotate(
            f"{v:+.1f}", xy=(v, bar.get_y() + bar.get_height() / 2), xytext=(3 if v >= 0 else -3, 0),
            textcoords="offset points", ha="left" if v >= 0 else "right", va="center", fontsize=current_layout().small, color=INK,
        )  # fmt: skip
    ax.axvline(0.0, color=NEUTRAL, linewidth=0.9)
    ax.set_yticks(list(ys), [n for n, _v in rows])
    lo, hi = min([*values, 0.0]), max([*values, 0.0])
    pad = (hi - lo) * current_layout().bar_pad or 1.0
    ax.set_xlim(lo - pad, hi + pad)
    ax.tick_params(axis="x", length=0)
    unit_label(ax, f"pp vs {bench}, {months_words(months)}")
    best, worst = rows[-1], rows[0]
    facts = {
        "best_name": best[0],
        "best": Quantity(best[1], 1),
        "worst_name": worst[0],
        "worst": Quantity(worst[1], 1),
        "ahead": Quantity(sum(v > 0 for v in values), 0),
        "count": Quantity(len(values), 0),
        "span": f"over {months_words(months)}",
    }
    latest = "; ".join(f"{n} {v:+.1f} pp" for n, v in reversed(rows))
    first, last = min(bases), max(ends)
    return Drawn(fig, facts, latest, first=first, last=last, missing=missing)
