"""Flag states, compound conditions, unknown inputs, hysteresis, change labels and the stance rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_copies import replaced, report_copy

from generator.errors import SpecError
from generator.flags import change_label, evaluate_flag, flag_state, held_state
from generator.model import FlagState, IndicatorValue, PreviousFlag
from generator.pipeline import load_report
from generator.spec import FlagSpec

REPORT = Path(__file__).resolve().parents[1] / "reports" / "small_cap_rotation.toml"
G, A, R, U = FlagState.GREEN, FlagState.AMBER, FlagState.RED, FlagState.UNKNOWN


def risk(direction: str = "above", amber: float = 3.0, red: float = 3.5, **kw: object) -> FlagSpec:
    return FlagSpec(
        id="f",
        label="F",
        kind="risk",
        indicator="i",
        direction=direction,
        amber=amber,
        red=red,
        rationale="r",
        **kw,  # type: ignore[arg-type]
    )


def support(**kw: object) -> FlagSpec:
    base: dict[str, object] = dict(
        id="s", label="S", kind="support", indicator="i", direction="above", green=0.0, amber=-3.0, rationale="r"
    )
    return FlagSpec(**{**base, **kw})  # type: ignore[arg-type]


def ind(iid: str, value: float | None, stale: bool = False) -> IndicatorValue:
    return IndicatorValue(
        id=iid,
        label=iid.upper(),
        value=value,
        unit="u",
        decimals=1,
        inputs_as_of={},
        status="ok" if value is not None else "missing input",
        stale_inputs=("X",) if stale else (),
    )


@pytest.mark.parametrize(("value", "state"), [(2.9, G), (3.0, A), (3.49, A), (3.5, R), (9, R)])
def test_risk_above(value: float, state: FlagState) -> None:
    assert flag_state(risk(), value) is state


@pytest.mark.parametrize(("value", "state"), [(1.0, G), (-0.5, A), (-2.0, R)])
def test_risk_below(value: float, state: FlagState) -> None:
    assert flag_state(risk("below", amber=-0.5, red=-2.0), value) is state


def test_support_signal() -> None:
    sig = support()
    assert flag_state(sig, 0.5) is G
    assert flag_state(sig, 0.0) is G
    assert flag_state(sig, -1.0) is A
    assert flag_state(sig, -3.5) is R


def test_thresholds_out_of_order_rejected() -> None:
    with pytest.raises(ValueError, match="'red' must be beyond 'amber'"):
        risk(amber=4.0, red=3.0)
    with pytest.raises(ValueError, match=r"conditions\[0\]: with direction 'below', 'red' must be beyond 'amber'"):
        risk(conditions=[{"indicator": "j", "direction": "below", "amber": -2, "red": 1}])


# ---------------------------------------------------------------- compound conditions

ROTATION_FAILING = dict(  # ratio below its 200d average AND 3m relative return below a threshold
    direction="below",
    amber=0.0,
    red=-3.0,
    combine="all",
    conditions=[{"indicator": "rel3m", "direction": "below", "amber": -2.0, "red": -5.0}],
)


@pytest.mark.parametrize(
    ("vs200", "rel3m", "state"),
    [
        (-4.0, -6.0, R),  # both red
        (-4.0, -3.0, A),  # ratio red, 3m amber: the least raised wins
        (-4.0, 1.0, G),  # ratio below its average but small caps not lagging: not failing
        (2.0, -6.0, G),
        (-1.0, -2.0, A),
    ],
)
def test_all_takes_least_raised(vs200: float, rel3m: float, state: FlagState) -> None:
    assert flag_state(risk(**ROTATION_FAILING), [vs200, rel3m]) is state


def test_any_takes_most_raised() -> None:
    flag = risk(combine="any", conditions=[{"indicator": "j", "direction": "above", "amber": 10, "red": 20}])
    assert flag_state(flag, [2.0, 5.0]) is G
    assert flag_state(flag, [3.1, 5.0]) is A
    assert flag_state(flag, [2.0, 25.0]) is R
    sig = support(combine="any", conditions=[{"indicator": "j", "direction": "below", "green": 20, "amber": 35}])
    assert flag_state(sig, [-5.0, 50.0]) is R
    assert flag_state(sig, [-5.0, 30.0]) is A
    assert flag_state(sig, [-5.0, 10.0]) is G


def test_unknown_when_input_missing_or_stale_never_green() -> None:
    flag = risk(**ROTATION_FAILING)
    for rel in (ind("rel3m", None), ind("rel3m", 5.0, stale=True)):
        res = evaluate_flag(flag, {"i": ind("i", 5.0), "rel3m": rel})
        assert res.state is U
        assert "REL3M" in res.detail


def test_any_known_only_when_fully_raised() -> None:
    flag = risk(combine="any", conditions=[{"indicator": "j", "direction": "above", "amber": 10, "red": 20}])
    assert evaluate_flag(flag, {"i": ind("i", 4.0), "j": ind("j", None)}).state is R  # red whatever j is
    assert evaluate_flag(flag, {"i": ind("i", 3.2), "j": ind("j", None)}).state is U  # j could make it red
    assert evaluate_flag(flag, {"i": ind("i", 1.0), "j": ind("j", None)}).state is U  # never green for want of data


# ---------------------------------------------------------------- hysteresis


@pytest.mark.parametrize(
    ("previous", "value", "state"),
    [
        (R, 3.4, R),  # below red, but not by the 0.2 margin: stays red
        (R, 3.3, R),  # 3.3 + 0.2 = 3.5 reaches red exactly: held
        (R, 3.29, A),
        (R, 2.0, G),  # far below both thresholds: green at once
        (R, 2.85, A),  # 2.85 + 0.2 = 3.05 >= amber: held at amber, not red
        (A, 2.9, A),
        (A, 2.79, G),
        (G, 3.0, A),  # becoming more alarming needs no margin
        (A, 3.5, R),
        (None, 3.4, A),  # no previous briefing: plain thresholds
        (U, 3.4, A),
    ],
)
def test_risk_hysteresis(previous: FlagState | None, value: float, state: FlagState) -> None:
    assert held_state(risk(hysteresis=0.2), [value], previous) is state


def test_support_hysteresis_good_news_must_be_convincing() -> None:
    sig = support(hysteresis=0.5)
    assert held_state(sig, [0.3], A) is A  # 0.3 - 0.5 < 0: not green yet
    assert held_state(sig, [0.6], A) is G
    assert held_state(sig, [-0.1], G) is A  # losing support counts at once
    assert held_state(sig, [-2.8], R) is R  # -2.8 - 0.5 < -3: still red
    assert held_state(sig, [-2.4], R) is A


def test_hysteresis_on_compound_uses_each_margin() -> None:
    flag = risk(
        **{**ROTATION_FAILING, "conditions": [{**ROTATION_FAILING["conditions"][0], "hysteresis": 1.0}]},  # type: ignore[dict-item]
        hysteresis=0.5,
    )
    # raw: vs200 -2.8 (amber), rel3m -4.5 (amber) -> amber; shifted by margins: -3.3 (red), -5.5 (red) -> red
    assert held_state(flag, [-2.8, -4.5], R) is R
    assert held_state(flag, [-2.4, -4.5], R) is A  # -2.9 no longer red
    res = evaluate_flag(flag, {"i": ind("i", -2.8), "rel3m": ind("rel3m", -4.5)}, PreviousFlag(R, -3.6))
    assert res.state is R and res.detail == "held red by hysteresis (would be amber)"
    assert res.previous_value == -3.6 and res.change == "persisting"


# ---------------------------------------------------------------- new / persisting / cleared


@pytest.mark.parametrize(
    ("kind", "previous", "now", "label"),
    [
        ("risk", G, A, "new"),
        ("risk", A, R, "persisting"),
        ("risk", R, A, "persisting"),
        ("risk", R, G, "cleared"),
        ("risk", G, G, None),
        ("risk", R, U, None),  # unknown now: not "cleared" for want of data
        ("risk", None, R, None),  # no previous briefing
        ("support", A, G, "new"),
        ("support", G, G, "persisting"),
        ("support", G, A, "cleared"),
        ("support", R, A, None),
    ],
)
def test_change_labels(kind: str, previous: FlagState | None, now: FlagState, label: str | None) -> None:
    assert change_label(kind, now, previous) == label


def test_evaluate_flag_result_fields() -> None:
    flag = risk(hysteresis=0.2)
    res = evaluate_flag(flag, {"i": ind("i", 3.6)}, PreviousFlag(G, 2.5))
    assert (res.state, res.change, res.previous_state, res.previous_value, res.value) == (R, "new", G, 2.5, 3.6)
    assert res.threshold_text == "amber >= 3, red >= 3.5 (hysteresis 0.2)"


# ---------------------------------------------------------------- the definition drives the flags


def test_threshold_in_definition_changes_flag(tmp_path: Path) -> None:
    """Moving a threshold in the TOML changes the flag; no code involved."""
    loaded = load_report(REPORT)
    vix = {"vix": ind("vix", 25.0), "vix_pctile_1y": ind("vix_pctile_1y", 50.0)}
    flag = loaded.spec.flags["volatility_shock"]
    assert evaluate_flag(flag, vix).state is A  # amber = 22, red = 30
    old = 'indicator = "vix"\ndirection = "above"\namber = 22\nred = 30\n'
    path = report_copy(tmp_path, replaced(old, 'indicator = "vix"\ndirection = "above"\namber = 22\nred = 24\n'))
    assert evaluate_flag(load_report(path).spec.flags["volatility_shock"], vix).state is R
    path = report_copy(tmp_path, replaced(old, 'indicator = "vix"\ndirection = "above"\namber = 26\nred = 30\n'))
    assert evaluate_flag(load_report(path).spec.flags["volatility_shock"], vix).state is G


def test_definition_errors_name_the_condition(tmp_path: Path) -> None:
    old = '[[flags.rotation_failing.conditions]]\nindicator = "iwm_spy_rel_3m"'
    path = report_copy(tmp_path, replaced(old, '[[flags.rotation_failing.conditions]]\nindicator = "iwm_spy_rel_3mm"'))
    with pytest.raises(SpecError) as err:
        load_report(path)
    assert (
        f"{path}: flags.rotation_failing.conditions[0].indicator: unknown indicator 'iwm_spy_rel_3mm' "
        "(did you mean 'iwm_spy_rel_3m'?)"
    ) in str(err.value)
    path = report_copy(tmp_path, replaced("hysteresis = 0.2\n", "hysteresis = -0.2\n"))
    with pytest.raises(SpecError, match=r"flags\.inflation_resurgence\.hysteresis: .*greater than or equal to 0"):
        load_report(path)
