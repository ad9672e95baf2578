"""Risk flags, supportive signals and the overall stance, all evaluated here and only here.

A flag tests one or more indicators against the thresholds of the definition.
Its state is green, amber or red, or ``unknown`` (grey) when an input it needs
is missing or computed from stale data: never green for want of data.

Severity orders the states for both kinds: red is the most alarming. For a
risk flag red means the risk is live; for a supportive signal red means the
support is absent and green that it is present.

**Combining conditions.** ``combine = "all"``: every condition must hold, so
the flag takes the *least* raised of its conditions' states; ``"any"``: one is
enough, so it takes the *most* raised. A flag is *raised* when a risk flag is
amber or red, or a supportive signal green. With an input unknown, "all" is
unknown, and "any" is known only when a known condition is already fully
raised (red risk, green signal), since the unknown one cannot change that.

**Hysteresis.** A flag becomes more alarming as soon as a value crosses a
threshold; it becomes less alarming only once the value is back past the
threshold by the condition's ``hysteresis`` margin. Given the previous
briefing's state ``p``: ``state = max(raw, min(p, held))`` by severity, where
``held`` is the state computed with each value moved by its margin towards the
alarming side. So a value hovering around a threshold does not make the flag
flicker from week to week, and good news has to be convincing to count.

**Change labels.** Against the previous briefing (when there is one): raised
now but not then is ``new``, raised then and now ``persisting``, raised then
and not now (and known) ``cleared``.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.model import FlagChange, FlagResult, FlagState, IndicatorValue, PreviousFlag, Stance
from generator.spec import FlagCondition, FlagSpec, ReportSpec, StanceSpec

SEVERITY = {FlagState.GREEN: 0, FlagState.AMBER: 1, FlagState.RED: 2}
_BY_SEVERITY = {v: k for k, v in SEVERITY.items()}


def _beyond(value: float, threshold: float, direction: str) -> bool:
    return value >= threshold if direction == "above" else value <= threshold


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def condition_text(kind: str, cond: FlagCondition, label: str | None = None) -> str:
    """One condition's thresholds in words, e.g. ``amber >= 3, red >= 3.5``."""
    sign = ">=" if cond.direction == "above" else "<="
    if kind == "risk":
        text = f"amber {sign} {_fmt(cond.amber)}, red {sign} {_fmt(cond.red)}"
    else:
        text = f"green {sign} {_fmt(cond.green)}, amber {sign} {_fmt(cond.amber)}"
    if cond.hysteresis:
        text += f" (hysteresis {cond.hysteresis:g})"
    return f"{label}: {text}" if label else text


def threshold_text(flag: FlagSpec, labels: dict[str, str] | None = None) -> str:
    """The thresholds in words, as the scorecard prints them; compound flags name each indicator."""
    checks = flag.checks
    if len(checks) == 1:
        return condition_text(flag.kind, checks[0])
    names = labels or {}
    joiner = " AND " if flag.combine == "all" else " OR "
    return joiner.join(condition_text(flag.kind, c, names.get(c.indicator, c.indicator)) for c in checks)


def _activation(kind: str, cond: FlagCondition, value: float) -> int:
    """0, 1 or 2: how far the condition is raised (risk: green/amber/red; signal: red/amber/green)."""
    top = cond.red if kind == "risk" else cond.green
    assert top is not None  # guaranteed by FlagSpec validation
    if _beyond(value, top, cond.direction):
        return 2
    return 1 if _beyond(value, cond.amber, cond.direction) else 0


def _state_of(kind: str, activation: int) -> FlagState:
    return _BY_SEVERITY[activation if kind == "risk" else 2 - activation]


def _toward_alarm(kind: str, cond: FlagCondition) -> float:
    """+1 when larger values are more alarming for this condition, -1 otherwise."""
    larger_raises = cond.direction == "above"
    return 1.0 if larger_raises == (kind == "risk") else -1.0


def flag_state(flag: FlagSpec, value: float | Sequence[float]) -> FlagState:
    """Traffic light for the value(s) of the flag's conditions, without hysteresis.

    Risk flag: red beyond ``red``, amber beyond ``amber``, else green.
    Support signal: green beyond ``green``, amber beyond ``amber``, else red.
    ``value`` is one number per condition (a bare number for a one-condition flag).
    """
    values = [value] if isinstance(value, int | float) else list(value)
    acts = [_activation(flag.kind, c, v) for c, v in zip(flag.checks, values, strict=True)]
    return _state_of(flag.kind, max(acts) if flag.combine == "any" else min(acts))


def held_state(flag: FlagSpec, values: Sequence[float], previous: FlagState | None) -> FlagState:
    """The state with hysteresis: calmer than ``previous`` only when past the thresholds by the margins."""
    raw = flag_state(flag, values)
    if previous is None or previous is FlagState.UNKNOWN or SEVERITY[raw] >= SEVERITY[previous]:
        return raw
    shifted = [v + _toward_alarm(flag.kind, c) * c.hysteresis for c, v in zip(flag.checks, values, strict=True)]
    held = flag_state(flag, shifted)
    return _BY_SEVERITY[max(SEVERITY[raw], min(SEVERITY[previous], SEVERITY[held]))]


def is_raised(kind: str, state: FlagState) -> bool:
    """A risk flag amber or red, or a supportive signal green."""
    if kind == "risk":
        return state in (FlagState.AMBER, FlagState.RED)
    return state is FlagState.GREEN


def change_label(kind: str, state: FlagState, previous: FlagState | None) -> FlagChange | None:
    """new / persisting / cleared against the previous briefing's state; ``None`` when neither raised."""
    if previous is None or previous is FlagState.UNKNOWN:
        return None  # nothing known to compare with
    was, now = is_raised(kind, previous), is_raised(kind, state)
    if was and now:
        return "persisting"
    if now:
        return "new"
    if was and state is not FlagState.UNKNOWN:
        return "cleared"
    return None


def _unknown_reason(ind: IndicatorValue | None, indicator_id: str) -> str | None:
    if ind is None:
        return f"{indicator_id}: not computed"
    if ind.value is None:
        return f"{ind.label}: {ind.formatted()}"
    if ind.stale_inputs:
        return f"{ind.label}: stale input {', '.join(ind.stale_inputs)}"
    return None


def evaluate_flag(
    flag: FlagSpec,
    indicators: dict[str, IndicatorValue],
    previous: PreviousFlag | None = None,
    labels: dict[str, str] | None = None,
) -> FlagResult:
    """One flag's state (with hysteresis against ``previous``), change label and explanation."""
    checks = flag.checks
    reasons = {c.indicator: _unknown_reason(indicators.get(c.indicator), c.indicator) for c in checks}
    known = [(c, indicators[c.indicator].value) for c in checks if reasons[c.indicator] is None]
    prev_state = previous.state if previous else None
    details: list[str] = [r for r in reasons.values() if r]
    if len(known) == len(checks):
        values = [float(v) for _, v in known if v is not None]
        raw = flag_state(flag, values)
        state = held_state(flag, values, prev_state)
        if state is not raw:
            details.append(f"held {state.value} by hysteresis (would be {raw.value})")
    else:
        state = FlagState.UNKNOWN
        if flag.combine == "any" and known:
            acts = [_activation(flag.kind, c, float(v)) for c, v in known if v is not None]
            if max(acts) == 2:  # fully raised by a known condition: the unknown one cannot change it
                state = _state_of(flag.kind, 2)
    primary = indicators.get(flag.indicator)
    return FlagResult(
        id=flag.id,
        label=flag.label,
        kind=flag.kind,
        state=state,
        value=primary.value if primary else None,
        indicator=flag.indicator,
        threshold_text=threshold_text(flag, labels),
        rationale=flag.rationale,
        previous_state=prev_state,
        change=change_label(flag.kind, state, prev_state),
        previous_value=previous.value if previous else None,
        detail="; ".join(details),
    )


def evaluate_flags(
    spec: ReportSpec,
    indicators: dict[str, IndicatorValue],
    previous: dict[str, PreviousFlag] | None = None,
) -> dict[str, FlagResult]:
    """Evaluate every flag of the definition against the computed indicators.

    ``previous`` maps flag ids to their state and value in the previous archived
    briefing; it drives hysteresis and the new/persisting/cleared labels.
    """
    labels = {iid: ind.label for iid, ind in spec.indicators.items()}
    prev = previous or {}
    return {fid: evaluate_flag(flag, indicators, prev.get(fid), labels) for fid, flag in spec.flags.items()}


def _names(flags: list[FlagResult]) -> str:
    return ": " + ", ".join(f.label for f in flags) if flags else ""


def decide_stance(rule: StanceSpec, flags: dict[str, FlagResult]) -> Stance:
    """Supportive / Mixed / Fragile from counts of red and amber risk flags and green support signals.

    Fragile if red risk flags >= ``fragile_if_red_at_least``; Supportive if green
    support signals >= ``supportive_if_green_support_at_least``, red risk flags
    <= ``supportive_max_red`` and amber risk flags <= ``supportive_max_amber``
    (when set); Mixed otherwise. Unknown flags count for nothing. The first
    reason says which part of the rule decided.
    """
    risks = [f for f in flags.values() if f.kind == "risk"]
    reds = [f for f in risks if f.state is FlagState.RED]
    ambers = [f for f in risks if f.state is FlagState.AMBER]
    greens = [f for f in flags.values() if f.kind == "support" and f.state is FlagState.GREEN]
    unknown = [f for f in flags.values() if f.state is FlagState.UNKNOWN]
    counts = [
        f"{len(reds)} risk flag(s) red{_names(reds)}",
        f"{len(ambers)} risk flag(s) amber{_names(ambers)}",
        f"{len(greens)} supportive signal(s) green{_names(greens)}",
    ]
    if unknown:
        counts.append(f"{len(unknown)} flag(s) unknown for lack of data{_names(unknown)}")
    amber_ok = rule.supportive_max_amber is None or len(ambers) <= rule.supportive_max_amber
    if len(reds) >= rule.fragile_if_red_at_least:
        label, why = (
            "Fragile",
            f"Fragile: {len(reds)} risk flags red (the rule: {rule.fragile_if_red_at_least} or more)",
        )
    elif len(greens) >= rule.supportive_if_green_support_at_least and len(reds) <= rule.supportive_max_red and amber_ok:
        limit = "" if rule.supportive_max_amber is None else f", at most {rule.supportive_max_amber} amber"
        label = "Supportive"
        why = (
            f"Supportive: {len(greens)} supportive signals green (the rule: "
            f"{rule.supportive_if_green_support_at_least} or more, at most {rule.supportive_max_red} risk red{limit})"
        )
    else:
        label = "Mixed"
        why = (
            f"Mixed: neither Fragile ({rule.fragile_if_red_at_least}+ risk flags red) nor Supportive "
            f"({rule.supportive_if_green_support_at_least}+ signals green with at most "
            f"{rule.supportive_max_red} risk red"
            + ("" if rule.supportive_max_amber is None else f" and {rule.supportive_max_amber} amber")
            + ")"
        )
    return Stance(label, (why, *counts))  # type: ignore[arg-type]
