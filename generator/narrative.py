"""The written part of the briefing: key takeaways and implications, both from declared rules.

**Takeaways.** The definition declares candidate sentences (``[[narrative.takeaways]]``),
each a template with the numbers in it. What moved is measured against the
same plan evaluated on the data that was public ``lookback_days`` earlier (the
plan does that, once, and hands both readings here). The rules, in order:

1. ``always`` takeaways come first, in declared order (the stance line).
2. Every other candidate scores ``|move| / scale``, where the move is its
   indicator's change over the lookback (or, with ``measure = "value"``, the
   value itself, for indicators that are already changes such as a 1-month
   relative return): 1 means "moved as much as the definition calls notable".
3. A candidate naming a flag whose state changed scores 100 more, so flag
   changes lead. A flag's earlier state is its state in the previous briefing
   when one is known, else its state on the lookback date.
4. Candidates are taken by score (ties keep declared order) while they score at
   least 1, up to ``max_takeaways``; if fewer than ``min_takeaways`` qualify,
   the next best fill in.
5. A candidate whose template reads a value without data is left out: the
   summary never prints a sentence with a hole in it.

**Implications.** Each of the article's tilts has a rule (``[[narrative.implications]]``):
the rule favours the tilt when every condition holds; it does not when any
fails; it is undecided when the others hold but one lacks data. These are
mechanical readings of the signals, not advice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from generator.indicators.performance import PerformanceGrid, PerformanceRow
from generator.model import (
    ConditionResult,
    FlagResult,
    FlagState,
    ImplicationResult,
    IndicatorValue,
    Narrative,
    Readings,
    Stance,
    Takeaway,
)
from generator.phrasing import MissingValue, Quantity, render_template
from generator.spec import ReportSpec
from generator.spec_narrative import ConditionSpec, ImplicationSpec, TakeawaySpec

log = logging.getLogger(__name__)

FLAG_CHANGE_BONUS = 100.0


@dataclass(frozen=True)
class FlagView:
    """A flag as takeaway templates read it: ``flag.credit_stress.before``."""

    label: str
    state: str
    before: str
    changed: bool
    since: str


def _quantities(indicators: dict[str, IndicatorValue]) -> dict[str, Quantity | None]:
    """The values a takeaway may state. A stale value is left out, so a sentence that reads it is dropped:
    the summary never states an out-of-date number as current (the section table shows it with its date)."""
    return {k: None if v.value is None or v.stale else Quantity(v.value, v.decimals) for k, v in indicators.items()}


def _changes(now: dict[str, IndicatorValue], then: dict[str, IndicatorValue]) -> dict[str, Quantity | None]:
    out: dict[str, Quantity | None] = {}
    for k, v in now.items():
        before = then.get(k)
        if v.value is None or v.stale or before is None or before.value is None:
            out[k] = None
        else:
            out[k] = Quantity(v.value - before.value, v.decimals)
    return out


def _flag_views(
    flags: dict[str, FlagResult], flags_then: dict[str, FlagResult], lookback_date: date
) -> dict[str, FlagView]:
    views = {}
    for fid, f in flags.items():
        if f.previous_state is not None:
            before, since = f.previous_state, "since the previous briefing"
        else:
            before, since = flags_then[fid].state, f"since {lookback_date}"
        known = FlagState.UNKNOWN not in (before, f.state)
        views[fid] = FlagView(f.label, f.state.value, before.value, known and before != f.state, since)
    return views


def _stance_view(flags: dict[str, FlagResult], stance: Stance) -> dict[str, object]:
    risks = [f for f in flags.values() if f.kind == "risk"]
    supports = [f for f in flags.values() if f.kind == "support"]

    def count(items: list[FlagResult], state: FlagState) -> Quantity:
        return Quantity(sum(f.state is state for f in items), 0)

    return {
        "label": stance.label,
        "red": count(risks, FlagState.RED),
        "amber": count(risks, FlagState.AMBER),
        "risks": Quantity(len(risks), 0),
        "green": count(supports, FlagState.GREEN),
        "supports": Quantity(len(supports), 0),
    }


def _score(
    t: TakeawaySpec,
    values: dict[str, Quantity | None],
    changes: dict[str, Quantity | None],
    views: dict[str, FlagView],
) -> tuple[float, str]:
    score, reasons = 0.0, []
    source = changes if t.measure == "change" else values
    move = source.get(t.indicator) if t.indicator is not None else None
    if move is not None:
        moved = abs(float(move)) / t.scale
        score += moved
        word = "changed" if t.measure == "change" else "measures"
        reasons.append(f"{t.indicator} {word} {moved:.1f}x its notable move")
    changed = [views[f] for f in t.flags if views[f].changed]
    if changed:
        score += FLAG_CHANGE_BONUS
        reasons.insert(0, "; ".join(f"{v.label} {v.before} -> {v.state}" for v in changed))
    return score, "; ".join(reasons) or "no change measured"


def choose_takeaways(
    spec: ReportSpec, values: dict[str, object], changes: dict[str, Quantity | None], views: dict[str, FlagView]
) -> list[Takeaway]:
    """Apply the ranking rules of the module docstring to the declared candidates."""
    rules = spec.narrative

    def write(t: TakeawaySpec, score: float, reason: str) -> Takeaway | None:
        try:
            text = render_template(t.text, **values)
        except MissingValue as exc:
            log.info("takeaway %s left out: %s", t.id, exc)
            return None
        return Takeaway(t.id, text, t.section, reason, round(score, 3))

    chosen = [w for t in rules.takeaways if t.always and (w := write(t, float("inf"), "always shown"))]
    ranked = sorted(
        ((t, *_score(t, values["v"], changes, views)) for t in rules.takeaways if not t.always),  # type: ignore[arg-type]
        key=lambda item: -item[1],  # sorted() is stable: ties keep declared order
    )
    room = max(rules.max_takeaways - len(chosen), 0)
    picked: list[Takeaway] = []
    for t, score, reason in ranked:
        if len(picked) >= room or (score < 1.0 and len(chosen) + len(picked) >= rules.min_takeaways):
            break
        if (w := write(t, score, reason)) is not None:
            picked.append(w)
    return chosen + picked


def flag_takeaways(spec: ReportSpec, flags: dict[str, FlagResult], views: dict[str, FlagView]) -> list[Takeaway]:
    """A definition without declared takeaways gets one per flag: its state and its reading, changes first."""
    home = {f: sec.id for sec in spec.sections for f in sec.flags}
    out = []
    for fid, f in flags.items():
        view = views[fid]
        change = f", from {view.before} {view.since}" if view.changed else ""
        state = f.shown_state if not f.stale else f"stale (as of {f.stale_as_of})"
        out.append(Takeaway(fid, f"{f.label}: {state}{change}. {f.reading[:1].upper()}{f.reading[1:]}.",
                            home.get(fid), "flag changed" if view.changed else "flag", 100.0 if view.changed else 1.0))
    out.sort(key=lambda t: -t.score)  # stable: changes first, then the definition's order
    return out[: spec.narrative.max_takeaways]


_HORIZON_WORDS = {"1w": "one week", "1m": "one month", "3m": "three months", "ytd": "the year to date",
                  "12m": "twelve months"}


def _group_of(grid: PerformanceGrid, row_id: str) -> list[PerformanceRow]:
    group = grid.row(row_id).group
    return [r for r in grid.rows if r.group == group]


def _ranked(rows: list[PerformanceRow], horizon: str) -> list[PerformanceRow]:
    """The group's rows with a current relative return over ``horizon``, strongest first."""
    usable = [r for r in rows if not r.stale and r.relative.get(horizon) is not None]  # type: ignore[call-overload]
    return sorted(usable, key=lambda r: -r.relative[horizon])  # type: ignore[index,operator]


def leadership_text(grid: PerformanceGrid, row_id: str, horizon: str, n: int = 3) -> str:
    """``Leading small-cap sectors over three months (vs SPY): Materials +8.1 pp, ...; lagging: ...``."""
    rows = _ranked(_group_of(grid, row_id), horizon)
    if not rows:
        return ""
    n = max(1, min(n, len(rows) // 2))  # leaders and laggards never overlap
    def one(r: PerformanceRow) -> str:
        return f"{r.label} {r.relative[horizon]:+.1f} pp"  # type: ignore[index]
    group = grid.row(row_id).group
    lead = ", ".join(one(r) for r in rows[:n])
    lag = ", ".join(one(r) for r in reversed(rows[-n:])) if len(rows) > n else ""
    text = f"Leading {group} over {_HORIZON_WORDS[horizon]} (vs {grid.benchmark}): {lead}"
    return text + (f"; lagging: {lag}" if lag else "")


def _leadership(cond: ConditionSpec, grid: PerformanceGrid | None) -> ConditionResult:
    if grid is None:
        return ConditionResult(cond.says, None, "no performance grid")
    ranked = _ranked(_group_of(grid, cond.rows[0]), cond.horizon)
    if not ranked:
        return ConditionResult(cond.says, None, "no current sector returns")
    places = {r.id: i + 1 for i, r in enumerate(ranked)}
    found = [(places[rid], grid.row(rid)) for rid in cond.rows if rid in places]
    if not found:
        return ConditionResult(cond.says, None, "no current returns for " + ", ".join(cond.rows))
    momentum_ok = True
    parts = []
    for place, row in sorted(found, key=lambda item: item[0]):
        rel = row.relative[cond.horizon]  # type: ignore[index]
        part = f"{row.label} {place} of {len(ranked)} ({rel:+.1f} pp"
        if cond.momentum is not None:
            recent = row.relative.get(cond.momentum)  # type: ignore[call-overload]
            part += f", {recent:+.1f} pp over {_HORIZON_WORDS[cond.momentum]}" if recent is not None else ""
        parts.append(part + ")")
    best = min(found, key=lambda item: item[0])
    holds = best[0] <= cond.top
    if holds and cond.momentum is not None:
        recent = best[1].relative.get(cond.momentum)  # type: ignore[call-overload]
        momentum_ok = recent is not None and recent > 0
    return ConditionResult(cond.says, holds and momentum_ok, "; ".join(parts))


def _condition(
    cond: ConditionSpec, indicators: dict[str, IndicatorValue], flags: dict[str, FlagResult],
    grid: PerformanceGrid | None = None,
) -> ConditionResult:
    if cond.rows:
        return _leadership(cond, grid)
    if cond.indicator is not None:
        ind = indicators[cond.indicator]
        if ind.value is None:
            return ConditionResult(cond.says, None, "no data")
        if ind.stale:  # not a current reading: it decides nothing
            return ConditionResult(cond.says, None, f"{ind.formatted()} {ind.unit} as of {ind.as_of} (stale)")
        holds = ind.value > cond.above if cond.above is not None else ind.value < cond.below  # type: ignore[operator]
        return ConditionResult(cond.says, holds, f"{ind.formatted()} {ind.unit}")
    flag = flags[cond.flag]  # type: ignore[index]
    if flag.stale:
        return ConditionResult(cond.says, None, f"{flag.label}: stale since {flag.stale_as_of}")
    if flag.state is FlagState.UNKNOWN:
        return ConditionResult(cond.says, None, f"{flag.label}: unknown")
    return ConditionResult(cond.says, flag.state.value in cond.states, f"{flag.label}: {flag.state.value}")


def evaluate_implication(
    rule: ImplicationSpec, indicators: dict[str, IndicatorValue], flags: dict[str, FlagResult],
    grid: PerformanceGrid | None = None,
) -> ImplicationResult:
    """``all``: favoured when every condition holds, not favoured when one fails.

    ``any``: favoured when one holds, not favoured when all fail. Otherwise
    (conditions without data decide it) undecided.
    """
    results = tuple(_condition(c, indicators, flags, grid) for c in rule.when)
    holds = [r.holds for r in results]
    if rule.match == "all":
        decided = "not favoured" if False in holds else ("favoured" if all(holds) else None)
    else:
        decided = "favoured" if True in holds else ("not favoured" if all(h is False for h in holds) else None)
    verdict = decided or "undecided"
    seen: list[tuple[str, str]] = []
    for c in rule.when:
        if c.rows and grid is not None and (c.rows[0], c.horizon) not in seen and c.rows[0] in {r.id for r in grid.rows}:
            seen.append((c.rows[0], c.horizon))
    leadership = tuple(t for rid, h in seen if grid is not None and (t := leadership_text(grid, rid, h)))
    return ImplicationResult(rule.id, rule.tilt, rule.article, verdict, results, leadership,  # type: ignore[arg-type]
                             rule.match)


def write_narrative(
    spec: ReportSpec, now: Readings, then: Readings, lookback_date: date, grid: PerformanceGrid | None = None
) -> Narrative:
    """Takeaways and implications for a briefing: ``now`` against ``then``, read on ``lookback_date``;
    ``grid`` (the performance grid) for implications that read sector leadership."""
    indicators, flags, stance = now.indicators, now.flags, now.stance
    views = _flag_views(flags, then.flags, lookback_date)
    changes = _changes(indicators, then.indicators)
    values: dict[str, object] = {
        "v": _quantities(indicators),
        "chg": changes,
        "then": _quantities(then.indicators),
        "flag": views,
        "stance": _stance_view(flags, stance),
        "days": Quantity(spec.narrative.lookback_days, 0),
    }
    takeaways = choose_takeaways(spec, values, changes, views) if spec.narrative.takeaways else flag_takeaways(
        spec, flags, views
    )
    return Narrative(
        lookback_date=lookback_date,
        takeaways=tuple(takeaways),
        implications=tuple(evaluate_implication(r, indicators, flags, grid) for r in spec.narrative.implications),
        then={k: v.value for k, v in then.indicators.items()},
        flags_then={k: f.state for k, f in then.flags.items()},
    )
