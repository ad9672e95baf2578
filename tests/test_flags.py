"""Flag states, unknown for missing or stale input, and the stance rule."""

from __future__ import annotations

import pytest

from generator.flags import decide_stance, flag_state
from generator.model import FlagResult, FlagState
from generator.spec import FlagSpec, StanceSpec


def risk(direction: str = "above", amber: float = 3.0, red: float = 3.5) -> FlagSpec:
    return FlagSpec(
        id="f", label="F", kind="risk", indicator="i", direction=direction, amber=amber, red=red, rationale="r"
    )


@pytest.mark.parametrize(
    ("value", "state"), [(2.9, "green"), (3.0, "amber"), (3.49, "amber"), (3.5, "red"), (9, "red")]
)
def test_risk_above(value: float, state: str) -> None:
    assert flag_state(risk(), value).value == state


@pytest.mark.parametrize(("value", "state"), [(1.0, "green"), (-0.5, "amber"), (-2.0, "red")])
def test_risk_below(value: float, state: str) -> None:
    assert flag_state(risk("below", amber=-0.5, red=-2.0), value).value == state


def test_support_signal() -> None:
    sig = FlagSpec(
        id="s", label="S", kind="support", indicator="i", direction="above", green=0.0, amber=-3.0, rationale="r"
    )
    assert flag_state(sig, 0.5) is FlagState.GREEN
    assert flag_state(sig, -1.0) is FlagState.AMBER
    assert flag_state(sig, -3.5) is FlagState.RED


def test_thresholds_out_of_order_rejected() -> None:
    with pytest.raises(ValueError, match="'red' must be beyond 'amber'"):
        risk(amber=4.0, red=3.0)


def _flag(kind: str, state: FlagState) -> FlagResult:
    return FlagResult(
        id=f"{kind}{state.value}",
        label=f"{kind} {state.value}",
        kind=kind,
        state=state,  # type: ignore[arg-type]
        value=1.0,
        indicator="i",
        threshold_text="",
        rationale="",
    )


def test_stance_rule() -> None:
    rule = StanceSpec(fragile_if_red_at_least=2, supportive_if_green_support_at_least=1, supportive_max_red=0)
    two_red = {"a": _flag("risk", FlagState.RED), "b": _flag("risk", FlagState.RED)}
    two_red["b"] = FlagResult(**{**two_red["b"].__dict__, "id": "b"})
    assert decide_stance(rule, two_red).label == "Fragile"
    supportive = {"a": _flag("risk", FlagState.GREEN), "s": _flag("support", FlagState.GREEN)}
    assert decide_stance(rule, supportive).label == "Supportive"
    mixed = {"a": _flag("risk", FlagState.RED), "s": _flag("support", FlagState.GREEN)}
    stance = decide_stance(rule, mixed)
    assert stance.label == "Mixed"
    assert stance.reasons[0] == "1 risk flag(s) red: risk red"
    unknown = {"a": _flag("risk", FlagState.UNKNOWN), "s": _flag("support", FlagState.UNKNOWN)}
    assert decide_stance(rule, unknown).label == "Mixed"  # grey never counts as supportive
