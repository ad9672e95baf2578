"""Risk flags, supportive signals and the overall stance, all evaluated here and only here.

A flag reads one indicator and compares it with the thresholds of the
definition. A flag whose indicator is missing, or computed from stale data, is
``unknown`` (grey): never green for want of data.
"""

from __future__ import annotations

from generator.model import FlagResult, FlagState, IndicatorValue, Stance
from generator.spec import FlagSpec, ReportSpec, StanceSpec


def _beyond(value: float, threshold: float, direction: str) -> bool:
    return value >= threshold if direction == "above" else value <= threshold


def threshold_text(flag: FlagSpec) -> str:
    """The thresholds in words, as the scorecard prints them."""
    sign = ">=" if flag.direction == "above" else "<="
    if flag.kind == "risk":
        return f"amber {sign} {flag.amber:g}, red {sign} {flag.red:g}"
    return f"green {sign} {flag.green:g}, amber {sign} {flag.amber:g}"


def flag_state(flag: FlagSpec, value: float) -> FlagState:
    """Traffic light for ``value``.

    Risk flag: red beyond ``red``, amber beyond ``amber``, else green.
    Support signal: green beyond ``green``, amber beyond ``amber``, else red.
    """
    if flag.kind == "risk":
        assert flag.red is not None  # guaranteed by FlagSpec validation
        if _beyond(value, flag.red, flag.direction):
            return FlagState.RED
        return FlagState.AMBER if _beyond(value, flag.amber, flag.direction) else FlagState.GREEN
    assert flag.green is not None
    if _beyond(value, flag.green, flag.direction):
        return FlagState.GREEN
    return FlagState.AMBER if _beyond(value, flag.amber, flag.direction) else FlagState.RED


def evaluate_flags(
    spec: ReportSpec,
    indicators: dict[str, IndicatorValue],
    previous: dict[str, FlagState] | None = None,
) -> dict[str, FlagResult]:
    """Evaluate every flag of the definition against the computed indicators."""
    out: dict[str, FlagResult] = {}
    for flag in spec.flags.values():
        ind = indicators[flag.indicator]
        state = FlagState.UNKNOWN if ind.value is None or ind.stale_inputs else flag_state(flag, ind.value)
        out[flag.id] = FlagResult(
            id=flag.id,
            label=flag.label,
            kind=flag.kind,
            state=state,
            value=ind.value,
            indicator=flag.indicator,
            threshold_text=threshold_text(flag),
            rationale=flag.rationale,
            previous_state=(previous or {}).get(flag.id),
        )
    return out


def decide_stance(rule: StanceSpec, flags: dict[str, FlagResult]) -> Stance:
    """Supportive / Mixed / Fragile from counts of red risk flags and green support signals.

    Fragile if red risk flags >= ``fragile_if_red_at_least``; Supportive if green
    support signals >= ``supportive_if_green_support_at_least`` and red risk flags
    <= ``supportive_max_red``; Mixed otherwise.
    """
    reds = [f for f in flags.values() if f.kind == "risk" and f.state is FlagState.RED]
    greens = [f for f in flags.values() if f.kind == "support" and f.state is FlagState.GREEN]
    unknown = [f for f in flags.values() if f.state is FlagState.UNKNOWN]
    reasons = [
        f"{len(reds)} risk flag(s) red" + (": " + ", ".join(f.label for f in reds) if reds else ""),
        f"{len(greens)} supportive signal(s) green" + (": " + ", ".join(f.label for f in greens) if greens else ""),
    ]
    if unknown:
        reasons.append(f"{len(unknown)} flag(s) unknown for lack of data: " + ", ".join(f.label for f in unknown))
    if len(reds) >= rule.fragile_if_red_at_least:
        return Stance("Fragile", tuple(reasons))
    if len(greens) >= rule.supportive_if_green_support_at_least and len(reds) <= rule.supportive_max_red:
        return Stance("Supportive", tuple(reasons))
    return Stance("Mixed", tuple(reasons))
