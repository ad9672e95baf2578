"""Every theme's indicator functions against values computed by hand on small series, with edge cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from generator.errors import InsufficientHistory
from generator.indicators.dispersion import cross_sectional_std
from generator.indicators.fed import change_from_peak_bp, days_since_last_change, last_change_bp, spread_change_bp
from generator.indicators.labor import rise_from_low
from generator.indicators.leadership import basket_relative_return, contribution_share
from generator.indicators.levels import annualized_change, change, level_sum, pct_change, percentile_rank
from generator.indicators.registry import Reading
from generator.indicators.rotation import ratio_percentile
from generator.indicators.valuation import pe_discount


def days(n: int, start: str = "2026-01-05") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n, name="date")


def months(n: int, start: str = "2025-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="MS", name="date")


# ---------------------------------------------------------------- levels (inflation, credit, volatility, flows)


def test_percentile_rank() -> None:
    s = pd.Series([5.0, 3.0, 1.0, 4.0, 2.0], index=days(5))
    # last 4: 3, 1, 4, 2; values <= 2: {1, 2} -> 2 / 4 = 50%
    assert percentile_rank(s, window=4) == pytest.approx(50.0)
    assert percentile_rank(s, window=5) == pytest.approx(40.0)  # {1, 2} of 5
    assert percentile_rank(pd.Series([1.0, 2.0, 9.0], index=days(3)), window=3) == pytest.approx(100.0)
    with pytest.raises(InsufficientHistory, match="6-observation percentile needs 6 observations, 5 available"):
        percentile_rank(s, window=6)


def test_percentile_rank_skips_missing_days() -> None:
    # a holiday recorded as NaN is not an observation: the window is the last 3 real values 3, 4, 2
    s = pd.Series([1.0, 3.0, float("nan"), 4.0, 2.0], index=days(5))
    assert percentile_rank(s, window=3) == pytest.approx(100 / 3)


def test_annualized_change_monthly() -> None:
    s = pd.Series([100.0, 101.0, 102.0, 103.0], index=months(4))
    # (103 / 100) ** (12 / 3) - 1 = 12.550881%
    assert annualized_change(s, months=3) == pytest.approx(100 * (1.03**4 - 1))
    assert annualized_change(s, months=1) == pytest.approx(100 * ((103 / 102) ** 12 - 1))
    with pytest.raises(InsufficientHistory, match="no observation dated 2025-01-01 for a 3-month change"):
        annualized_change(s.drop(pd.Timestamp("2025-01-01")), months=3)
    # the base month never published (October 2025 CPI): insufficient history, not a wrong base
    gap = pd.Series([100.0, 101.0, float("nan"), 103.0, 104.0], index=months(5, "2025-08-01"))
    assert annualized_change(gap, months=3) == pytest.approx(100 * ((104 / 101) ** 4 - 1))
    with pytest.raises(InsufficientHistory, match="no observation dated 2025-10-01"):
        annualized_change(gap, months=2)


def test_pct_change_and_change() -> None:
    weekly = pd.Series([100.0, 110.0, 121.0], index=pd.date_range("2026-01-02", periods=3, freq="W-FRI"))
    assert pct_change(weekly, periods=2) == pytest.approx(21.0)
    assert pct_change(weekly, periods=1) == pytest.approx(10.0)
    with pytest.raises(InsufficientHistory, match="3-observation change needs 4"):
        pct_change(weekly, periods=3)
    oas = pd.Series([3.10, 3.25, float("nan"), 3.85], index=days(4))
    assert change(oas, periods=1, scale=100) == pytest.approx(60.0)  # 3.85 - 3.25 (the NaN day skipped)
    assert change(oas, periods=2) == pytest.approx(0.75)


def test_level_sum_on_common_latest_date() -> None:
    spread = pd.Series([1.80, 1.75, 1.70], index=days(3))
    dgs10 = pd.Series([4.20, 4.30], index=days(3)[:2])  # not yet published for the last day
    assert level_sum(spread, dgs10) == pytest.approx(1.75 + 4.30)
    with pytest.raises(InsufficientHistory):
        level_sum(spread, pd.Series([4.0], index=days(1, "2027-01-04")))


# ---------------------------------------------------------------- rotation and leadership


def test_ratio_percentile() -> None:
    a = pd.Series([10.0, 12.0, 9.0, 11.0], index=days(4))
    b = pd.Series([10.0, 10.0, 10.0, 10.0], index=days(4))
    # ratios 1.0, 1.2, 0.9, 1.1; <= 1.1: 1.0, 0.9, 1.1 -> 75%
    assert ratio_percentile(a, b, window=4) == pytest.approx(75.0)
    assert ratio_percentile(a, b, window=2) == pytest.approx(100.0)  # 0.9, 1.1
    with pytest.raises(InsufficientHistory, match="5-day percentile needs 5 observations, 4 available"):
        ratio_percentile(a, b, window=5)


def test_basket_relative_return() -> None:
    idx = days(3)
    members = pd.DataFrame({"M1": [100.0, 105.0, 110.0], "M2": [50.0, 49.0, 45.0]}, index=idx)
    b = pd.Series([200.0, 201.0, 202.0], index=idx)
    # window 2: M1 +10%, M2 -10% -> mean 0; b +1% -> -1 point
    assert basket_relative_return(members, b, window=2) == pytest.approx(-1.0)
    # a member missing a day drops that day for all: window 1 runs from day 0 to day 2
    gappy = members.copy()
    gappy.loc[idx[1], "M2"] = float("nan")
    assert basket_relative_return(gappy, b, window=1) == pytest.approx(-1.0)
    with pytest.raises(InsufficientHistory):
        basket_relative_return(members, b, window=3)


def _contribution_inputs() -> tuple[pd.DataFrame, pd.Series, pd.DatetimeIndex]:
    idx = pd.DatetimeIndex(["2025-12-30", "2025-12-31", "2026-01-02", "2026-01-05"], name="date")
    members = pd.DataFrame({"A": [80.0, 100.0, 110.0, 120.0], "B": [50.0, 50.0, 52.0, 50.0]}, index=idx)
    index = pd.Series([1000.0, 1000.0, 1050.0, 1100.0], index=idx)
    return members, index, idx


def test_contribution_share_ytd_by_hand() -> None:
    members, index, idx = _contribution_inputs()
    weights = pd.DataFrame({"W_A": [0.1], "W_B": [0.2]}, index=pd.DatetimeIndex([idx[1]]))
    # base 2025-12-31: A 100 -> 120 (+20%), B 50 -> 50 (0%), index +10%
    # 0.1 * 0.2 + 0.2 * 0 = 0.02 of a 0.10 gain -> 20%
    got = contribution_share(members, index, weights, period="ytd")
    assert isinstance(got, Reading)
    assert got.value == pytest.approx(20.0)
    assert got.note == "index +10.0% since 2025-12-31; weights as of 2025-12-31"


def test_contribution_share_weights_carried_by_price() -> None:
    members, index, idx = _contribution_inputs()
    # weights observed on 2025-12-30, when A was 80: by the base A rose 25% with the index flat,
    # so A's weight is 0.1 * 1.25 = 0.125; B's stays 0.2 -> (0.125 * 0.2) / 0.1 = 25%
    weights = pd.DataFrame({"W_A": [0.1], "W_B": [0.2]}, index=pd.DatetimeIndex([idx[0]]))
    assert contribution_share(members, index, weights, period="ytd").value == pytest.approx(25.0)


def test_contribution_share_edge_cases() -> None:
    members, index, idx = _contribution_inputs()
    weights = pd.DataFrame({"W_A": [0.1], "W_B": [0.2]}, index=pd.DatetimeIndex([idx[1]]))
    falling = index.copy()
    falling.iloc[-1] = 990.0
    with pytest.raises(InsufficientHistory, match="did not rise"):
        contribution_share(members, falling, weights, period="ytd")
    late = pd.DataFrame({"W_A": [0.1], "W_B": [0.2]}, index=pd.DatetimeIndex(["2026-02-01"]))
    with pytest.raises(InsufficientHistory, match="no complete set of weights dated on or before 2026-01-05"):
        contribution_share(members, index, late, period="ytd")
    with pytest.raises(InsufficientHistory, match="no price before 2026-01-01"):
        contribution_share(members.iloc[2:], index.iloc[2:], weights, period="ytd")


def test_contribution_share_qtd_base() -> None:
    idx = pd.DatetimeIndex(["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"], name="date")
    members = pd.DataFrame({"A": [10.0, 10.0, 11.0, 12.0]}, index=idx)
    index = pd.Series([100.0, 100.0, 101.0, 102.0], index=idx)
    weights = pd.DataFrame({"W_A": [0.05]}, index=pd.DatetimeIndex([idx[1]]))
    # base 2026-03-31 (last close of Q1): A +20% at weight 0.05 = 0.01 of a 0.02 gain -> 50%
    assert contribution_share(members, index, weights, period="qtd").value == pytest.approx(50.0)


# ---------------------------------------------------------------- valuation


def test_pe_discount() -> None:
    r2000 = pd.Series([13.0, 13.2], index=pd.DatetimeIndex(["2025-06-30", "2025-07-31"]))
    spx = pd.Series([22.0], index=pd.DatetimeIndex(["2025-07-31"]))
    got = pe_discount(r2000, spx)
    assert got.value == pytest.approx(40.0)  # 1 - 13.2 / 22
    assert got.note == "as of 2025-07-31"
    old_spx = pd.Series([22.0], index=pd.DatetimeIndex(["2025-05-30"]))
    with pytest.raises(InsufficientHistory, match="more than 31 days apart"):
        pe_discount(r2000, old_spx)


# ---------------------------------------------------------------- the Fed


def _target() -> pd.Series:
    """The upper bound, daily including weekends as FRED has it: 5.50 -> 5.00 (2024-09-18) -> 4.75 (2024-11-08)."""
    idx = pd.date_range("2023-07-27", "2024-12-01", freq="D", name="date")
    s = pd.Series(5.50, index=idx)
    s[s.index >= "2024-09-18"] = 5.00
    s[s.index >= "2024-11-08"] = 4.75
    return s


def test_fed_cycle_by_hand() -> None:
    s = _target()
    peak = change_from_peak_bp(s, years=1)
    assert peak.value == pytest.approx(-75.0)
    assert peak.note == "peak 5.50% last held 2024-09-17"
    last = last_change_bp(s)
    assert (last.value, last.note) == (pytest.approx(-25.0), "on 2024-11-08")
    assert days_since_last_change(s) == 23.0  # 2024-11-08 -> 2024-12-01
    with pytest.raises(InsufficientHistory, match="3-year peak needs history from 2021-12-01"):
        change_from_peak_bp(s, years=3)
    flat = pd.Series(5.5, index=days(10))
    with pytest.raises(InsufficientHistory, match="no move"):
        last_change_bp(flat)


def test_spread_change_bp_daily_vs_business_days() -> None:
    # DFF is published for every calendar day, DGS2 on business days: common dates only
    dff = pd.Series(4.33, index=pd.date_range("2026-01-05", "2026-01-11", freq="D"))
    dgs2 = pd.Series([4.00, 4.05, 4.10, 4.20, 4.25], index=days(5))
    # spreads 33, 28, 23, 13, 8 bp on Mon-Fri; window 4: 8 - 33 = -25 bp
    assert spread_change_bp(dff, dgs2, window=4) == pytest.approx(-25.0)
    assert spread_change_bp(dff, dgs2, window=1) == pytest.approx(-5.0)
    with pytest.raises(InsufficientHistory):
        spread_change_bp(dff, dgs2, window=5)


# ---------------------------------------------------------------- dispersion and labor


def test_cross_sectional_std() -> None:
    idx = days(2)
    members = pd.DataFrame({"E": [100.0, 101.0], "I": [50.0, 51.0], "U": [20.0, 21.2]}, index=idx)
    # returns 1%, 2%, 6%: mean 3, squared deviations 4, 1, 9 -> sample variance 7
    assert cross_sectional_std(members, window=1) == pytest.approx(math.sqrt(7.0))
    with pytest.raises(InsufficientHistory, match="at least two members"):
        cross_sectional_std(members[["E"]], window=1)
    with pytest.raises(InsufficientHistory):
        cross_sectional_std(members, window=2)


def test_rise_from_low() -> None:
    unrate = pd.Series([4.0, 3.8, 3.9, 4.3], index=months(4))
    assert rise_from_low(unrate, months=3) == pytest.approx(0.5)  # 4.3 - min(3.8, 3.9, 4.3)
    assert rise_from_low(unrate, months=4) == pytest.approx(0.5)
    with pytest.raises(InsufficientHistory, match="5-month low needs history from 2024-12-01"):
        rise_from_low(unrate, months=5)
