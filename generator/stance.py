"""The overall stance: Fragile, Supportive, Mixed, or Insufficient evidence, with reasons a reader can use.

The rule is declared in ``[stance]`` (see :class:`generator.spec_flags.StanceSpec`):

1. Flags are grouped by **driver**: flags that read the same market move (the
   IWM/SPY ratio's momentum and its percentile) share a ``driver`` and count
   once, at their most raised state (risk: most severe; support: green over
   amber over red). Risk and support sides of a driver count separately.
2. A driver is **known** when at least one of its flags is known and fresh. A
   flag on a stale input is neither green nor red: it counts for nothing.
3. **Insufficient evidence** when fewer than ``min_evidence`` of the drivers are
   known; the reasons name the missing signals.
4. Otherwise **Fragile** when red risk drivers reach ``fragile_if_red_at_least``;
   **Supportive** when green supportive drivers reach
   ``supportive_if_green_support_at_least`` with at most ``supportive_max_red``
   red and ``supportive_max_amber`` amber risk drivers; **Mixed** otherwise.

The first reason says what decided, in words, with the flags' own readings
("one risk flag is red: cap-weighted large caps keep beating the equal-weighted
index by 4.2 points over 3 months").
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import FlagResult, FlagState, Stance
from generator.phrasing import counted
from generator.spec import StanceSpec

_RISK_ORDER = {FlagState.GREEN: 0, FlagState.AMBER: 1, FlagState.RED: 2}
_SUPPORT_ORDER = {FlagState.RED: 0, FlagState.AMBER: 1, FlagState.GREEN: 2}


@dataclass(frozen=True)
class Driver:
    """One driver's side (risk or support): its flags and the state it counts as (``None``: unknown)."""

    name: str
    kind: str
    flags: tuple[FlagResult, ...]
    state: FlagState | None

    @property
    def deciding(self) -> FlagResult | None:
        """The flag whose state the driver takes (the most raised known one)."""
        known = [f for f in self.flags if f.state is not FlagState.UNKNOWN]
        if not known:
            return None
        order = _RISK_ORDER if self.kind == "risk" else _SUPPORT_ORDER
        return max(known, key=lambda f: order[f.state])


def drivers(flags: dict[str, FlagResult]) -> list[Driver]:
    """The flags grouped by (kind, driver), in the definition's order of first appearance."""
    groups: dict[tuple[str, str], list[FlagResult]] = {}
    for f in flags.values():
        groups.setdefault((f.kind, f.driver or f.id), []).append(f)
    out = []
    for (kind, name), members in groups.items():
        d = Driver(name, kind, tuple(members), None)
        deciding = d.deciding
        out.append(Driver(name, kind, tuple(members), deciding.state if deciding else None))
    return out


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _readings(ds: list[Driver]) -> str:
    parts = []
    for d in ds:
        f = d.deciding
        if f is not None:
            parts.append(f"{f.label.lower()} ({f.reading})" if f.reading else f.label.lower())
    return "; ".join(parts)


def _missing(d: Driver) -> str:
    f = d.flags[0]
    stale = [m for m in d.flags if m.stale]
    if stale:
        return f"{stale[0].label} (stale since {stale[0].stale_as_of:%d %b %Y})"
    return f"{f.label} (no data)"


def decide_stance(rule: StanceSpec, flags: dict[str, FlagResult]) -> Stance:
    """The stance and its reasons from the evaluated flags (rules in the module docstring)."""
    ds = drivers(flags)
    risks = [d for d in ds if d.kind == "risk"]
    supports = [d for d in ds if d.kind == "support"]
    known = [d for d in ds if d.state is not None]
    unknown = [d for d in ds if d.state is None]
    evidence = len(known) / len(ds) if ds else 0.0
    missing = tuple(_missing(d) for d in unknown)
    reds = [d for d in risks if d.state is FlagState.RED]
    ambers = [d for d in risks if d.state is FlagState.AMBER]
    greens = [d for d in supports if d.state is FlagState.GREEN]
    fragile_at = rule.fragile_if_red_at_least or min(2, len(risks))
    supportive_at = rule.supportive_if_green_support_at_least or min(2, len(supports))
    amber_ok = rule.supportive_max_amber is None or len(ambers) <= rule.supportive_max_amber

    counts = []
    if risks:
        counts.append(f"{counted(len(reds), 'risk flag', words=True).capitalize()} red"
                      + (f": {_readings(reds)}" if reds else "") + ".")
        counts.append(f"{counted(len(ambers), 'risk flag', words=True).capitalize()} amber"
                      + (f": {_readings(ambers)}" if ambers else "") + ".")
    if supports:
        counts.append(f"{len(greens)} of {counted(len(supports), 'supportive signal')} green"
                      + (f": {_readings(greens)}" if greens else "") + ".")
    share = f"{len(known)} of {len(ds)} signals could be read ({evidence:.0%})"
    if not ds or evidence < rule.min_evidence:
        why = (f"Insufficient evidence: only {share}; the rule needs {rule.min_evidence:.0%} before it reads a "
               f"stance. Missing: {_join(list(missing))}.")
        return Stance("Insufficient evidence", (why, *counts), missing, evidence)
    if unknown:
        counts.append(f"Not read: {_join(list(missing))}.")
    if risks and len(reds) >= fragile_at:
        label = "Fragile"
        why = f"Fragile: {counted(len(reds), 'risk flag', words=True)} red, the rule's limit is {fragile_at}."
    elif supports and len(greens) >= supportive_at and len(reds) <= rule.supportive_max_red and amber_ok:
        label = "Supportive"
        why = (f"Supportive: {counted(len(greens), 'supportive signal', words=True)} green "
               f"(the rule needs {supportive_at}) with {counted(len(reds), 'risk flag', words=True)} red"
               + ("" if rule.supportive_max_amber is None else f" and {len(ambers)} amber") + ".")
    else:
        label = "Mixed"
        held: list[str] = []
        if supports and len(greens) < supportive_at:
            held.append(f"only {len(greens)} of {len(supports)} supportive signals green (Supportive needs "
                        f"{supportive_at})")
        if len(reds) > rule.supportive_max_red:
            held.append(f"{counted(len(reds), 'risk flag', words=True)} red")
        if not amber_ok:
            held.append(f"{len(ambers)} risk flags amber (Supportive allows {rule.supportive_max_amber})")
        if not held:
            held.append("no risk flag red" if not supports else "neither Fragile nor Supportive")
            if not supports:
                held.append("the report has no supportive signals, so it cannot read Supportive")
        why = "Mixed: " + _join(held) + "."
    reasons = [why, *counts]
    if unknown:
        reasons[0] = reasons[0][:-1] + f"; {share}."
    return Stance(label, tuple(reasons), missing, evidence)  # type: ignore[arg-type]
