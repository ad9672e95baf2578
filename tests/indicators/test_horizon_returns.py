"""Relative returns over calendar months, by hand, and equal to the performance grid's cells."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from generator.errors import InsufficientHistory
from generator.indicators.horizon_returns import basket_relative_return_months, relative_return_months
from generator.indicators.performance import performance_grid
from generator.indicators.returns import relative_return
from generator.spec_performance import PerformanceRowSpec, PerformanceSpec


def on(days: list[str], values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.DatetimeIndex(days), dtype=float)


def test_the_base_is_the_last_close_on_or_before_the_calendar_date() -> None:
    # End Fri 2025-05-30; one month back is Wed 2025-04-30: the base is that day's close, not 21 rows back.
    days = ["2025-04-29", "2025-04-30", "2025-05-01", "2025-05-30"]
    a = on(days, [90.0, 100.0, 50.0, 120.0])
    b = on(days, [100.0, 100.0, 100.0, 105.0])
    # a: 120 / 100 - 1 = 20%; b: 105 / 100 - 1 = 5%; 20 - 5 = 15 pp
    assert relative_return_months(a, b, months=1) == pytest.approx(15.0)
    # On a day without a close (2025-04-30 missing), the base steps back to the last close before it.
    gap = a.drop(pd.Timestamp("2025-04-30"))
    # a: 120 / 90 - 1 = 33.33%; b still 5%
    assert relative_return_months(gap, b, months=1) == pytest.approx(100 * (120 / 90 - 1) - 5.0)


def test_both_are_measured_to_the_earlier_last_close() -> None:
    a = on(["2025-01-31", "2025-02-28", "2025-03-03"], [100.0, 110.0, 999.0])
    b = on(["2025-01-31", "2025-02-28"], [100.0, 104.0])
    # End 2025-02-28 (b's last); base 2025-01-28 -> no close on or before it for either.
    with pytest.raises(InsufficientHistory, match="2025-01-28"):
        relative_return_months(a, b, months=1)
    b2 = on(["2025-01-27", "2025-01-31", "2025-02-28"], [100.0, 100.0, 104.0])
    a2 = on(["2025-01-27", "2025-01-31", "2025-02-28", "2025-03-03"], [50.0, 100.0, 110.0, 999.0])
    # a: 110 / 50 - 1 = 120%; b: 104 / 100 - 1 = 4%; a's 3 March close is after the common end.
    assert relative_return_months(a2, b2, months=1) == pytest.approx(116.0)


def test_basket_is_daily_rebalanced_like_the_grid() -> None:
    days = ["2025-03-31", "2025-04-30", "2025-05-30", "2025-06-30"]
    members = pd.DataFrame({"X": [10.0, 20.0, 10.0, 10.0], "Y": [10.0, 10.0, 20.0, 20.0]}, index=pd.DatetimeIndex(days))
    b = on(days, [100.0, 100.0, 110.0, 110.0])
    # Basket: +50% (X doubles), then +25% (X halves, Y doubles), then flat: 1.5 * 1.25 = 1.875 -> +87.5%.
    # Three months to 2025-06-30 reach back to 30 March: no close on or before it (the first is 31 March).
    with pytest.raises(InsufficientHistory):
        basket_relative_return_months(members, b, months=3)
    # Two months reach back to 30 April (index 150): 150 * 1.25 = 187.5 -> +25%; b: 110 / 100 - 1 = +10%; 15 pp.
    assert basket_relative_return_months(members, b, months=2) == pytest.approx(15.0)


def test_equal_to_the_grid_cells_where_trading_days_are_not() -> None:
    days = pd.bdate_range("2024-01-01", "2025-08-13")
    rng = np.random.default_rng(7)
    a = pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.02, len(days))), days)
    b = pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.01, len(days))), days)
    spec = PerformanceSpec(
        benchmark="B",
        rows=[
            PerformanceRowSpec(id="A", label="A", group="small caps"),
            PerformanceRowSpec(id="B", label="B", group="small caps"),
        ],
    )
    grid = performance_grid({"A": a, "B": b}, date(2025, 8, 13), spec)
    for horizon, months in (("1m", 1), ("3m", 3), ("12m", 12)):
        cell = grid.row("A").relative[horizon]
        assert cell is not None
        assert relative_return_months(a, b, months) == pytest.approx(cell, abs=1e-9)
    # The trading-day window starts elsewhere, so it prints another number for "three months".
    assert relative_return(a, b, 63) != pytest.approx(grid.row("A").relative["3m"], abs=0.05)
