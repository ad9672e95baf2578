"""The performance grid against returns computed by hand on small series.

Holidays used: 2024-12-25 and 2025-01-01 (NYSE closed). Every expected number
is written out from the prices in the test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from generator.indicators.leadership import equal_weight_index
from generator.indicators.performance import horizon_target, performance_grid, relative_percentile
from generator.spec_performance import PerformanceRowSpec, PerformanceSpec

HOLIDAYS = ["2024-12-25", "2025-01-01"]


def trading_days(start: str, end: str) -> pd.DatetimeIndex:
    days = pd.bdate_range(start, end)
    return days[~days.isin(pd.DatetimeIndex(HOLIDAYS))]


def marked(start: str, end: str, marks: dict[str, float], rest: float = 100.0) -> pd.Series:
    """A flat series at ``rest`` on trading days with the given closes on the given days."""
    s = pd.Series(rest, index=trading_days(start, end))
    for day, value in marks.items():
        assert pd.Timestamp(day) in s.index, f"{day} is not a trading day"
        s[pd.Timestamp(day)] = value
    return s


def grid_spec(*rows: PerformanceRowSpec, **kw: object) -> PerformanceSpec:
    return PerformanceSpec(benchmark="B", rows=list(rows), **kw)  # type: ignore[arg-type]


def row(rid: str, group: str = "small caps", members: list[str] | None = None) -> PerformanceRowSpec:
    return PerformanceRowSpec(id=rid, label=rid, group=group, members=members or [])  # type: ignore[arg-type]


# ---------------------------------------------------------------- horizons


@pytest.mark.parametrize(
    ("horizon", "anchor", "target"),
    [
        ("1w", date(2025, 1, 8), date(2025, 1, 1)),
        ("1m", date(2025, 3, 31), date(2025, 2, 28)),  # no 31 February: the month's last day
        ("3m", date(2025, 5, 31), date(2025, 2, 28)),
        ("3m", date(2025, 8, 13), date(2025, 5, 13)),
        ("12m", date(2024, 2, 29), date(2023, 2, 28)),
        ("ytd", date(2025, 1, 8), date(2024, 12, 31)),
        ("ytd", date(2025, 12, 31), date(2024, 12, 31)),
    ],
)
def test_horizon_targets(horizon: str, anchor: date, target: date) -> None:
    assert horizon_target(horizon, anchor) == target  # type: ignore[arg-type]


# ---------------------------------------------------------------- returns across the year boundary and a holiday

ROW = marked(
    "2023-12-01",
    "2025-01-08",
    {
        "2023-12-29": 80.0,  # last close of 2023
        "2024-01-08": 90.0,  # 12-month base for 2025-01-08
        "2024-10-08": 110.0,  # 3-month base
        "2024-12-06": 115.0,  # 1-month base: 2024-12-08 is a Sunday
        "2024-12-24": 118.0,  # 2024-12-25 is a holiday
        "2024-12-31": 120.0,  # last close of 2024; 2025-01-01 is a holiday
        "2025-01-08": 126.0,
    },
)
BENCH = marked("2023-12-01", "2025-01-08", {"2025-01-08": 102.0})  # +2% on the last day only


def test_returns_by_hand_across_year_end_and_holiday() -> None:
    grid = performance_grid({"R": ROW, "B": BENCH}, date(2025, 1, 8), grid_spec(row("R"), row("B", "large caps")))
    r = grid.row("R")
    # 1w: target 2025-01-01 is a holiday -> base 2024-12-31 (120); ytd: base 2024-12-31 too
    assert r.returns["1w"] == pytest.approx(100 * (126 / 120 - 1))  # 5.0
    assert r.returns["ytd"] == pytest.approx(5.0)
    assert r.returns["1m"] == pytest.approx(100 * (126 / 115 - 1))  # 9.565...
    assert r.returns["3m"] == pytest.approx(100 * (126 / 110 - 1))  # 14.545...
    assert r.returns["12m"] == pytest.approx(100 * (126 / 90 - 1))  # 40.0
    assert r.bases == {
        "1w": date(2024, 12, 31),
        "1m": date(2024, 12, 6),
        "3m": date(2024, 10, 8),
        "ytd": date(2024, 12, 31),
        "12m": date(2024, 1, 8),
    }
    # the benchmark gained 2% over every horizon: relative = return - 2 points
    assert r.relative["1w"] == pytest.approx(3.0)
    assert r.relative["1m"] == pytest.approx(100 * (126 / 115 - 1) - 2.0)
    assert r.relative["12m"] == pytest.approx(38.0)
    assert (r.as_of, r.stale, r.missing) == (date(2025, 1, 8), False, {})
    b = grid.row("B")
    assert b.is_benchmark and b.returns["ytd"] == pytest.approx(2.0)
    assert b.relative == {h: None for h in grid.horizons}
    assert b.missing_relative["3m"] == "the benchmark itself"
    assert b.pctile_3m_rel_10y is None
    assert grid.targets["1w"] == date(2025, 1, 1)
    assert [g for g, _ in grid.groups()] == ["small caps", "large caps"]


def test_briefing_date_on_a_holiday() -> None:
    # 2025-01-01: the end close is 2024-12-31; the year just began, so YTD is 0;
    # 1w target 2024-12-25 (holiday) -> base 2024-12-24 (118)
    grid = performance_grid({"R": ROW, "B": BENCH}, date(2025, 1, 1), grid_spec(row("R")))
    r = grid.row("R")
    assert r.as_of == date(2024, 12, 31) and not r.stale
    assert r.returns["ytd"] == pytest.approx(0.0)
    assert r.returns["1w"] == pytest.approx(100 * (120 / 118 - 1))
    assert r.bases["1w"] == date(2024, 12, 24)


def test_year_end_base_on_a_weekend() -> None:
    # 2024-12-31: YTD target 2023-12-31 is a Sunday -> base Friday 2023-12-29 (80)
    grid = performance_grid({"R": ROW, "B": BENCH}, date(2024, 12, 31), grid_spec(row("R")))
    r = grid.row("R")
    assert r.bases["ytd"] == date(2023, 12, 29)
    assert r.returns["ytd"] == pytest.approx(100 * (120 / 80 - 1))  # 50.0
    assert r.relative["ytd"] == pytest.approx(50.0)  # the benchmark was flat until 2025


def test_later_observations_are_ignored() -> None:
    later = pd.concat([ROW, pd.Series([999.0], index=[pd.Timestamp("2025-01-09")])])
    grid = performance_grid({"R": later, "B": BENCH}, date(2025, 1, 8), grid_spec(row("R")))
    assert grid.row("R").returns["1w"] == pytest.approx(5.0)


# ---------------------------------------------------------------- a basket


def test_equal_weight_index_rebalances_daily() -> None:
    idx = pd.DatetimeIndex(["2025-03-03", "2025-03-05", "2025-03-07", "2025-03-10"])
    x = pd.Series([10.0, 20.0, 10.0, 10.0], idx)
    y = pd.Series([10.0, 10.0, 20.0, 20.0], idx)
    # +50% (mean of +100% and 0%), then +25% (mean of -50% and +100%), then flat
    assert equal_weight_index(pd.concat({"X": x, "Y": y}, axis=1)).tolist() == [100.0, 150.0, 187.5, 187.5]


def test_basket_row() -> None:
    x = pd.Series(
        [10.0, 10.0, 15.0, 20.0, 10.0, 10.0],
        pd.DatetimeIndex(["2025-02-27", "2025-03-03", "2025-03-04", "2025-03-05", "2025-03-07", "2025-03-10"]),
    )
    # Y starts later and does not trade on 03-04: the basket lives on the dates both have a price
    y = pd.Series([10.0, 10.0, 20.0, 20.0], pd.DatetimeIndex(["2025-03-03", "2025-03-05", "2025-03-07", "2025-03-10"]))
    b = pd.Series(
        [100.0, 100.0, 100.0, 110.0, 110.0], pd.date_range("2025-03-03", "2025-03-10", freq="B")[[0, 1, 2, 4, 5]]
    )
    spec = grid_spec(row("XY", "Magnificent 7", ["X", "Y"]), horizons=["1w", "1m"])
    grid = performance_grid({"X": x, "Y": y, "B": b}, date(2025, 3, 10), spec)
    r = grid.row("XY")
    assert r.members == ("X", "Y")
    # 1w: target 2025-03-03 -> index 100 to 187.5 (daily rebalanced; buy-and-hold would give +50%)
    assert r.returns["1w"] == pytest.approx(87.5)
    assert r.relative["1w"] == pytest.approx(87.5 - 10.0)  # B 100 -> 110
    assert r.returns["1m"] is None
    assert r.missing["1m"] == "history starts 2025-03-03 (Y)"
    assert "1m: history starts 2025-03-03 (Y)" in r.notes


# ---------------------------------------------------------------- short history, stale rows, missing data


def test_row_with_short_history() -> None:
    days = trading_days("2014-01-01", "2025-08-13")
    bench = pd.Series(100.0, index=days)
    young = pd.Series(50.0, index=days[days >= "2024-12-16"])
    young[pd.Timestamp("2025-08-13")] = 60.0
    grid = performance_grid({"Y": young, "B": bench}, date(2025, 8, 13), grid_spec(row("Y")))
    r = grid.row("Y")
    # YTD base 2024-12-31 exists (50 -> 60); 12 months back (2024-08-13) predates the history
    assert r.returns["ytd"] == pytest.approx(20.0)
    assert r.relative["ytd"] == pytest.approx(20.0)
    assert r.returns["12m"] is None and r.relative["12m"] is None
    assert r.missing["12m"] == "history starts 2024-12-16"
    assert "12m: history starts 2024-12-16" in r.notes
    # 3-month relative returns exist from 2025-03-17 (the first close with one 3 months before it): < 1 year
    assert r.pctile_3m_rel_10y is None
    assert any(n.startswith("no percentile: 3-month relative returns only since 2025-03-17") for n in r.notes)


def test_stale_row_keeps_values_measured_to_its_own_date() -> None:
    bench = marked("2025-06-02", "2025-08-13", {"2025-07-25": 200.0, "2025-08-01": 210.0, "2025-08-13": 220.0})
    old = marked("2025-06-02", "2025-08-01", {"2025-07-25": 40.0, "2025-08-01": 50.0})
    grid = performance_grid({"S": old, "B": bench}, date(2025, 8, 13), grid_spec(row("S"), horizons=["1w"]))
    r = grid.row("S")
    assert (r.stale, r.as_of) == (True, date(2025, 8, 1))  # 12 days old, 5 allowed
    # the week to its own last close: 2025-07-25 (40) -> 2025-08-01 (50); the benchmark over the same dates 200 -> 210
    assert r.returns["1w"] == pytest.approx(25.0)
    assert r.relative["1w"] == pytest.approx(25.0 - 5.0)
    assert r.notes[0] == "stale: last close 2025-08-01, 12 days before 2025-08-13; returns measured to 2025-08-01"
    fresh = performance_grid({"S": old, "B": bench}, date(2025, 8, 6), grid_spec(row("S"), horizons=["1w"])).row("S")
    assert not fresh.stale  # 5 days old is still fresh: target 2025-07-30 -> base 100, end 50
    assert fresh.returns["1w"] == pytest.approx(-50.0)


def test_missing_series_and_missing_benchmark() -> None:
    days = trading_days("2025-01-02", "2025-08-13")
    s = pd.Series(100.0, index=days)
    spec = grid_spec(row("S"), row("Q"), horizons=["1w"])
    grid = performance_grid({"S": s}, date(2025, 8, 13), spec)
    assert grid.row("S").returns["1w"] == pytest.approx(0.0)
    assert grid.row("S").relative["1w"] is None
    assert grid.row("S").missing_relative["1w"] == "no prices for B"
    q = grid.row("Q")
    assert (q.as_of, q.returns, q.notes) == (None, {"1w": None}, ("no prices for Q",))
    # a benchmark that stopped trading: no relative return against a stale benchmark
    grid = performance_grid({"S": s, "B": s[:"2025-07-31"]}, date(2025, 8, 13), spec)
    assert grid.row("S").missing_relative["1w"] == "B has no close within 5 days of 2025-08-13 (last 2025-07-31)"


# ---------------------------------------------------------------- the percentile

MONTHS = pd.date_range("2024-01-01", "2025-06-01", freq="MS")
# 3-month returns wanted for Jul 2024 .. Jun 2025 (%): 5, -5, 10, 0, 20, -10, 5, 15, -20, 0, 10, 8
MONTHLY = pd.Series(
    [100.0] * 6 + [105.0, 95.0, 110.0, 105.0, 114.0, 99.0, 110.25, 131.1, 79.2, 110.25, 144.21, 85.536], MONTHS
)


def test_percentile_by_hand() -> None:
    flat = pd.Series(100.0, MONTHS)
    # one year back from 2025-06-01: the 12 closes Jul 2024 .. Jun 2025; today 8%; values <= 8: 5, -5, 0, -10,
    # 5, -20, 0, 8 -> 8 of 12
    pct, years, first = relative_percentile(MONTHLY, flat, date(2025, 6, 1), 8.0, years=1, min_years=0.5)  # type: ignore[misc]
    assert pct == pytest.approx(100 * 8 / 12)
    assert (years, first) == (1.0, date(2024, 7, 1))
    grid = performance_grid({"M": MONTHLY, "B": flat}, date(2025, 6, 1), grid_spec(row("M"), percentile_years=1))
    m = grid.row("M")
    assert m.relative["3m"] == pytest.approx(8.0)  # 79.2 (2025-03-01) -> 85.536
    assert m.pctile_3m_rel_10y == pytest.approx(100 * 8 / 12)
    assert m.pctile_years == 1.0


def test_percentile_with_less_history_says_how_many_years() -> None:
    flat = pd.Series(100.0, MONTHS)
    grid = performance_grid({"M": MONTHLY, "B": flat}, date(2025, 6, 1), grid_spec(row("M")))
    m = grid.row("M")
    # from Apr 2024 (3 months after the start): 0, 0, 0 plus the 12 above -> 11 of 15 at or below 8
    assert m.pctile_3m_rel_10y == pytest.approx(100 * 11 / 15)
    assert m.pctile_years == pytest.approx((date(2025, 6, 1) - date(2024, 4, 1)).days / 365.25)  # 1.17
    assert "percentile over 1.2 years, not 10: 3-month relative returns start 2024-04-01" in m.notes


def test_percentile_is_relative_to_the_benchmark() -> None:
    # the same row against a benchmark that moved with it: every relative return is 0 -> all tie at 100
    grid = performance_grid({"M": MONTHLY, "B": MONTHLY}, date(2025, 6, 1), grid_spec(row("M"), percentile_years=1))
    assert grid.row("M").relative["3m"] == pytest.approx(0.0)
    assert grid.row("M").pctile_3m_rel_10y == pytest.approx(100.0)


# ---------------------------------------------------------------- the real recorded histories


def _adjclose(path: Path) -> pd.Series:
    raw = pd.read_csv(path)
    return pd.Series(raw["Close"].to_numpy(dtype=float), index=pd.to_datetime(raw["Date"]))


def test_real_histories_match_direct_lookups(shared_data: Path) -> None:
    """IWM against SPY as of the article's date, on Yahoo adjusted closes (SOURCES.md section 15)."""
    folder = shared_data / "market" / "yfinance_adjclose_factor_attribution"
    iwm, spy = _adjclose(folder / "IWM.csv"), _adjclose(folder / "SPY.csv")
    spec = PerformanceSpec(benchmark="SPY", rows=[row("IWM"), row("SPY", "large caps")])
    r = performance_grid({"IWM": iwm, "SPY": spy}, date(2025, 8, 13), spec).row("IWM")

    def ret(s: pd.Series, base: str) -> float:  # the close on 2025-08-13 over the last close on or before ``base``
        return 100 * (s[:"2025-08-13"].iloc[-1] / s[:base].iloc[-1] - 1)

    for h, base in [("1w", "2025-08-06"), ("1m", "2025-07-13"), ("3m", "2025-05-13"), ("ytd", "2024-12-31"),
                    ("12m", "2024-08-13")]:  # fmt: skip
        assert r.returns[h] == pytest.approx(ret(iwm, base)), h
        assert r.relative[h] == pytest.approx(ret(iwm, base) - ret(spy, base)), h
    assert r.bases["1m"] == date(2025, 7, 11)  # 2025-07-13 was a Sunday
    assert (r.as_of, r.stale, r.pctile_years) == (date(2025, 8, 13), False, 10.0)
    assert r.pctile_3m_rel_10y is not None and 0 < r.pctile_3m_rel_10y < 100
