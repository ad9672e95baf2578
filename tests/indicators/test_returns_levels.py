"""Indicator functions against values computed by hand on small series."""

from __future__ import annotations

import pandas as pd
import pytest

from generator.errors import InsufficientHistory
from generator.indicators.levels import latest, spread_bp, yoy_change
from generator.indicators.returns import ratio_vs_moving_average, relative_return


def days(n: int, start: str = "2026-01-05") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n, name="date")


def test_relative_return_by_hand() -> None:
    a = pd.Series([100.0, 102.0, 110.0], index=days(3))
    b = pd.Series([50.0, 50.0, 51.0], index=days(3))
    # a: 110/100 - 1 = 10%; b: 51/50 - 1 = 2%; difference 8 points
    assert relative_return(a, b, window=2) == pytest.approx(8.0)
    # window 1: a 110/102 - 1 = 7.843137%; b 51/50 - 1 = 2%
    assert relative_return(a, b, window=1) == pytest.approx(100 * (110 / 102 - 1) - 2.0)


def test_relative_return_uses_common_dates_only() -> None:
    # b misses the middle day (a holiday on its calendar): the return runs over common dates.
    a = pd.Series([100.0, 120.0, 130.0], index=days(3))
    b = pd.Series([10.0, 11.0], index=days(3)[[0, 2]])
    assert relative_return(a, b, window=1) == pytest.approx(30.0 - 10.0)


def test_relative_return_window_longer_than_history() -> None:
    a = pd.Series([1.0, 2.0], index=days(2))
    with pytest.raises(InsufficientHistory, match="21-day return needs 22"):
        relative_return(a, a, window=21)


def test_ratio_vs_moving_average_by_hand() -> None:
    a = pd.Series([10.0, 12.0, 15.0], index=days(3))
    b = pd.Series([10.0, 10.0, 10.0], index=days(3))
    # ratios 1.0, 1.2, 1.5; 3-day mean 1.2333...; 1.5 / 1.23333 - 1 = 21.6216%
    assert ratio_vs_moving_average(a, b, window=3) == pytest.approx(100 * (1.5 / (3.7 / 3) - 1))
    # 2-day mean 1.35 -> 1.5/1.35 - 1 = 11.111%
    assert ratio_vs_moving_average(a, b, window=2) == pytest.approx(100 * (1.5 / 1.35 - 1))
    with pytest.raises(InsufficientHistory):
        ratio_vs_moving_average(a, b, window=4)


def test_latest_and_spread_bp() -> None:
    s = pd.Series([4.1, None, 3.95], index=days(3))
    assert latest(s) == pytest.approx(3.95)
    assert latest(s, scale=100) == pytest.approx(395.0)
    dff = pd.Series([4.33, 4.33], index=days(2))
    dgs2 = pd.Series([3.90, 3.85, float("nan")], index=days(3))
    # each at its own last valid date: 4.33 - 3.85 = 0.48 -> 48 bp
    assert spread_bp(dff, dgs2) == pytest.approx(48.0)


def test_yoy_change_monthly_with_gap() -> None:
    idx = pd.date_range("2024-10-01", periods=14, freq="MS", name="date")
    values = [100.0 + i for i in range(14)]
    s = pd.Series(values, index=idx)
    # last 2025-11-01 = 113; base 2024-11-01 = 101 -> 11.8812%
    assert yoy_change(s) == pytest.approx(100 * (113 / 101 - 1))
    # the base month unpublished (dropped) -> insufficient history, not a wrong base
    with pytest.raises(InsufficientHistory, match="2024-11-01"):
        yoy_change(s.drop(pd.Timestamp("2024-11-01")))


def test_empty_series_is_insufficient() -> None:
    with pytest.raises(InsufficientHistory):
        latest(pd.Series([], dtype=float))
