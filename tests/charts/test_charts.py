"""Chart kinds on small hand-made series: the facts their titles state, thinning, SVG hygiene, source lines."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from generator.charts import CHART_KINDS
from generator.charts.render import render_chart, source_line
from generator.charts.style import PALETTE, thin, to_svg
from generator.model import SeriesData, Snapshot
from generator.pipeline import load_report
from generator.spec import ChartSpec

START, END = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31")


def days(n: int, start: str = "2020-01-01") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n)


def draw(kind: str, series: dict[str, pd.Series], start=START, end=END, **params):  # type: ignore[no-untyped-def]
    spec = ChartSpec(id="t", kind=kind, title="t", series=list(series), params=params)
    return CHART_KINDS[kind].draw(spec, series, {k: k for k in series}, start, end)


def test_ratio_with_average_facts() -> None:
    idx = days(6)
    a = pd.Series([1.0, 1.0, 1.0, 1.0, 1.0, 2.0], idx)
    b = pd.Series(1.0, idx)
    drawn = draw("ratio_with_average", {"A": a, "B": b}, start=idx[0], end=idx[-1], window=4)
    # ratio ends at 2.0; 4-day average of (1, 1, 1, 2) = 1.25; gap = 100 * (2 / 1.25 - 1) = 60%
    assert float(drawn.facts["ratio"]) == 2.0
    assert float(drawn.facts["average"]) == 1.25
    assert float(drawn.facts["gap"]) == pytest.approx(60.0)
    assert str(drawn.facts["gap"]) == "60.0"
    assert "60.0% above its 4-day average of 1.250" in drawn.latest


def test_basket_relative_is_equal_weight_daily_rebalanced() -> None:
    idx = pd.DatetimeIndex(["2020-01-31", "2020-02-28", "2020-03-31", "2020-04-30"])
    # step 1: X +100%, Y flat -> basket +50%; step 2: X -50%, Y +100% -> basket +25%; step 3: flat.
    x = pd.Series([10.0, 20.0, 10.0, 10.0], idx)
    y = pd.Series([10.0, 10.0, 20.0, 20.0], idx)
    bench = pd.Series([100.0, 100.0, 110.0, 110.0], idx)  # +10% at step 2
    drawn = draw("basket_relative", {"X": x, "Y": y, "B": bench}, start=idx[0], end=idx[-1], recent_months=2)
    relative_end = 1.5 * 1.25 / 1.10 * 100  # 170.45...
    assert float(drawn.facts["total"]) == pytest.approx(relative_end - 100)
    # recent is the indicator basket_relative_return_months over the two months to 30 April (base: 29 Feb has no
    # close, so 28 Feb): basket index 150 -> 187.5 = +25%; B 100 -> 110 = +10%; 25 - 10 = 15 points.
    assert float(drawn.facts["recent"]) == pytest.approx(15.0)
    assert drawn.facts["recent_span"] == "two months"
    assert float(drawn.facts["members"]) == 2
    assert (drawn.facts["member_list"], drawn.facts["benchmark"]) == ("X and Y", "B")
    assert (drawn.first, drawn.last) == (idx[0], idx[-1])
    assert "over the last two months" in drawn.latest


def test_inflation_rates_facts() -> None:
    months = pd.date_range("2018-01-01", periods=30, freq="MS")
    index = pd.Series(100 * 1.01 ** np.arange(30), months)  # +1% every month
    drawn = draw("inflation_rates", {"CPI": index}, start=pd.Timestamp("2019-01-01"), end=months[-1], target=2.0)
    expected = (1.01**12 - 1) * 100  # 12.68%: year over year and 3-month annualized agree
    assert float(drawn.facts["yoy"]) == pytest.approx(expected)
    assert float(drawn.facts["ann3m"]) == pytest.approx(expected)
    assert str(drawn.facts["target"]) == "2.0"


def test_lines_and_panels_facts() -> None:
    idx = pd.bdate_range("2019-01-01", "2020-12-31")
    s = pd.Series(np.linspace(1.0, 3.0, len(idx)), idx)
    drawn = draw("lines", {"S": s}, start=pd.Timestamp("2020-01-01"), end=idx[-1], decimals=1)
    year_ago = s[: idx[-1] - pd.DateOffset(years=1)].iloc[-1]
    assert str(drawn.facts["last"]["S"]) == "3.0"
    assert float(drawn.facts["change"]["S"]) == pytest.approx(3.0 - year_ago)
    v = pd.Series([4.0, 1.0, 3.0, 2.0, 3.0], days(5))
    drawn = draw("panels", {"V": v, "W": v * 2}, start=v.index[0], end=v.index[-1], scales=[100.0, 1.0])
    assert float(drawn.facts["last"]["V"]) == 300.0
    assert float(drawn.facts["pct"]["V"]) == 80.0  # 4 of 5 observations are <= the last (3.0)
    assert len(drawn.figure.axes) == 2


def test_relative_bars_facts_and_order() -> None:
    # Three months to 30 April reach back to 30 January: each return starts at that close, whatever came between.
    idx = pd.DatetimeIndex(["2020-01-29", "2020-01-30", "2020-02-28", "2020-03-31", "2020-04-30"])
    bench = pd.Series([50, 100, 70, 100, 110.0], idx)  # 100 -> 110: +10%
    sectors = {
        "E": pd.Series([9, 1, 5, 1.0, 1.3], idx),  # +30% -> +20 pp
        "U": pd.Series([9, 1, 5, 1.0, 1.0], idx),  # 0% -> -10 pp
        "I": pd.Series([9, 1, 5, 1.0, 1.15], idx),  # +15% -> +5 pp
    }
    drawn = draw("relative_bars", {**sectors, "IWM": bench}, months=3, names=["Energy", "Utilities", "Industrials"])
    f = drawn.facts
    assert (f["best_name"], float(f["best"])) == ("Energy", pytest.approx(20.0))
    assert (f["worst_name"], float(f["worst"])) == ("Utilities", pytest.approx(-10.0))
    assert (float(f["ahead"]), float(f["count"])) == (2, 3)
    assert f["span"] == "over three months"
    assert (drawn.first, drawn.last) == (pd.Timestamp("2020-01-30"), pd.Timestamp("2020-04-30"))
    ax = drawn.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Utilities", "Industrials", "Energy"]


def test_ratio_range_percentile_and_median() -> None:
    idx = days(5)
    a = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], idx)
    drawn = draw("ratio_range", {"A": a, "B": pd.Series(1.0, idx)}, start=idx[0], end=idx[-1])
    assert float(drawn.facts["pct"]) == 100.0
    assert float(drawn.facts["vs_median"]) == pytest.approx((5 / 3 - 1) * 100)


def test_thin_keeps_extremes_and_ends() -> None:
    idx = pd.date_range("2016-01-01", periods=5000, freq="D")
    values = pd.Series(np.sin(np.arange(5000) / 50.0), idx)
    values.iloc[1234] = 9.0  # a one-day spike must survive
    values.iloc[4321] = -9.0
    out = thin(values, max_points=600)
    assert len(out) <= 602
    assert out.index[0] == idx[0] and out.index[-1] == idx[-1]
    assert out.max() == 9.0 and out.min() == -9.0
    assert out.index.is_monotonic_increasing
    short = values.iloc[:100]
    assert thin(short, 600).equals(short)


def test_svg_is_compact_namespaced_and_in_house_style() -> None:
    idx = pd.bdate_range("2016-01-01", "2026-01-01")
    s = pd.Series(np.cumsum(np.random.default_rng(1).normal(size=len(idx))), idx)
    drawn = draw("lines", {"S": s, "T": s * 0.5}, start=idx[0], end=idx[-1])
    svg = to_svg(drawn.figure, "x")
    assert svg.startswith("<svg")
    assert "<script" not in svg and "<metadata" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("c-x-") for i in ids)
    for d in re.findall(r'\bd="([^"]*)"', svg):
        assert not re.search(r"\d\.\d\d", d), "path coordinates are rounded to 0.1 pt"
    colours = {c.upper() for c in re.findall(r"stroke: (#[0-9a-fA-F]{6})", svg)}
    assert {PALETTE[0], PALETTE[1]} <= colours
    assert set(re.findall(r"font-family: ([^;\"]+)", svg)) == {"'DejaVu Sans'"}
    assert len(svg) < 60_000, "a ten-year daily chart stays small"


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    return load_report()


def _snapshot(series: dict[str, pd.Series], illustrative: bool = False) -> Snapshot:
    source = "illustrative" if illustrative else "fred"
    data = {k: SeriesData(id=k, values=v, source=source) for k, v in series.items()}  # type: ignore[arg-type]
    return Snapshot(as_of=date(2026, 11, 20), series=data, requested_source=source)


def test_title_states_the_finding_and_source_line(loaded) -> None:  # type: ignore[no-untyped-def]
    spec = loaded.spec
    idx = pd.bdate_range("2021-11-01", "2026-11-20")
    snap = _snapshot(
        {
            "DFEDTARU": pd.Series(3.75, idx),
            "DGS2": pd.Series(3.32, idx),
            "DGS10": pd.Series(4.0, idx),
            "USREC": pd.Series([0.0] * 20 + [1.0] * 3 + [0.0] * 38, pd.date_range("2021-11-01", periods=61, freq="MS")),
        }
    )
    image = render_chart(spec, spec.charts["rates"], snap)
    assert image is not None
    assert image.title == "Fed funds target at 3.75%; the 2-year yield, 43 bp below it, prices further cuts"
    assert image.source_line == (
        "Source: FRED DFEDTARU, DGS2, DGS10; as of 2026-11-20. Shaded: recessions (FRED USREC)."
    )
    assert image.alt.startswith("Line chart of the fed funds target") and "2-year Treasury 3.32" in image.alt
    assert image.subtitle.startswith("Fed funds target range")


def test_a_chart_with_nothing_to_draw_is_a_note_not_a_gap(loaded) -> None:  # type: ignore[no-untyped-def]
    spec = loaded.spec
    snap = _snapshot({"DFEDTARU": pd.Series(3.75, days(10))})  # 2020 only: nothing in the five years to 2026
    image = render_chart(spec, spec.charts["rates"], snap)
    assert not image.drawn and image.svg == ""
    assert image.note == "Not drawn. DFEDTARU: no observation since 20 Nov 2021. DGS2 and DGS10: no data."
    assert image.title == "Fed funds target range (upper limit), 2-year and 10-year Treasury yields over five years, %"
    assert image.source_line.startswith("Source: FRED DFEDTARU, DGS2, DGS10;")


def test_source_line_marks_illustrative_data(loaded) -> None:  # type: ignore[no-untyped-def]
    spec = loaded.spec
    snap = _snapshot({"IWM": pd.Series(1.0, days(3)), "SPY": pd.Series(1.0, days(3))}, illustrative=True)
    line = source_line(spec, spec.charts["iwm_spy_ratio"], snap)
    assert line.startswith("Source: Yahoo Finance IWM, SPY; as of 2020-01-03.")
    assert line.endswith("Illustrative data - not market data.")


def test_every_declared_chart_draws_on_the_illustrative_briefing(illustrative_briefing, loaded) -> None:  # type: ignore[no-untyped-def]
    charts = illustrative_briefing.analysis.charts
    assert set(charts) == set(loaded.spec.charts)
    for chart in charts.values():
        assert "{" not in chart.title and "}" not in chart.title, chart.id
        assert re.search(r"\d", chart.title), f"{chart.id}: a finding states a number"
        assert chart.alt and chart.source_line.startswith("Source: ")
        assert len(chart.svg) < 80_000, chart.id


def _contrast_on_white(colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)


def test_chart_text_is_readable(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    # Every text in every chart (ticks, legend, units, line-end values) reaches WCAG AA on the white plot.
    for chart in illustrative_briefing.analysis.charts.values():
        styles = re.findall(r'<text[^>]*style="([^"]*)"', chart.svg)
        assert styles, chart.id
        for style in styles:
            fill = re.search(r"fill: (#[0-9a-fA-F]{6})", style)
            colour = fill.group(1) if fill else "#000000"
            assert _contrast_on_white(colour) >= 4.5, f"{chart.id}: text in {colour}"


def test_recession_shading_only_where_a_recession_falls(loaded) -> None:  # type: ignore[no-untyped-def]
    spec = loaded.spec
    idx = pd.bdate_range("2021-11-01", "2026-11-20")
    months = pd.date_range("2015-01-01", "2026-11-01", freq="MS")
    calm = pd.Series(0.0, months)
    calm[(calm.index >= "2020-03-01") & (calm.index <= "2020-04-01")] = 1.0  # before the five-year span
    series = {"DFEDTARU": pd.Series(3.75, idx), "DGS2": pd.Series(3.5, idx), "DGS10": pd.Series(4.0, idx)}
    image = render_chart(spec, spec.charts["rates"], _snapshot({**series, "USREC": calm}))
    assert image is not None and "Shaded" not in image.source_line
    assert "<path" in image.svg
    longer = render_chart(spec, spec.charts["core_cpi"], _snapshot({
        "CPILFESL": pd.Series(np.linspace(250, 330, len(months)), months), "USREC": calm,
    }))  # fmt: skip
    assert longer is not None and "Shaded: recessions (FRED USREC)." in longer.source_line
    assert longer.svg.count('style="fill: #e3e3e3') == 1  # one band: March-April 2020


def test_bare_groups_unwrapped_unless_referenced_or_styled() -> None:
    from generator.charts.style import _unwrap_bare_groups

    svg = (
        '<svg><g id="a"><g id="b"><path d="M0 0"/></g><g id="c" style="x"><text>t</text></g></g>'
        '<use xlink:href="#keep"/><g id="keep"><path/></g><g id="d"><g id="e"><rect/></g></g></svg>'
    )
    assert _unwrap_bare_groups(svg) == (
        '<svg><g id="a"><path d="M0 0"/><g id="c" style="x"><text>t</text></g></g>'
        '<use xlink:href="#keep"/><g id="keep"><path/></g><rect/></svg>'
    )


def test_simplified_svg_draws_the_same_pixels_as_matplotlibs() -> None:
    """No-op rotations and bare groups are dropped from the chart SVG, and not a pixel changes."""
    import io

    from PIL import Image

    from generator.charts.style import _PATH_D, _compact_path
    from generator.deliver.compose import rasterize

    idx = days(300)
    drawn = draw("lines", {"A": pd.Series(np.linspace(1, 3, 300), idx), "B": pd.Series(np.linspace(3, 2, 300), idx)})
    raw = io.StringIO()
    drawn.figure.savefig(raw, format="svg", metadata={"Date": None, "Creator": None})
    simplified = to_svg(drawn.figure, "t")
    assert 'transform="rotate(-0' in raw.getvalue() and 'transform="rotate(-0' not in simplified
    assert simplified.count("<g") < raw.getvalue().count("<g") / 2

    def pixels(svg: str) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(rasterize(svg, colours=256))).convert("RGB"))

    rounded = _PATH_D.sub(_compact_path, raw.getvalue())  # path rounding (0.1 pt) is the one change that shows
    assert np.array_equal(pixels(rounded), pixels(simplified))
