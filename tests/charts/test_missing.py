"""Charts on incomplete data, with hand-made series: a missing or short series, a history that starts late.

A chart draws what it can, says in its note what it could not, and its title
never prints a hole; a chart with nothing to draw stays in the document as a note.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from generator.charts.render import render_chart
from generator.model import SeriesData, Snapshot
from generator.pipeline import load_report
from generator.spec import ChartSpec

AS_OF = date(2026, 11, 20)


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return load_report().spec


def snapshot(series: dict[str, pd.Series], as_of: date = AS_OF) -> Snapshot:
    data = {k: SeriesData(id=k, values=v, source="csv") for k, v in series.items()}
    return Snapshot(as_of=as_of, series=data, requested_source="store")


def daily(start: str, end: str = "2026-11-20", growth: float = 0.0, level: float = 100.0) -> pd.Series:
    idx = pd.bdate_range(start, end)
    return pd.Series(level * (1.0 + growth) ** np.arange(len(idx)), idx)


def monthly(start: str, end: str = "2026-09-01", growth: float = 0.01) -> pd.Series:
    idx = pd.date_range(start, end, freq="MS")
    return pd.Series(100.0 * (1.0 + growth) ** np.arange(len(idx)), idx)


def tick_labels(svg: str) -> list[str]:
    """The x-axis tick labels of a chart SVG (matplotlib writes each tick's text in a <text> element)."""
    return re.findall(r"<text[^>]*>([A-Z][a-z]{2} \d{4}|\d{4})</text>", svg)


def test_rates_without_the_fed_target_plots_the_yields_and_names_it(spec) -> None:  # type: ignore[no-untyped-def]
    snap = snapshot({"DGS2": daily("2021-01-01", level=3.32), "DGS10": daily("2021-01-01", level=4.0)})
    image = render_chart(spec, spec.charts["rates"], snap)
    assert image.drawn
    assert image.title == "The 2-year Treasury yield at 3.32%, the 10-year at 4.00%"
    assert image.note == "DFEDTARU: no data."
    assert "2-year Treasury" in image.svg and "Fed funds target" not in image.svg
    assert image.alt.endswith("DFEDTARU: no data.")


def test_industry_without_utilities_drops_that_clause(spec) -> None:  # type: ignore[no-untyped-def]
    # +1% a month: year over year (1.01 ** 12 - 1) = +12.7%
    image = render_chart(spec, spec.charts["industry"], snapshot({"INDPRO": monthly("2014-01-01")}))
    assert image.title == "Industrial production +12.7% over the year"
    assert image.note == "IPUTIL: no data."


def test_industry_with_a_short_utilities_series_names_why(spec) -> None:  # type: ignore[no-untyped-def]
    snap = snapshot({"INDPRO": monthly("2014-01-01"), "IPUTIL": monthly("2026-03-01")})  # seven months
    image = render_chart(spec, spec.charts["industry"], snap)
    assert image.title == "Industrial production +12.7% over the year"
    assert image.note == "IPUTIL: too short for a year-over-year change (needs 13 months)."
    assert "Utilities output" not in image.svg


def test_both_series_present_keep_the_full_title(spec) -> None:  # type: ignore[no-untyped-def]
    snap = snapshot({"INDPRO": monthly("2014-01-01"), "IPUTIL": monthly("2014-01-01", growth=-0.005)})
    image = render_chart(spec, spec.charts["industry"], snap)
    # -0.5% a month: (0.995 ** 12 - 1) = -5.8%
    assert image.title == (
        "Industrial production +12.7% over the year; utilities output, where data-centre power demand shows, -5.8%"
    )
    assert image.note == ""


def test_credit_vol_without_the_vix_keeps_the_spread_and_its_panel_only(spec) -> None:  # type: ignore[no-untyped-def]
    hy = daily("2023-01-02", level=3.0)
    hy.iloc[-1] = 2.5  # the lowest of the span: its percentile is the share of days at or below it, one day
    image = render_chart(spec, spec.charts["credit_vol"], snapshot({"BAMLH0A0HYM2": hy}))
    window = hy[pd.Timestamp(AS_OF) - pd.DateOffset(years=3) :]
    pct = round(100 / len(window))
    assert image.title == f"High-yield spread 250 bp, at the {pct}th percentile over three years"
    assert image.note == "VIX: no data."
    assert image.svg.count("index points") == 0


def test_nothing_to_draw_is_a_visible_note(spec) -> None:  # type: ignore[no-untyped-def]
    image = render_chart(spec, spec.charts["reshoring"], snapshot({}))
    assert not image.drawn
    assert (
        image.title
        == "Total construction spending on manufacturing facilities, year-over-year change over ten years, %"
    )
    assert image.note == "Not drawn. TLMFGCONS: no data."
    sectors = render_chart(spec, spec.charts["sectors"], snapshot({"IWM": daily("2025-01-01")}))
    assert sectors.note == "Not drawn. PSCE, PSCI, PSCU, PSCF, PSCH, PSCT, PSCD, PSCM and PSCC: no data."


def test_a_missing_benchmark_means_no_chart_but_a_note(spec) -> None:  # type: ignore[no-untyped-def]
    members = {sid: daily("2020-01-01") for sid in ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA")}
    image = render_chart(spec, spec.charts["mag7_vs_rsp"], snapshot(members))
    assert image.note == "Not drawn. RSP (the benchmark): no data."


def test_a_short_sector_gets_no_bar_and_is_named(spec) -> None:  # type: ignore[no-untyped-def]
    sectors = ["PSCE", "PSCI", "PSCU", "PSCF", "PSCH", "PSCT", "PSCD", "PSCM", "PSCC"]
    series = {sid: daily("2025-06-02", growth=0.001 * i) for i, sid in enumerate(sectors)}
    series["PSCE"] = daily("2026-10-01")  # starts after 20 Aug 2026, three months before the end: too short
    series["IWM"] = daily("2025-06-02", growth=0.0035)
    image = render_chart(spec, spec.charts["sectors"], snapshot(series))
    # Three calendar months: from the close of 20 Aug 2026 to 20 Nov 2026, 66 weekday steps, at +0.1% * i a day
    # against IWM's +0.35%: (1.00i ** 66 - 1.0035 ** 66) * 100
    steps = len(pd.bdate_range("2026-08-20", "2026-11-20")) - 1
    assert steps == 66
    rel = {i: ((1 + 0.001 * i) ** steps - 1.0035**steps) * 100 for i in range(1, 9)}
    assert image.title == (
        f"The best small-cap sector over three months is Consumer staples (+{rel[8]:.1f} pp against the Russell "
        f"2000), the worst Industrials ({rel[1]:.1f} pp); 5 of 8 beat the index"
    )
    assert image.note == "PSCE: too short for a 3-month return."
    assert ">Energy<" not in image.svg


def test_a_late_history_is_plotted_from_its_start_and_said(spec) -> None:  # type: ignore[no-untyped-def]
    members = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA")
    series = {sid: daily("2019-01-01", growth=0.001) for sid in members}
    series["AMZN"] = daily("2024-12-16", growth=0.001)
    series["RSP"] = daily("2019-01-01", growth=0.0005)
    image = render_chart(spec, spec.charts["mag7_vs_rsp"], snapshot(series))
    # from the first common day (2024-12-16): n daily steps of 1.001 / 1.0005 each
    n = len(pd.bdate_range("2024-12-16", "2026-11-20")) - 1
    total = ((1.001 / 1.0005) ** n - 1) * 100
    steps = len(pd.bdate_range("2026-08-20", "2026-11-20")) - 1  # three calendar months: 66 weekday steps
    recent = (1.001**steps - 1.0005**steps) * 100
    assert image.title == (
        f"The Mag 7 basket beat the equal-weight S&P 500 by {total:.0f}% since 16 Dec 2024; over the last three "
        f"months its return was {recent:.1f} points above the index's"
    )
    assert image.subtitle.endswith("relative to RSP, rebased to 100 on 16 Dec 2024")
    assert image.note == "From 16 Dec 2024: AMZN's history starts there."
    ticks = tick_labels(image.svg)
    assert ticks[0] == "Jan 2025" and "2021" not in ticks, "the x-axis starts where the data do, not five years back"


def test_a_covered_window_says_its_years_and_starts_there(spec) -> None:  # type: ignore[no-untyped-def]
    members = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA")
    series = {sid: daily("2019-01-01", growth=0.001) for sid in [*members, "RSP"]}
    image = render_chart(spec, spec.charts["mag7_vs_rsp"], snapshot(series))
    assert "by 0% over five years" in image.title
    # five years before 2026-11-20 is a Saturday: the base is the last trading day before it
    assert image.subtitle.endswith("rebased to 100 on 19 Nov 2021")
    assert image.note == ""
    assert tick_labels(image.svg)[0] == "2022"


def test_data_ending_early_are_said(spec) -> None:  # type: ignore[no-untyped-def]
    series = {"INDPRO": monthly("2014-01-01"), "IPUTIL": monthly("2014-01-01", end="2026-01-01")}
    image = render_chart(spec, spec.charts["industry"], snapshot(series))
    assert image.note == "IPUTIL: data end 1 Jan 2026."  # older than its declared 80 days


def test_a_title_reading_a_missing_series_unguarded_falls_back_without_a_hole(spec) -> None:  # type: ignore[no-untyped-def]
    chart = ChartSpec(
        id="t", kind="lines", title="2-year at {{ last.DGS2 }}%, 10-year at {{ last.DGS10 }}%",
        subtitle="Treasury yields {{ span }}, %", series=["DGS2", "DGS10"], years=5,
    )  # fmt: skip
    image = render_chart(spec, chart, snapshot({"DGS2": daily("2020-01-01", level=3.5)}))
    assert image.title == "Treasury yields over five years, %"
    assert "{" not in image.title and "None" not in image.title
    assert image.note == "DGS10: no data."


def test_a_stand_in_is_named_where_it_is_plotted(spec) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    snap = snapshot({"DFEDTARU": daily("2021-01-01", level=4.5), "DGS2": daily("2021-01-01", level=3.72),
                     "DGS10": daily("2021-01-01", level=4.29)})  # fmt: skip
    derived = replace(snap.series["DFEDTARU"], source="derived", fallback="derived from the effective rate (DFF)")
    snap = replace(snap, series={**snap.series, "DFEDTARU": derived})
    image = render_chart(spec, spec.charts["rates"], snap)
    assert image.title == "Fed funds target at 4.50%; the 2-year yield, 78 bp below it, prices further cuts"
    assert image.note == "DFEDTARU: derived from the effective rate (DFF)."
