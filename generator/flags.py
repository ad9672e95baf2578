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

from generator.model import ConditionReading, FlagChange, FlagResult, FlagState, IndicatorValue, PreviousFlag
from generator.phrasing import MissingValue, Quantity, amount, render_template
from generator.spec import FlagCondition, FlagSpec, ReportSpec

SEVERITY = {FlagState.GREEN: 0, FlagState.AMBER: 1, FlagState.RED: 2}
_BY_SEVERITY = {v: k for k, v in SEVERITY.items()}


def _beyond(value: float, threshold: float, direction: str) -> bool:
    return value >= threshold if direction == "above" else value <= threshold


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def condition_text(kind: str, cond: FlagCondition, label: str | None = None, hysteresis: bool = True) -> str:
    """One condition's thresholds in words, e.g. ``amber >= 3, red >= 3.5`` (and the hysteresis margin)."""
    sign = ">=" if cond.direction == "above" else "<="
    if kind == "risk":
        text = f"amber {sign} {_fmt(cond.amber)}, red {sign} {_fmt(cond.red)}"
    else:
        text = f"green {sign} {_fmt(cond.green)}, amber {sign} {_fmt(cond.amber)}"
    if cond.hysteresis and hysteresis:
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
        return f"{ind.label}: stale input {', '.join(ind.stale_inputs)} (as of {ind.as_of})"
    return None


def _condition_readings(flag: FlagSpec, indicators: dict[str, IndicatorValue]) -> tuple[ConditionReading, ...]:
    """Every condition with its own indicator's value and state: the scorecard shows them all."""
    out = []
    for cond in flag.checks:
        ind = indicators.get(cond.indicator)
        value = ind.value if ind is not None else None
        if ind is None or value is None:
            state = FlagState.UNKNOWN
        else:
            state = _state_of(flag.kind, _activation(flag.kind, cond, value))
        out.append(ConditionReading(
            indicator=cond.indicator,
            label=ind.label if ind is not None else cond.indicator,
            value=value,
            unit=ind.unit if ind is not None else "",
            decimals=ind.decimals if ind is not None else 1,
            state=state,
            thresholds=condition_text(flag.kind, cond, hysteresis=False).replace(">=", "≥").replace("<=", "≤"),
            stale_as_of=ind.as_of if ind is not None and ind.stale else None,
        ))
    return tuple(out)


def flag_reading(flag: FlagSpec, state: FlagState, indicators: dict[str, IndicatorValue]) -> str:
    """The flag in words for a reader: its declared ``reading`` template, else its indicator and value.

    "cap-weighted large caps keep beating the equal-weighted index by 4.2 points over 3 months" (declared), or
    "Cap-weighted minus equal-weighted S&P 500 (SPY - RSP), 3 months at +4.2 points" (default).
    """
    # A stale value is never stated as current: a reading that needs one falls back to the primary indicator.
    values = {k: None if v.value is None or v.stale else Quantity(v.value, v.decimals) for k, v in indicators.items()}
    if flag.reading:
        try:
            return render_template(flag.reading, v=values, state=state.value)
        except MissingValue:
            pass
    ind = indicators.get(flag.indicator)
    if ind is None or ind.value is None:
        return f"no data ({ind.detail})" if ind is not None and ind.detail else "no data"
    text = f"{ind.label} at {amount(ind.value, ind.unit, ind.decimals)}"
    return text + (f" as of {ind.as_of} (stale)" if ind.stale else "")


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
    conditions = _condition_readings(flag, indicators)
    stale = [c.stale_as_of for c in conditions if c.stale_as_of is not None]
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
        conditions=conditions,
        stale_as_of=min(stale) if stale and state is FlagState.UNKNOWN else None,
        reading=flag_reading(flag, state, indicators),
        driver=flag.driver or flag.id,
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
