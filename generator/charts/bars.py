"""Cross-section chart kinds: one bar per series, sorted, each labelled with its value."""

from __future__ import annotations

import pandas as pd

from generator.charts.kinds import Drawn, chart_kind, param
from generator.charts.style import INK, NEGATIVE, NEUTRAL, POSITIVE, new_figure, unit_label
from generator.phrasing import Quantity
from generator.spec import ChartSpec


def _window_return(prices: pd.Series, window: int) -> float | None:
    s = prices.dropna()
    if len(s) <= window:
        return None
    return float((s.iloc[-1] / s.iloc[-1 - window] - 1.0) * 100.0)


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
    time_axis=False,
)
def relative_bars(
    spec: ChartSpec, data: dict[str, pd.Series], labels: dict[str, str], start: pd.Timestamp, end: pd.Timestamp
) -> Drawn:
    """Each series' return minus the benchmark's (the last series) over ``window`` trading days, in pp.

    ``names`` gives each bar a short name (same order as the series). Bars are
    sorted, navy and solid above zero, vermilion and hatched below (readable in
    grey print). Facts: ``best_name``/``best`` and ``worst_name``/``worst`` (pp),
    ``ahead`` (how many beat the benchmark) and ``count``.
    """
    members, bench = spec.series[:-1], spec.series[-1]
    window = int(param(spec, "window", 63))
    names = [str(n) for n in param(spec, "names", members)]
    bench_ret = _window_return(data[bench], window)
    if bench_ret is None:
        raise ValueError(f"{bench} has fewer than {window + 1} observations")
    rows = []
    for sid, name in zip(members, names, strict=True):
        r = _window_return(data[sid], window)
        if r is not None:
            rows.append((name, r - bench_ret))
    rows.sort(key=lambda row: row[1])
    fig, (ax,) = new_figure(height=0.24 * len(rows) + 0.6, left=1.25, right=0.2, top=0.3, bottom=0.22)
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
            textcoords="offset points", ha="left" if v >= 0 else "right", va="center", fontsize=7.5, color=INK,
        )  # fmt: skip
    ax.axvline(0.0, color=NEUTRAL, linewidth=0.9)
    ax.set_yticks(list(ys), [n for n, _v in rows])
    lo, hi = min([*values, 0.0]), max([*values, 0.0])
    pad = (hi - lo) * 0.12 or 1.0
    ax.set_xlim(lo - pad, hi + pad)
    ax.tick_params(axis="x", length=0)
    unit_label(ax, f"pp vs {bench}, {window} trading days")
    best, worst = rows[-1], rows[0]
    facts = {
        "best_name": best[0],
        "best": Quantity(best[1], 1),
        "worst_name": worst[0],
        "worst": Quantity(worst[1], 1),
        "ahead": Quantity(sum(v > 0 for v in values), 0),
        "count": Quantity(len(values), 0),
    }
    latest = "; ".join(f"{n} {v:+.1f} pp" for n, v in reversed(rows))
    return Drawn(fig, facts, latest)
