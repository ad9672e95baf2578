"""What would change the view: distances to thresholds, computed by hand, and checked against flags.py itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.flag_distance import (
    ConditionDistance,
    condition_moves,
    describe_condition,
    describe_flag,
    distance_unit,
    flag_distances,
)
from generator.flags import held_state
from generator.model import FlagState, IndicatorValue
from generator.spec import FlagCondition, FlagSpec, load_spec

REPORT = Path(__file__).resolve().parents[1] / "reports" / "small_cap_rotation.toml"

INFLATION = FlagSpec(
    id="inflation_resurgence", label="Inflation resurgence", kind="risk", indicator="core_cpi_yoy", direction="above",
    amber=3.0, red=3.5, hysteresis=0.2, combine="any", rationale="r",
    conditions=[FlagCondition(indicator="core_cpi_3m_ann", direction="above", amber=3.5, red=4.5, hysteresis=0.3)],
)  # fmt: skip
REPRICING = FlagSpec(
    id="cut_repricing", label="Cut repricing", kind="risk", indicator="chg", direction="below", amber=-25, red=-50,
    hysteresis=10, rationale="r",
)  # fmt: skip
EASING = FlagSpec(
    id="fed_easing", label="Fed easing", kind="support", indicator="cut", direction="below", green=-50, amber=-25,
    hysteresis=10, rationale="r",
)  # fmt: skip
CHEAP = FlagSpec(
    id="cheap", label="Cheap", kind="support", indicator="pct", direction="below", green=20, amber=35, hysteresis=3,
    rationale="r",
)  # fmt: skip
MOMENTUM = FlagSpec(
    id="momentum", label="Momentum", kind="support", indicator="gap", direction="above", green=0.0, amber=-3.0,
    hysteresis=0.5, rationale="r",
)  # fmt: skip
NO_MARGIN = INFLATION.model_copy(update={"hysteresis": 0.0, "conditions": []})


def ind(iid: str, value: float | None, unit: str = "%", decimals: int = 1, label: str | None = None) -> IndicatorValue:
    status = "ok" if value is not None else "insufficient history"
    return IndicatorValue(iid, label or iid, value, unit, decimals, {}, status=status)  # type: ignore[arg-type]


def one(
    flag: FlagSpec, value: float, unit: str = "%", decimals: int = 1, previous: FlagState | None = None
) -> ConditionDistance:
    label = {"core_cpi_yoy": "Core CPI y/y"}.get(flag.indicator, flag.indicator)
    fd = flag_distances(flag, {flag.indicator: ind(flag.indicator, value, unit, decimals, label)}, previous)
    return fd.conditions[0]


# ---------------------------------------------------------------- risk flags


def test_risk_above_green_state() -> None:
    cd = one(INFLATION, 2.91, decimals=2)
    assert cd.state is FlagState.GREEN
    (m,) = cd.moves
    assert (m.threshold, m.trigger, m.travel, m.becomes, m.inclusive) == ("amber", 3.0, "rise", FlagState.AMBER, True)
    assert m.distance == pytest.approx(0.09)
    assert describe_condition(cd) == "Core CPI y/y at 2.91%: 0.09 points below amber (3.00%)"
    # at the indicator's 1 decimal 0.09 prints as 0.1; 0.04 would print as 0.0, so both get a second decimal
    assert describe_condition(one(INFLATION, 2.91)) == "Core CPI y/y at 2.9%: 0.1 points below amber (3.0%)"
    assert describe_condition(one(INFLATION, 2.96)) == "Core CPI y/y at 2.96%: 0.04 points below amber (3.00%)"


def test_risk_above_amber_state_both_ways() -> None:
    cd = one(INFLATION, 3.2)
    assert cd.state is FlagState.AMBER
    up, down = cd.moves
    assert (up.threshold, up.trigger, up.becomes, up.calming) == ("red", 3.5, FlagState.RED, False)
    assert up.distance == pytest.approx(0.3)
    # calming needs the value back below amber by the hysteresis: 3.0 - 0.2 = 2.8, i.e. 0.4 lower
    assert (down.threshold, down.travel, down.inclusive, down.becomes, down.calming) == (
        "amber", "fall", False, FlagState.GREEN, True,
    )  # fmt: skip
    assert (down.trigger, down.distance) == (pytest.approx(2.8), pytest.approx(0.4))
    assert describe_condition(cd) == (
        "Core CPI y/y at 3.2%: 0.3 points below red (3.5%); "
        "green below 2.8% (0.4 points lower; amber 3.0% less the 0.2 hysteresis)"
    )
    red = one(INFLATION, 3.7)
    assert red.state is FlagState.RED
    (m,) = red.moves  # red is the top: only a fall below 3.5 - 0.2 = 3.3 changes it
    assert (m.becomes, m.trigger, m.distance) == (FlagState.AMBER, pytest.approx(3.3), pytest.approx(0.4))


def test_risk_below_in_basis_points() -> None:
    green = one(REPRICING, -10, "bp", 0)
    (m,) = green.moves
    assert (m.trigger, m.distance, m.travel) == (-25, 15, "fall")
    assert describe_condition(green) == "chg at -10 bp: 15 bp above amber (-25 bp)"
    amber = one(REPRICING, -30, "bp", 0)
    up, down = amber.moves
    assert (up.trigger, up.distance, up.becomes) == (-50, 20, FlagState.RED)
    # back to green only above -25 + 10 = -15
    assert (down.trigger, down.distance, down.travel, down.becomes) == (-15, 15, "rise", FlagState.GREEN)
    assert describe_condition(amber) == (
        "chg at -30 bp: 20 bp above red (-50 bp); green above -15 bp (15 bp higher; amber -25 bp plus the 10 hysteresis)"
    )


def test_value_exactly_on_a_threshold() -> None:
    # amber at 3.0 or more: 3.0 is amber; with no hysteresis any fall turns it green
    cd = one(NO_MARGIN, 3.0)
    assert cd.state is FlagState.AMBER
    assert [(m.trigger, m.distance) for m in cd.moves] == [(3.5, 0.5), (3.0, 0.0)]
    assert describe_condition(cd) == "Core CPI y/y at 3.0%: 0.5 points below red (3.5%); green below 3.0% (any fall)"
    # with a margin, 0.2 lower
    assert one(INFLATION, 3.0).moves[1].distance == pytest.approx(0.2)
    on_red = one(NO_MARGIN, 3.5)
    assert on_red.state is FlagState.RED and [(m.becomes, m.distance) for m in on_red.moves] == [(FlagState.AMBER, 0.0)]
    # a support signal green at -50 or below: -50 is green, and any rise turns it amber
    on_green = one(EASING, -50, "bp", 0)
    assert on_green.state is FlagState.GREEN
    assert describe_condition(on_green) == "cut at -50 bp: amber above -50 bp (any rise)"


def test_hysteresis_holds_the_previous_state() -> None:
    # 2.9 is below amber (3.0) but within its 0.2 margin: after an amber briefing it stays amber
    held = one(INFLATION, 2.9, previous=FlagState.AMBER)
    assert held.state is FlagState.AMBER
    assert [(m.becomes, round(m.distance, 9)) for m in held.moves] == [(FlagState.RED, 0.6), (FlagState.GREEN, 0.1)]
    fresh = one(INFLATION, 2.9)
    assert fresh.state is FlagState.GREEN
    assert [(m.becomes, round(m.distance, 9)) for m in fresh.moves] == [(FlagState.AMBER, 0.1)]


# ---------------------------------------------------------------- supportive signals


def test_support_below() -> None:
    green = one(EASING, -100, "bp", 0)
    (m,) = green.moves  # green is the best state: only support fading changes it, as soon as it is above -50
    assert (m.becomes, m.trigger, m.distance, m.inclusive, m.calming) == (FlagState.AMBER, -50, 50, False, False)
    assert describe_condition(green) == "cut at -100 bp: amber above -50 bp (50 bp higher)"
    amber = one(CHEAP, 28, "percentile", 0)
    up, down = amber.moves
    # green needs 20 less the 3 margin (17): 11 lower; red as soon as above 35: 7 higher
    assert (up.becomes, up.trigger, up.distance, up.calming) == (FlagState.GREEN, 17, 11, True)
    assert (down.becomes, down.trigger, down.distance, down.calming) == (FlagState.RED, 35, 7, False)
    assert describe_condition(amber) == (
        "pct at percentile 28: red above percentile 35 (7 percentile points higher); "
        "11 percentile points above green (at percentile 17: green percentile 20 less the 3 hysteresis)"
    )


def test_support_above() -> None:
    amber = one(MOMENTUM, -1.0)
    up, down = amber.moves
    # green at 0 plus the 0.5 margin: 1.5 higher; red below -3: 2 lower
    assert (up.becomes, up.trigger, up.distance, up.travel) == (FlagState.GREEN, 0.5, 1.5, "rise")
    assert (down.becomes, down.trigger, down.distance, down.travel) == (FlagState.RED, -3.0, 2.0, "fall")
    assert describe_condition(amber) == (
        "gap at -1.0%: red below -3.0% (2.0 points lower); 1.5 points below green (at 0.5%: green 0.0% plus the 0.5 "
        "hysteresis)"
    )
    red = one(MOMENTUM, -4.0)
    assert red.state is FlagState.RED and [(m.becomes, m.trigger) for m in red.moves] == [(FlagState.AMBER, -2.5)]


# ---------------------------------------------------------------- compound flags, missing data


def test_compound_flag_one_line_per_condition() -> None:
    values = {
        "core_cpi_yoy": ind("core_cpi_yoy", 2.91, decimals=2, label="Core CPI y/y"),
        "core_cpi_3m_ann": ind("core_cpi_3m_ann", 3.8, label="Core CPI, 3 months annualised"),
    }
    fd = flag_distances(INFLATION, values)
    assert [c.indicator for c in fd.conditions] == ["core_cpi_yoy", "core_cpi_3m_ann"]
    assert (fd.kind, fd.combine) == ("risk", "any")
    assert describe_flag(fd) == (
        "Core CPI y/y at 2.91%: 0.09 points below amber (3.00%)",
        "Core CPI, 3 months annualised at 3.8%: 0.7 points below red (4.5%); "
        "green below 3.2% (0.6 points lower; amber 3.5% less the 0.3 hysteresis)",
    )
    assert fd.conditions[1].nearest is not None and fd.conditions[1].nearest.becomes is FlagState.GREEN


def test_missing_or_stale_values() -> None:
    values = {
        "core_cpi_yoy": ind("core_cpi_yoy", 2.5, label="Core CPI y/y"),
        "core_cpi_3m_ann": ind("core_cpi_3m_ann", None),
    }
    fd = flag_distances(INFLATION, values)
    second = fd.conditions[1]
    assert (second.state, second.moves, second.reason) == (FlagState.UNKNOWN, (), "insufficient history")
    assert describe_flag(fd)[1] == "core_cpi_3m_ann: no reading (insufficient history)"
    stale = IndicatorValue("core_cpi_yoy", "Core CPI y/y", 2.5, "%", 1, {}, stale_inputs=("CPILFESL",))
    assert describe_condition(flag_distances(INFLATION, {"core_cpi_yoy": stale}).conditions[0]) == (
        "Core CPI y/y: no reading (stale input CPILFESL)"
    )


def test_distance_units() -> None:
    assert [distance_unit(u) for u in ["%", "pp", "bp", "percentile", "index points", "index", "x", "days"]] == [
        "points", "points", "bp", "percentile points", "points", "points", "x", "days",
    ]  # fmt: skip
    vix = FlagSpec(
        id="vol", label="Vol", kind="risk", indicator="vix", direction="above", amber=22, red=30, rationale="r"
    )
    assert describe_condition(one(vix, 14.5, "index points")) == "vix at 14.5: 7.5 points below amber (22.0)"
    nfci = vix.model_copy(update={"indicator": "nfci", "amber": 0.0, "red": 0.5})
    assert describe_condition(one(nfci, -0.53, "index", 2)) == "nfci at -0.53: 0.53 points below amber (0.00)"
    pe = vix.model_copy(update={"indicator": "pe", "amber": 20.0, "red": 25.0})
    assert describe_condition(one(pe, 18.0, "x")) == "pe at 18.0 x: 2.0 x below amber (20.0 x)"


# ---------------------------------------------------------------- agreement with flags.py


def _state(flag: FlagSpec, cond: FlagCondition, value: float, previous: FlagState | None) -> FlagState:
    """The state of one condition as flags.py computes it: the condition made a flag of its own."""
    single = flag.model_copy(
        update={"indicator": cond.indicator, "direction": cond.direction, "amber": cond.amber, "red": cond.red,
                "green": cond.green, "hysteresis": cond.hysteresis, "conditions": []}
    )  # fmt: skip
    return held_state(single, [value], previous)


def test_every_trigger_of_the_report_changes_the_state_exactly_there() -> None:
    """For each condition of the real report, at many values: the state flips at the trigger and not before."""
    spec = load_spec(REPORT).spec
    eps = 1e-6
    checked = 0
    for flag in spec.flags.values():
        for cond in flag.checks:
            top = cond.red if flag.kind == "risk" else cond.green
            assert top is not None
            span = abs(top - cond.amber) + cond.hysteresis + 1.0
            lo, hi = min(top, cond.amber) - span, max(top, cond.amber) + span
            for i in range(41):
                value = lo + (hi - lo) * i / 40
                for previous in (None, FlagState.GREEN, FlagState.AMBER, FlagState.RED):
                    state = _state(flag, cond, value, previous)
                    for m in condition_moves(flag.kind, cond, value, state):
                        step = 1.0 if m.travel == "rise" else -1.0
                        at = m.trigger if m.inclusive else m.trigger + step * eps
                        before = m.trigger - step * eps if m.inclusive else m.trigger
                        assert _state(flag, cond, at, state) is m.becomes, (flag.id, cond.indicator, value, m)
                        if abs(before - value) > eps and (before - value) * step > 0:
                            assert _state(flag, cond, before, state) is state, (flag.id, cond.indicator, value, m)
                        checked += 1
    assert checked > 1000
