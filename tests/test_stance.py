"""The stance: drivers counted once, stale and missing signals counted for nothing, insufficient evidence,
and reasons written for a reader. Flags are made by hand; every count below is worked out by hand."""

from __future__ import annotations

from datetime import date

from generator.model import FlagResult, FlagState
from generator.phrasing import amount, count_of, counted
from generator.spec import StanceSpec
from generator.stance import decide_stance, drivers

G, A, R, U = FlagState.GREEN, FlagState.AMBER, FlagState.RED, FlagState.UNKNOWN


def _flag(fid: str, kind: str, state: FlagState, driver: str = "", stale: date | None = None,
          reading: str = "") -> FlagResult:
    return FlagResult(id=fid, label=fid.replace("_", " ").capitalize(), kind=kind,  # type: ignore[arg-type]
                      state=state, value=1.0, indicator="i", threshold_text="", rationale="",
                      driver=driver or fid, stale_as_of=stale, reading=reading)


def flags(*items: FlagResult) -> dict[str, FlagResult]:
    return {f.id: f for f in items}


RULE = StanceSpec(fragile_if_red_at_least=2, supportive_if_green_support_at_least=2, supportive_max_red=0,
                  supportive_max_amber=1, min_evidence=0.6)


def test_fragile_names_the_red_flags_with_their_readings() -> None:
    stance = decide_stance(RULE, flags(
        _flag("inflation", "risk", R, reading="core CPI at 3.6%, red from 3.5%"),
        _flag("credit", "risk", R, reading="high-yield spread at 640 bp"),
        _flag("easing", "support", G),
    ))
    assert stance.label == "Fragile"
    assert stance.reasons[0] == "Fragile: two risk flags red, the rule's limit is 2."
    assert stance.reasons[1] == ("Two risk flags red: inflation (core CPI at 3.6%, red from 3.5%); "
                                 "credit (high-yield spread at 640 bp).")


def test_supportive_and_the_amber_limit() -> None:
    ok = flags(_flag("a", "risk", A), _flag("s1", "support", G), _flag("s2", "support", G))
    stance = decide_stance(RULE, ok)
    assert stance.label == "Supportive"
    assert stance.reasons[0] == "Supportive: two supportive signals green (the rule needs 2) with no risk flags red and 1 amber."
    too_many_amber = {**ok, "b": _flag("b", "risk", A)}
    mixed = decide_stance(RULE, too_many_amber)
    assert mixed.label == "Mixed"
    assert mixed.reasons[0] == "Mixed: 2 risk flags amber (Supportive allows 1)."
    assert decide_stance(RULE.model_copy(update={"supportive_max_amber": None}), too_many_amber).label == "Supportive"


def test_a_red_flag_holds_back_supportive_and_says_so() -> None:
    stance = decide_stance(RULE, flags(_flag("a", "risk", R), _flag("b", "risk", G), _flag("s1", "support", G),
                                       _flag("s2", "support", G)))
    assert stance.label == "Mixed"
    assert stance.reasons[0] == "Mixed: one risk flag red."


def test_signals_sharing_a_driver_count_once() -> None:
    # Momentum and cheapness both read the IWM/SPY ratio: two greens from one driver are one piece of evidence.
    f = flags(_flag("momentum", "support", G, driver="iwm_spy"), _flag("cheap", "support", G, driver="iwm_spy"),
              _flag("easing", "support", R), _flag("credit", "risk", G))
    assert [(d.name, d.kind, d.state) for d in drivers(f)] == [
        ("iwm_spy", "support", G), ("easing", "support", R), ("credit", "risk", G)]
    stance = decide_stance(RULE, f)
    assert stance.label == "Mixed"  # 1 green driver of the 2 needed, not 2 greens
    assert stance.reasons[0] == "Mixed: only 1 of 2 supportive signals green (Supportive needs 2)."
    # Without the shared driver the same states read Supportive.
    apart = flags(_flag("momentum", "support", G), _flag("cheap", "support", G), _flag("easing", "support", R),
                  _flag("credit", "risk", G))
    assert decide_stance(RULE, apart).label == "Supportive"


def test_a_driver_takes_its_most_raised_known_member() -> None:
    f = flags(_flag("m", "support", A, driver="d"), _flag("c", "support", U, driver="d"),
              _flag("r1", "risk", A, driver="x"), _flag("r2", "risk", R, driver="x"))
    states = {(d.name, d.kind): d.state for d in drivers(f)}
    assert states == {("d", "support"): A, ("x", "risk"): R}


def test_insufficient_evidence_names_what_is_missing() -> None:
    # 5 drivers, 2 known: 40% < 60%.
    stance = decide_stance(RULE, flags(
        _flag("a", "risk", R), _flag("b", "risk", U), _flag("c", "risk", U, stale=date(2025, 6, 13)),
        _flag("s", "support", G), _flag("t", "support", U),
    ))
    assert stance.label == "Insufficient evidence"
    assert stance.evidence == 0.4
    assert stance.missing == ("B (no data)", "C (stale since 13 Jun 2025)", "T (no data)")
    assert stance.reasons[0] == ("Insufficient evidence: only 2 of 5 signals could be read (40%); the rule needs 60% "
                                 "before it reads a stance. Missing: B (no data), C (stale since 13 Jun 2025) and "
                                 "T (no data).")


def test_stale_and_unknown_flags_never_count_as_green_or_red() -> None:
    # 4 of 5 known (80%): the stale red does not count, so one red is not "Fragile".
    stance = decide_stance(RULE, flags(
        _flag("a", "risk", R), _flag("b", "risk", U, stale=date(2025, 6, 13)), _flag("c", "risk", G),
        _flag("s", "support", G), _flag("t", "support", A),
    ))
    assert stance.label == "Mixed"
    assert stance.reasons[0] == ("Mixed: only 1 of 2 supportive signals green (Supportive needs 2) and one risk flag "
                                 "red; 4 of 5 signals could be read (80%).")
    assert stance.reasons[-1] == "Not read: B (stale since 13 Jun 2025)."


def test_default_counts_adapt_to_a_small_report() -> None:
    # One risk flag and no supportive signal: Fragile needs min(2, 1) = 1 red; Supportive cannot be reached.
    rule = StanceSpec()
    assert decide_stance(rule, flags(_flag("only", "risk", R))).label == "Fragile"
    assert decide_stance(rule, flags(_flag("only", "risk", G))).label == "Mixed"


def test_phrasing_helpers() -> None:
    assert counted(1, "risk flag") == "1 risk flag"
    assert counted(3, "risk flag") == "3 risk flags"
    assert counted(0, "risk flag", words=True) == "no risk flags"
    assert counted(2, "supportive signal", words=True) == "two supportive signals"
    assert count_of(1, 10, "risk flag", "red") == "1 of 10 risk flags is red"
    assert count_of(3, 10, "risk flag", "red") == "3 of 10 risk flags are red"
    assert count_of(0, 1, "risk flag", "red") == "the risk flag is not red"
    assert amount(1, "pp", 0, signed=True) == "+1 point"
    assert amount(-2.5, "pp", 1, signed=True) == "-2.5 points"
    assert amount(25, "bp", 0) == "25 bp"
    assert amount(3.24, "%", 1) == "3.2%"
    assert amount(4, "percentile", 0) == "4th percentile"
    assert amount(12.3, "x", 1) == "12.3 x"
