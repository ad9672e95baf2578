"""Every chart title's numbers, recomputed from the series and the window the chart says it plotted.

Each title of the production report is parsed back into its numbers, its words
of direction and its span ("over five years" or "since 16 Dec 2024"); the
numbers are recomputed here with pandas from the snapshot's series over that
span, independently of the chart code, and printed with the title's decimals.
Where a table shows the same quantity (an indicator), the title must print the
table's number. Run on the illustrative briefing and on the real histories in
../shared/data as of 2025-08-13 (skipped where absent), in two input sets: the
one of issue 12 (Mag 7 prices from a six-month file, no fed target, no sector
ETFs) and the newest files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from real_data import MAG7, SECTORS, fill_store

from generator.acquire import DataSources, acquire_inputs
from generator.charts import render_charts
from generator.model import ChartImage, IndicatorValue, Snapshot
from generator.pipeline import load_report
from generator.spec import ReportSpec
from generator.store import ParquetStore

REAL_DAY = date(2025, 8, 13)
SECTOR_NAMES = ["Energy", "Industrials", "Utilities & comm.", "Financials", "Health care", "Technology",
                "Consumer discr.", "Materials", "Consumer staples"]  # fmt: skip
NUM = r"[+-]?[\d,]+(?:\.\d+)?"
SPAN = r"(over \w+ years?|since \d{1,2} \w{3} \d{4}|since \w{3} \d{4})"


@dataclass(frozen=True)
class Case:
    spec: ReportSpec
    snapshot: Snapshot
    charts: dict[str, ChartImage]
    indicators: dict[str, IndicatorValue]

    def s(self, sid: str) -> pd.Series:
        return self.snapshot.series[sid].values.dropna()


def _fmt(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def _signed(value: float, decimals: int) -> str:
    text = _fmt(value, decimals)
    return text if text.startswith("-") or float(text) == 0 else f"+{text}"


def _ordinal(value: float) -> str:
    n = round(value)
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _span_start(case: Case, span: str, years: float, data: pd.DataFrame | pd.Series) -> pd.Timestamp:
    """The window start a span states, checked against the data: 'over N years' must be covered by them,
    'since D' must be where they start (later than the declared window's start)."""
    declared = pd.Timestamp(case.snapshot.as_of) - pd.DateOffset(months=round(years * 12))
    first = data.dropna().index[0]
    if span.startswith("over"):
        assert first <= declared + pd.Timedelta(days=35), f"'{span}' but the data start {first.date()}"
        return declared
    stated = pd.Timestamp(span.removeprefix("since "))
    assert first > declared + pd.Timedelta(days=7), f"'{span}' but the data cover the declared window"
    assert abs((stated - first).days) <= 31 if stated.day == 1 else stated == first, (span, first)
    return declared  # the window is the declared one; the data in it start at the stated date


def _yoy(s: pd.Series) -> pd.Series:
    base = s.reindex(s.index - pd.DateOffset(months=12))
    base.index = s.index
    return ((s / base - 1) * 100).dropna()


def _pct_of_last(w: pd.Series) -> float:
    return float((w <= w.iloc[-1]).mean() * 100)


def check_iwm_spy_ratio(case: Case, title: str) -> None:
    m = re.fullmatch(rf"Small caps sit ({NUM})% (above|below) their 200-day trend against the S&P 500", title)
    assert m, title
    both = pd.concat([case.s("IWM"), case.s("SPY")], axis=1, join="inner").dropna()
    ratio = both.iloc[:, 0] / both.iloc[:, 1]
    gap = (ratio.iloc[-1] / ratio.iloc[-200:].mean() - 1) * 100
    assert m.group(1) == _fmt(abs(gap), 1) and m.group(2) == ("above" if round(gap, 1) > 0 else "below")
    assert m.group(1) == _fmt(abs(case.indicators["iwm_spy_vs_200d"].value), 1), "title and table agree"


def check_mag7_vs_rsp(case: Case, title: str) -> None:
    m = re.fullmatch(
        rf"The Mag 7 basket (beat|trailed) the equal-weight S&P 500 by ({NUM})% {SPAN}; over the last three months "
        rf"its return was ({NUM}) points (above|below) the index's",
        title,
    )
    assert m, title
    frame = pd.concat({sid: case.s(sid) for sid in [*MAG7, "RSP"]}, axis=1, join="inner").dropna()
    start = _span_start(case, m.group(3), 5, frame)
    frame = frame[frame.index[frame.index <= start][-1] :] if (frame.index <= start).any() else frame
    daily = frame.pct_change().iloc[1:]
    relative = (1 + daily[MAG7].mean(axis=1)).prod() / (1 + daily["RSP"]).prod()
    total = (relative - 1) * 100
    assert (m.group(1), m.group(2)) == ("beat" if round(total) > 0 else "trailed", _fmt(abs(total), 0))
    # The recent return is the grid's: three calendar months back, the basket an index rebalanced daily.
    full = pd.concat({sid: case.s(sid) for sid in MAG7}, axis=1, join="inner").dropna()
    steps = full.pct_change().iloc[1:].mean(axis=1)
    basket = pd.concat([pd.Series([100.0], index=full.index[:1]), 100 * (1 + steps).cumprod()])
    rsp = case.s("RSP")
    end = min(basket.index[-1], rsp.index[-1])
    base = end - pd.DateOffset(months=3)
    recent = (basket[:end].iloc[-1] / basket[:base].iloc[-1] - rsp[:end].iloc[-1] / rsp[:base].iloc[-1]) * 100
    assert (m.group(4), m.group(5)) == (_fmt(abs(recent), 1), "above" if round(recent, 1) > 0 else "below")
    table = case.indicators["mag7_minus_rsp_3m"]
    assert m.group(4) == _fmt(abs(table.value), table.decimals), "the title prints the table's number"


def check_rates(case: Case, title: str) -> None:
    if title.startswith("Fed funds"):
        m = re.fullmatch(
            rf"Fed funds target at ({NUM})%; the 2-year yield, (\d+) bp (above|below|level with) it, .+", title
        )
        assert m, title
        target, two = case.s("DFEDTARU").iloc[-1], case.s("DGS2").iloc[-1]
        assert m.group(1) == _fmt(target, 2)
        assert m.group(2) == _fmt(abs(round(two - target, 2)) * 100, 0)
        assert m.group(3) == (
            "above" if round(two - target, 2) > 0 else "below" if round(two - target, 2) < 0 else "level with"
        )
    else:
        assert "DFEDTARU" not in case.snapshot.series or case.s("DFEDTARU").empty
        m = re.fullmatch(rf"The 2-year Treasury yield at ({NUM})%, the 10-year at ({NUM})%", title)
        assert m, title
        assert (m.group(1), m.group(2)) == (_fmt(case.s("DGS2").iloc[-1], 2), _fmt(case.s("DGS10").iloc[-1], 2))


def check_core_cpi(case: Case, title: str) -> None:
    m = re.fullmatch(
        rf"Core CPI inflation ({NUM})% over the year; at ({NUM})% annualized over three months it is .+", title
    )
    assert m, title
    cpi = case.s("CPILFESL")
    base3 = cpi.reindex(cpi.index - pd.DateOffset(months=3))
    base3.index = cpi.index
    ann = (((cpi / base3) ** 4 - 1) * 100).dropna()
    assert (m.group(1), m.group(2)) == (_fmt(_yoy(cpi).iloc[-1], 1), _fmt(ann.iloc[-1], 1))
    assert m.group(1) == _fmt(case.indicators["core_cpi_yoy"].value, 1), "title and table agree"


def check_credit_vol(case: Case, title: str) -> None:
    m = re.fullmatch(
        rf"High-yield spread ({NUM}) bp, at the (\d+\w\w) percentile {SPAN}(; VIX ({NUM}), at the (\d+\w\w))?", title
    )
    assert m, title
    hy = case.s("BAMLH0A0HYM2") * 100
    start = _span_start(case, m.group(3), 3, hy)
    assert (m.group(1), m.group(2)) == (_fmt(hy.iloc[-1], 0), _ordinal(_pct_of_last(hy[start:])))
    if m.group(4):
        vix = case.s("VIX")[start:]
        assert (m.group(5), m.group(6)) == (_fmt(vix.iloc[-1], 1), _ordinal(_pct_of_last(vix)))
    else:
        assert "VIX" not in case.snapshot.series


def check_sectors(case: Case, title: str) -> None:
    m = re.fullmatch(
        rf"The best small-cap sector over three months is (.+) \(({NUM}) pp against the Russell 2000\), "
        rf"the worst (.+) \(({NUM}) pp\); (\d+) of (\d+) beat the index",
        title,
    )
    assert m, title
    rel = {}
    for sid, name in zip(SECTORS, SECTOR_NAMES, strict=True):
        if sid in case.snapshot.series:
            one, iwm = case.s(sid), case.s("IWM")
            end = min(one.index[-1], iwm.index[-1])
            base = end - pd.DateOffset(months=3)  # calendar months, as the grid counts
            rel[name] = (one[:end].iloc[-1] / one[:base].iloc[-1] - iwm[:end].iloc[-1] / iwm[:base].iloc[-1]) * 100
    best, worst = max(rel, key=rel.__getitem__), min(rel, key=rel.__getitem__)
    assert (m.group(1), m.group(2)) == (best, _signed(rel[best], 1))
    assert (m.group(3), m.group(4)) == (worst, _signed(rel[worst], 1))
    assert (int(m.group(5)), int(m.group(6))) == (sum(v > 0 for v in rel.values()), len(rel))


def check_industry(case: Case, title: str) -> None:
    m = re.fullmatch(
        rf"Industrial production ({NUM})% over the year(; utilities output, where data-centre power demand shows, "
        rf"({NUM})%)?",
        title,
    )
    assert m, title
    assert m.group(1) == _signed(_yoy(case.s("INDPRO")).iloc[-1], 1)
    if m.group(2):
        assert m.group(3) == _signed(_yoy(case.s("IPUTIL")).iloc[-1], 1)
    else:
        assert "IPUTIL" not in case.snapshot.series or _yoy(case.s("IPUTIL")).empty


def check_reshoring(case: Case, title: str) -> None:
    m = re.fullmatch(rf"Manufacturing construction spending ({NUM})% over the year", title)
    assert m, title
    assert m.group(1) == _signed(_yoy(case.s("TLMFGCONS")).iloc[-1], 1)


CHECKS: dict[str, Callable[[Case, str], None]] = {
    "iwm_spy_ratio": check_iwm_spy_ratio,
    "mag7_vs_rsp": check_mag7_vs_rsp,
    "rates": check_rates,
    "core_cpi": check_core_cpi,
    "credit_vol": check_credit_vol,
    "sectors": check_sectors,
    "industry": check_industry,
    "reshoring": check_reshoring,
}


def check_all(case: Case) -> list[str]:
    """Every drawn chart's title checked; returns the ids of those not drawn (their note says why)."""
    assert set(CHECKS) == set(case.spec.charts), "a new chart needs its title check here"
    not_drawn = []
    for cid, image in case.charts.items():
        assert "{" not in image.title and "None" not in image.title, cid
        if not image.drawn:
            assert image.note.startswith("Not drawn. "), cid
            not_drawn.append(cid)
            continue
        CHECKS[cid](case, image.title)
    return not_drawn


def test_titles_match_the_plotted_data_on_illustrative_data(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    analysis = illustrative_briefing.analysis
    case = Case(load_report().spec, analysis.snapshot, analysis.charts, analysis.indicators)
    assert check_all(case) == []


# ---------------------------------------------------------------- the real histories in ../shared/data

def real_case(shared_data: Path, tmp_path: Path, which: str) -> Case:
    """The real files of one input set imported into a store, then the briefing of 2025-08-13 computed from it as
    the pipeline does: acquired, evaluated by the plan (fallbacks resolved), charts drawn from its snapshot."""
    plan = load_report()
    spec = plan.spec
    store = ParquetStore(fill_store(shared_data, tmp_path / "store", which, spec))
    snapshot = acquire_inputs(plan, REAL_DAY, source="store", sources=DataSources(store=store))
    analysis = plan.evaluate(snapshot)
    charts = render_charts(spec, analysis.snapshot, phone=False)
    return Case(spec, analysis.snapshot, charts, analysis.indicators)


@pytest.mark.slow
def test_titles_match_the_plotted_data_on_the_inputs_of_issue_12(shared_data: Path, tmp_path: Path) -> None:
    case = real_case(shared_data, tmp_path, "issue")
    assert check_all(case) == ["reshoring"]
    basket = case.charts["mag7_vs_rsp"]
    # Issue 12: "trailed ... by 5% over five years" while the line ran from December 2024, and 9.3 beside a table's 9.1.
    # Now title, table and grid share one definition: three calendar months to the basket's last close (13 Jun).
    assert "since 16 Dec 2024" in basket.title and "10.9 points" in basket.title
    assert f"{case.indicators['mag7_minus_rsp_3m'].value:.1f}" == "10.9"
    assert basket.note == (
        "From 16 Dec 2024: the histories of NVDA, AMZN, GOOGL, META and TSLA start there. "
        "NVDA, AMZN, GOOGL, META and TSLA: data end 13 Jun 2025."
    )
    # Declared fallbacks (issue 12 point 4) stand in where the data lack a series; each chart says so.
    assert case.charts["rates"].note == "DFEDTARU: derived from the effective rate (DFF)."
    assert case.charts["sectors"].note == (
        "PSCE: large-cap energy (XLE) standing in for small caps. "
        "PSCI: large-cap industrials (XLI) standing in for small caps. "
        "PSCU: large-cap utilities (XLU) standing in for small caps. "
        "PSCF, PSCH, PSCT, PSCD, PSCM and PSCC: no data."
    )
    assert case.charts["industry"].note == "IPUTIL: no data."
    assert case.charts["reshoring"].note == "Not drawn. TLMFGCONS: no data."


@pytest.mark.slow
def test_titles_match_the_plotted_data_on_the_newest_files(shared_data: Path, tmp_path: Path) -> None:
    case = real_case(shared_data, tmp_path, "newest")
    assert check_all(case) == ["reshoring"]
    assert "over five years" in case.charts["mag7_vs_rsp"].title
    assert case.charts["mag7_vs_rsp"].note == ""
    assert case.charts["rates"].title.startswith("Fed funds target at 4.50%")
