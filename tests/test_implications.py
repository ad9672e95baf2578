"""Implications that read the data they are about: sector leadership from the performance grid, and nothing
decided on a stale number. Prices are made by hand; each rank and verdict below is worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from generator.indicators.performance import performance_grid
from generator.model import FlagResult, FlagState, IndicatorValue
from generator.narrative import evaluate_implication, leadership_text
from generator.spec_narrative import ConditionSpec, ImplicationSpec
from generator.spec_performance import PerformanceSpec

AS_OF = date(2026, 6, 30)
DAYS = pd.bdate_range("2025-01-01", "2026-06-30")


def _path(total_3m: float) -> pd.Series:
    """100 flat until 3 months before AS_OF, then a straight climb to 100 * (1 + total_3m)."""
    values = np.full(len(DAYS), 100.0)
    start = DAYS.searchsorted(pd.Timestamp("2026-03-30"))
    values[start:] = np.linspace(100.0, 100.0 * (1 + total_3m), len(DAYS) - start)
    return pd.Series(values, index=DAYS)


SPEC = PerformanceSpec.model_validate({
    "benchmark": "SPY",
    "rows": [
        {"id": "SPY", "label": "S&P 500", "group": "large caps"},
        {"id": "IND", "label": "Industrials", "group": "small-cap sectors"},
        {"id": "NRG", "label": "Energy", "group": "small-cap sectors"},
        {"id": "UTL", "label": "Utilities", "group": "small-cap sectors"},
        {"id": "HLT", "label": "Health care", "group": "small-cap sectors"},
    ],
})
RULE = ImplicationSpec(
    id="rate_sensitive", tilt="Rotate into industrials and energy", article="...", match="all",
    when=[ConditionSpec(rows=["IND", "NRG"], horizon="3m", momentum="1m", top=2,
                        says="industrials or energy lead the small-cap sectors")],
)


def _grid(returns: dict[str, float]):  # type: ignore[no-untyped-def]
    prices = {sid: _path(r) for sid, r in returns.items()}
    return performance_grid(prices, AS_OF, SPEC)


def test_the_sector_implication_follows_sector_leadership_and_flips_with_it() -> None:
    # SPY +5%; industrials +15% (1st), utilities +10% (2nd), health care +0%, energy -5%: favoured.
    leading = _grid({"SPY": 0.05, "IND": 0.15, "NRG": -0.05, "UTL": 0.10, "HLT": 0.0})
    result = evaluate_implication(RULE, {}, {}, leading)
    assert result.verdict == "favoured"
    assert result.conditions[0].today.startswith("Industrials 1 of 4 (+10.0 pp")
    assert result.leadership == (
        "Leading small-cap sectors over three months (vs SPY): Industrials +10.0 pp, Utilities +5.0 pp; "
        "lagging: Energy -10.0 pp, Health care -5.0 pp",
    )
    # Leadership flips: industrials fall to third, energy stays last: not favoured.
    lagging = _grid({"SPY": 0.05, "IND": 0.02, "NRG": -0.05, "UTL": 0.10, "HLT": 0.08})
    flipped = evaluate_implication(RULE, {}, {}, lagging)
    assert flipped.verdict == "not favoured"
    assert flipped.conditions[0].today.startswith("Industrials 3 of 4 (-3.0 pp")


def test_leadership_needs_momentum_as_well_as_rank() -> None:
    # Industrials rank first over three months but the last month went against them: the condition fails.
    prices = {sid: _path(r) for sid, r in {"SPY": 0.05, "IND": 0.15, "NRG": -0.05, "UTL": 0.10, "HLT": 0.0}.items()}
    prices["IND"] = prices["IND"].copy()
    prices["IND"].loc["2026-06-01":] = prices["IND"].loc["2026-06-01"] * 0.97  # down 3% over the last month
    grid = performance_grid(prices, AS_OF, SPEC)
    result = evaluate_implication(RULE, {}, {}, grid)
    assert grid.row("IND").relative["1m"] is not None and grid.row("IND").relative["1m"] < 0
    assert result.verdict == "not favoured"
    assert leadership_text(grid, "IND", "3m").startswith("Leading small-cap sectors over three months (vs SPY): ")


def _indicator(value: float, stale: bool) -> IndicatorValue:
    return IndicatorValue(id="spread", label="Spread", value=value, unit="pp", decimals=1,
                          inputs_as_of={"X": "2025-06-13"}, stale_inputs=("X",) if stale else ())


def test_a_stale_number_decides_no_implication() -> None:
    rule = ImplicationSpec(id="x", tilt="T", article="a", match="all",
                           when=[ConditionSpec(indicator="spread", above=0.0, says="the spread is positive")])
    fresh = evaluate_implication(rule, {"spread": _indicator(4.2, stale=False)}, {})
    assert fresh.verdict == "favoured"
    stale = evaluate_implication(rule, {"spread": _indicator(4.2, stale=True)}, {})
    assert stale.verdict == "undecided"
    assert stale.conditions[0].today == "4.2 pp as of 2025-06-13 (stale)"


def test_a_stale_flag_decides_no_implication() -> None:
    flag = FlagResult(id="f", label="Credit stress", kind="risk", state=FlagState.UNKNOWN, value=None,
                      indicator="i", threshold_text="", rationale="", stale_as_of=date(2025, 6, 13))
    rule = ImplicationSpec(id="x", tilt="T", article="a", match="any",
                           when=[ConditionSpec(flag="f", states=["green"], says="credit is calm")])
    result = evaluate_implication(rule, {}, {"f": flag})
    assert result.verdict == "undecided"
    assert result.conditions[0].today == "Credit stress: stale since 2025-06-13"
