"""What would change the view: how far each flag condition's value is from the threshold that would change it.

For every condition of a flag (the primary one first), in the indicator's own
unit: the move that would make it more alarming and the move that would make
it less alarming, e.g. "Core CPI y/y at 2.91%: 0.09 points below amber (3.00%)".

The semantics are :mod:`generator.flags`' (its docstring), condition by
condition, as if each were the flag's only condition:

* the condition's state now is ``held_state`` of that condition alone, with the
  flag's previous state (hysteresis), or its raw state without one;
* a move to a *more alarming* state happens as soon as the value crosses the
  next threshold; a move to a *less alarming* state only once the value is back
  past the threshold by the condition's ``hysteresis`` (the state now becomes
  next briefing's "previous");
* a threshold is on the raised side: a risk condition ``above`` amber 3.0 is
  amber at 3.0, so a rise *to* 3.0 raises it, and calming needs a fall *below*
  3.0 less the margin. A supportive signal mirrors it: green at its ``green``
  threshold, so it turns amber only past it.

For compound flags the flag's own state combines these (``all``: the least
raised, ``any``: the most raised), so one condition's move may not change the
flag by itself; each line says what changes its condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from generator.flags import held_state
from generator.model import FlagState, IndicatorValue
from generator.spec import FlagCondition, FlagSpec

ThresholdName = Literal["amber", "red", "green"]
_POINTS = {
    "%": "points", "pp": "points", "bp": "bp", "percentile": "percentile points", "index": "points",
    "index points": "points",
}  # fmt: skip
_BARE = {"index", "index points"}  # index levels print as plain numbers: "VIX at 14.5: 7.5 points below amber (22.0)"
_ACTIVATION_STATES = {
    "risk": (FlagState.GREEN, FlagState.AMBER, FlagState.RED),
    "support": (FlagState.RED, FlagState.AMBER, FlagState.GREEN),
}


@dataclass(frozen=True)
class ThresholdMove:
    """One move that would change a condition's state.

    ``trigger`` is the value where the state changes: the threshold itself, or
    for a calming move the threshold moved by the ``hysteresis`` margin.
    ``inclusive``: reaching ``trigger`` is enough (else the value must move
    past it). ``distance`` = ``|trigger - value|`` in the indicator's unit;
    ``travel`` is the direction of the move; ``becomes`` the state after it;
    ``calming``: the new state is less alarming.
    """

    threshold: ThresholdName
    threshold_value: float
    trigger: float
    distance: float
    travel: Literal["rise", "fall"]
    inclusive: bool
    becomes: FlagState
    calming: bool
    hysteresis: float


@dataclass(frozen=True)
class ConditionDistance:
    """One condition of a flag: its value, its state now and the moves that would change it (one or two)."""

    indicator: str
    label: str
    unit: str
    decimals: int
    value: float | None
    state: FlagState
    moves: tuple[ThresholdMove, ...] = ()
    reason: str = ""

    @property
    def nearest(self) -> ThresholdMove | None:
        """The move with the smallest distance (the more alarming one on a tie)."""
        return min(self.moves, key=lambda m: (m.distance, m.calming), default=None)


@dataclass(frozen=True)
class FlagDistance:
    """A flag and, per condition (primary first), how far it is from changing."""

    flag_id: str
    label: str
    kind: Literal["risk", "support"]
    combine: Literal["all", "any"]
    conditions: tuple[ConditionDistance, ...]


def _single(flag: FlagSpec, cond: FlagCondition) -> FlagSpec:
    """The condition as a one-condition flag, so :mod:`generator.flags` itself decides its state."""
    return FlagSpec(
        label=flag.label, kind=flag.kind, indicator=cond.indicator, direction=cond.direction, amber=cond.amber,
        red=cond.red, green=cond.green, hysteresis=cond.hysteresis, rationale=flag.rationale,
    )  # fmt: skip


def condition_moves(
    kind: Literal["risk", "support"], cond: FlagCondition, value: float, state: FlagState
) -> tuple[ThresholdMove, ...]:
    """The moves that would change a condition in ``state`` at ``value``: to the next and to the previous state.

    With activation a (0, 1, 2: risk green/amber/red; support red/amber/green),
    b = +1 for ``above`` and -1 for ``below``, T1 = amber, T2 = red (risk) or
    green (support), h = hysteresis:

    * a -> a + 1 (a < 2): trigger T_(a+1), plus b * h for a support signal
      (that move calms it); reached inclusively, travelling in direction b;
    * a -> a - 1 (a > 0): trigger T_a, minus b * h for a risk flag (that move
      calms it); must be passed, travelling against b.
    """
    states = _ACTIVATION_STATES[kind]
    a = states.index(state)
    b = 1.0 if cond.direction == "above" else -1.0
    top_name: ThresholdName = "red" if kind == "risk" else "green"
    top = cond.red if kind == "risk" else cond.green
    assert top is not None  # guaranteed by FlagSpec validation
    thresholds: list[tuple[ThresholdName, float]] = [("amber", cond.amber), (top_name, top)]
    h = cond.hysteresis
    moves: list[ThresholdMove] = []
    if a < 2:
        name, t = thresholds[a]
        margin = b * h if kind == "support" else 0.0
        trigger = t + margin
        moves.append(
            ThresholdMove(
                threshold=name, threshold_value=t, trigger=trigger, distance=abs(trigger - value),
                travel="rise" if b > 0 else "fall", inclusive=True, becomes=states[a + 1], calming=kind == "support",
                hysteresis=abs(margin),
            )
        )  # fmt: skip
    if a > 0:
        name, t = thresholds[a - 1]
        margin = b * h if kind == "risk" else 0.0
        trigger = t - margin
        moves.append(
            ThresholdMove(
                threshold=name, threshold_value=t, trigger=trigger, distance=abs(value - trigger),
                travel="fall" if b > 0 else "rise", inclusive=False, becomes=states[a - 1], calming=kind == "risk",
                hysteresis=abs(margin),
            )
        )  # fmt: skip
    return tuple(moves)


def _unknown(ind: IndicatorValue | None) -> str | None:
    if ind is None:
        return "not computed"
    if ind.value is None:
        return ind.formatted()
    if ind.stale_inputs:
        return f"stale input {', '.join(ind.stale_inputs)}"
    return None


def flag_distances(
    flag: FlagSpec, indicators: Mapping[str, IndicatorValue], previous: FlagState | None = None
) -> FlagDistance:
    """How far each condition of ``flag`` is from changing state, given the indicators' values.

    ``previous`` is the flag's state in the previous briefing (as
    :func:`generator.flags.evaluate_flag` uses it); it decides whether a
    condition is held by hysteresis. A condition without a usable value (missing,
    not computable, stale input) is ``UNKNOWN`` with no moves and its reason.
    """
    out: list[ConditionDistance] = []
    for cond in flag.checks:
        ind = indicators.get(cond.indicator)
        label = ind.label if ind else cond.indicator
        unit, decimals = (ind.unit, ind.decimals) if ind else ("", 1)
        why = _unknown(ind)
        if why is not None or ind is None or ind.value is None:
            out.append(
                ConditionDistance(cond.indicator, label, unit, decimals, None, FlagState.UNKNOWN, reason=why or "")
            )
            continue
        value = float(ind.value)
        state = held_state(_single(flag, cond), [value], previous)
        moves = condition_moves(flag.kind, cond, value, state)
        out.append(ConditionDistance(cond.indicator, label, unit, decimals, value, state, moves))
    return FlagDistance(flag.id, flag.label, flag.kind, flag.combine, tuple(out))


# ---------------------------------------------------------------- phrasing


def distance_unit(unit: str) -> str:
    """How a distance in ``unit`` is named: % and pp in points, bp in bp, index levels in points, others in their unit."""
    return _POINTS.get(unit, unit)


def _fmt(x: float, unit: str, decimals: int) -> str:
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    if unit == "%":
        return f"{text}%"
    if unit == "percentile":
        return f"percentile {text}"
    if unit in _BARE:
        return text
    return f"{text} {unit}" if unit else text


def _decimals(cd: ConditionDistance) -> int:
    """The indicator's decimals, or more when a non-zero distance would print as zero."""
    d = cd.decimals
    smallest = min((m.distance for m in cd.moves if m.distance > 0), default=0.0)
    while smallest and round(smallest, d) == 0 and d < cd.decimals + 3:
        d += 1
    return d


def _move_text(m: ThresholdMove, cd: ConditionDistance, d: int) -> str:
    assert cd.value is not None
    unit = cd.unit
    dist = f"{m.distance:,.{d}f} {distance_unit(unit)}".rstrip()
    if m.hysteresis:
        side = "less" if m.trigger < m.threshold_value else "plus"
        margin = f"{m.threshold} {_fmt(m.threshold_value, unit, d)} {side} the {m.hysteresis:g} hysteresis"
    else:
        margin = ""
    if m.inclusive:
        where = "below" if cd.value < m.trigger else "above"
        at = f"at {_fmt(m.trigger, unit, d)}: {margin}" if margin else _fmt(m.threshold_value, unit, d)
        return f"{dist} {where} {m.becomes.value} ({at})"
    past = "below" if m.travel == "fall" else "above"
    how = f"any {m.travel}" if m.distance == 0 else f"{dist} {'lower' if m.travel == 'fall' else 'higher'}"
    return f"{m.becomes.value} {past} {_fmt(m.trigger, unit, d)} ({how}" + (f"; {margin})" if margin else ")")


def describe_condition(cd: ConditionDistance) -> str:
    """One line: ``"Core CPI y/y at 3.2%: 0.3 points below red (3.5%); green below 2.8% (0.4 points lower; ...)"``.

    The more alarming move comes first.
    """
    if cd.value is None:
        return f"{cd.label}: no reading ({cd.reason})" if cd.reason else f"{cd.label}: no reading"
    d = _decimals(cd)
    moves = sorted(cd.moves, key=lambda m: m.calming)
    return f"{cd.label} at {_fmt(cd.value, cd.unit, d)}: " + "; ".join(_move_text(m, cd, d) for m in moves)


def describe_flag(fd: FlagDistance) -> tuple[str, ...]:
    """One line per condition, the primary condition first."""
    return tuple(describe_condition(cd) for cd in fd.conditions)
