"""The report definition's flags, signals and the stance rule: part of the schema in ``generator/spec.py``.

Kept apart because the threshold rules carry their own validation (a risk flag
needs red beyond amber in its direction; a supportive signal green beyond amber).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _threshold_problem(kind: str, direction: str, amber: float, red: float | None, green: float | None) -> str | None:
    """Why a condition's thresholds cannot work for a flag of ``kind``, or ``None`` when they can."""
    if kind == "risk" and red is None:
        return "a risk flag needs 'red' (and 'amber') thresholds"
    if kind == "support" and green is None:
        return "a support signal needs 'green' (and 'amber') thresholds"
    top, name = (red, "red") if kind == "risk" else (green, "green")
    assert top is not None
    if not (top >= amber if direction == "above" else top <= amber):
        return f"with direction '{direction}', '{name}' must be beyond 'amber'"
    return None


class FlagCondition(_Strict):
    """One test of one indicator against thresholds: the unit a flag is built from.

    ``direction = "above"``: for a risk flag, values at or above ``amber``/``red``
    are amber/red; for a support signal, values at or above ``green``/``amber``
    are green/amber. ``"below"`` mirrors it. ``hysteresis`` (in the indicator's
    unit) is how far the value must move back past a threshold before the flag
    calms down again (see :mod:`generator.flags`).
    """

    indicator: str
    direction: Literal["above", "below"]
    amber: float
    red: float | None = None
    green: float | None = None
    hysteresis: float = Field(default=0.0, ge=0)


class FlagSpec(FlagCondition):
    """A risk flag or supportive signal (``[flags.ID]``) with traffic-light thresholds.

    The top-level ``indicator``/``direction``/thresholds (the fields of
    :class:`FlagCondition`) are the primary condition; ``[[flags.ID.conditions]]``
    may add more, combined with ``combine = "all"`` (every condition must be
    met: the flag takes the least alarming of their states) or ``"any"`` (one is
    enough: the most alarming).
    """

    id: str = ""
    label: str
    kind: Literal["risk", "support"]
    conditions: list[FlagCondition] = Field(default_factory=list)
    combine: Literal["all", "any"] = "all"
    rationale: str = Field(min_length=1)
    driver: str | None = Field(
        default=None,
        description="Flags that read the same market driver (e.g. the IWM/SPY ratio) share a driver name: "
        "the stance counts each driver once",
    )
    reading: str = Field(
        default="",
        description="What the flag's state means for a reader, a template like the takeaways' "
        "(v.ID, state); default: the indicator's label and value",
    )

    @model_validator(mode="after")
    def _thresholds_match_kind(self) -> FlagSpec:
        problem = _threshold_problem(self.kind, self.direction, self.amber, self.red, self.green)
        if problem:
            raise ValueError(problem)
        for i, cond in enumerate(self.conditions):
            problem = _threshold_problem(self.kind, cond.direction, cond.amber, cond.red, cond.green)
            if problem:
                raise ValueError(f"conditions[{i}]: {problem}")
        return self

    @property
    def checks(self) -> tuple[FlagCondition, ...]:
        """Every condition, the primary one first."""
        primary = FlagCondition(**{name: getattr(self, name) for name in FlagCondition.model_fields})
        return (primary, *self.conditions)


class StanceSpec(_Strict):
    """The rule that turns flags and signals into the overall stance (``[stance]``).

    Counts are of *drivers*: flags that share a ``driver`` count once (at their
    most raised state), so one market move is not counted as several pieces of
    evidence. Insufficient evidence when fewer than ``min_evidence`` (a share)
    of the drivers are known and fresh; otherwise Fragile when at least
    ``fragile_if_red_at_least`` risk drivers are red; otherwise Supportive when
    at least ``supportive_if_green_support_at_least`` supportive drivers are
    green, at most ``supportive_max_red`` risk drivers are red and at most
    ``supportive_max_amber`` amber (no limit when unset); Mixed otherwise.
    Unknown and stale flags count for nothing, so missing data can never make
    the stance look better. Left unset, the two counts are 2, or the number of
    flags of that kind when the report has fewer.
    """

    fragile_if_red_at_least: int | None = Field(default=None, ge=1)
    supportive_if_green_support_at_least: int | None = Field(default=None, ge=1)
    supportive_max_red: int = Field(default=0, ge=0)
    supportive_max_amber: int | None = Field(default=None, ge=0)
    min_evidence: float = Field(default=0.6, ge=0.0, le=1.0)
