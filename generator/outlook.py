"""What the analysis says about the weeks ahead, for page 1: the deciding signals, the evidence, the biggest
moves, what to watch and what would change the view.

Computed by the plan with the rest of the analysis (nothing here reads the archive); the record adds the
comparison with the previous briefing (:mod:`generator.dashboard`).

* **Deciding signals**: the one or two flags that decide the stance, with their readings.
* **Evidence**: how many signals and indicators could be read, and how many are stale.
* **Biggest moves**: indicators that moved most over the comparison horizon (a move of the declared
  ``scale`` of a takeaway counts as notable); a stale indicator is never one.
* **What to watch**: scheduled events of the next two weeks from the report's calendar (the next one even
  beyond them), and the next expected release of each tracked macro series, worded as expected.
* **What would change the view**: for the flags nearest a threshold, how far the value is from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from generator.flag_distance import ConditionDistance, describe_condition, flag_distances
from generator.manifest import MoveEntry
from generator.model import FlagResult, FlagState, IndicatorValue, Snapshot, Stance
from generator.phrasing import amount, capped, mid_sentence
from generator.spec import ReportSpec
from generator.stance import drivers
from generator.watch import Calendar, expected_releases, runs_out_warning, upcoming

WATCH_DAYS = 14
MAX_MOVES = 3
MAX_THRESHOLDS = 3
MAX_LINES = 3  # flag changes, releases and watch items: the rest is summed up in one line (page 1 stays one page)


@dataclass(frozen=True)
class Outlook:
    """Page 1's analysis: ready sentences and lists, in the briefing's words."""

    deciding: tuple[str, ...]  # "concentration re-accelerating is red: <its reading>"
    evidence: str
    moves: tuple[MoveEntry, ...]
    watch: tuple[str, ...]
    watch_note: str
    thresholds: tuple[str, ...]


def _deciding(flags: dict[str, FlagResult], stance: Stance) -> list[FlagResult]:
    """The flags that decide the stance: red risks first, then green supports (or ambers when none)."""
    ds = drivers(flags)
    reds = [d.deciding for d in ds if d.kind == "risk" and d.state is FlagState.RED]
    greens = [d.deciding for d in ds if d.kind == "support" and d.state is FlagState.GREEN]
    ambers = [d.deciding for d in ds if d.kind == "risk" and d.state is FlagState.AMBER]
    label = stance.label
    order = greens + ambers if label == "Supportive" else reds + ambers + greens
    return [f for f in order if f is not None][:2]


def _moves(spec: ReportSpec, indicators: dict[str, IndicatorValue], then: dict[str, float | None]) -> list[MoveEntry]:
    """The indicators that moved most over the horizon, by move / declared scale (notable at 1)."""
    scales: dict[str, float] = {}
    for t in spec.narrative.takeaways:
        if t.indicator is not None and t.measure == "change":
            scales.setdefault(t.indicator, t.scale)
    ranked: list[tuple[float, MoveEntry]] = []
    for iid, scale in scales.items():
        ind = indicators.get(iid)
        before = then.get(iid)
        if ind is None or ind.value is None or before is None or ind.stale:
            continue
        change = ind.value - before
        score = abs(change) / scale
        if score < 0.5:
            continue
        text = (f"{ind.label}: {_level(before, ind.unit, ind.decimals)} to {_level(ind.value, ind.unit, ind.decimals)}"
                f" ({amount(change, ind.unit, ind.decimals, signed=True, change=True)})")
        ranked.append((score, MoveEntry(id=iid, label=ind.label, before=before, after=ind.value, unit=ind.unit,
                                        decimals=ind.decimals, text=text)))
    ranked.sort(key=lambda item: -item[0])
    return [m for _, m in ranked[:MAX_MOVES]]


def _level(value: float, unit: str, decimals: int) -> str:
    """A level as a table shows it: "%" stays on the number, other units are left to the change."""
    return amount(value, unit, decimals) if unit in ("%", "bp", "percentile") else amount(value, "", decimals)


def _watch(spec: ReportSpec, snapshot: Snapshot, calendar: Calendar | None, as_of: date) -> tuple[list[str], str]:
    """Scheduled events first (never cut: a reader plans around them), then the expected releases (capped)."""
    events: list[str] = []
    note = ""
    if calendar is not None:
        soon = upcoming(calendar, as_of, WATCH_DAYS)
        events = [event.text(as_of) for event in soon]
        later = [e for e in calendar.events if e.date > as_of + timedelta(days=WATCH_DAYS)]
        if not soon and later:  # the next scheduled decision, even beyond the two weeks
            events.append("Next: " + later[0].text(as_of))
        note = runs_out_warning(calendar, as_of, WATCH_DAYS) or ""
    macro = ("monthly", "quarterly")  # the releases a reader waits for; daily and weekly data arrive all the time
    watched = {sid: s for sid, s in spec.series.items() if s.kind != "flag"}  # a recession flag is no release
    releases = [r.text(as_of) for r in expected_releases(watched, snapshot.series, as_of, WATCH_DAYS,
                                                          frequencies=macro)]
    return [*events, *capped(releases, "expected releases", MAX_LINES)], note


def _nearest(spec: ReportSpec, indicators: dict[str, IndicatorValue], flags: dict[str, FlagResult]) -> list[str]:
    """The flag conditions nearest to changing state, nearest first, measured in widths of their amber band."""
    ranked: list[tuple[float, str]] = []
    for fid, flag in spec.flags.items():
        result = flags.get(fid)
        if result is None or result.state is FlagState.UNKNOWN:
            continue
        distances = flag_distances(flag, indicators, result.previous_state)
        best: tuple[float, str] | None = None
        for cond, cd in zip(flag.checks, distances.conditions, strict=False):
            moves = [m for m in cd.moves if m.distance > 0]  # a value sitting on a step's threshold says nothing
            if cd.value is None or not moves:
                continue
            top = cond.red if flag.kind == "risk" else cond.green
            width = abs((top if top is not None else cond.amber) - cond.amber) or abs(cond.amber) or 1.0
            score = min(m.distance for m in moves) / width
            if best is None or score < best[0]:
                best = (score, f"{flag.label}: {_describe(cd)}")
        if best is not None:
            ranked.append(best)
    ranked.sort(key=lambda item: item[0])
    return [text for _, text in ranked[:MAX_THRESHOLDS]]


def _describe(cd: ConditionDistance) -> str:
    return describe_condition(cd)


def _evidence(indicators: dict[str, IndicatorValue], flags: dict[str, FlagResult], stance: Stance) -> str:
    ds = drivers(flags)
    known = sum(d.state is not None for d in ds)
    stale = sum(f.stale for f in flags.values())
    text = f"{known} of {len(ds)} signals read ({stance.evidence:.0%})"
    if stance.missing:
        text += "; not read: " + ", ".join(stance.missing)
    elif stale:
        text += f"; {stale} stale"
    values = list(indicators.values())
    stale_ind = [i for i in values if i.stale]
    missing_ind = [i for i in values if i.value is None]
    text += f". {len(values) - len(missing_ind)} of {len(values)} indicators computed"
    if stale_ind:
        text += f", {len(stale_ind)} from stale inputs (marked where they stand)"
    return text + "."


def outlook(
    spec: ReportSpec,
    indicators: dict[str, IndicatorValue],
    flags: dict[str, FlagResult],
    stance: Stance,
    then: dict[str, float | None],
    snapshot: Snapshot,
    calendar: Calendar | None,
    as_of: date,
) -> Outlook:
    """Page 1's analysis from the plan's values (see the module docstring)."""
    deciding = _deciding(flags, stance)
    if len(deciding) > 1 and len(deciding[0].reading) + len(deciding[1].reading) > 240:
        deciding = deciding[:1]  # the reading stays a few lines: the scorecard has every signal
    watch, note = _watch(spec, snapshot, calendar, as_of)
    return Outlook(
        deciding=tuple(f"{mid_sentence(f.label)} is {f.shown_state}: {f.reading}" for f in deciding),
        evidence=_evidence(indicators, flags, stance),
        moves=tuple(_moves(spec, indicators, then)),
        watch=tuple(watch),
        watch_note=note,
        thresholds=tuple(_nearest(spec, indicators, flags)),
    )
