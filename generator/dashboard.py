"""Page 1 of the weekly note: what the data say, what changed, what to watch, what would change the view.

Everything here is written from values the plan already computed; nothing is
recomputed. The comparison is with the previous comparable briefing when it is
recent (no older than twice the report's comparison horizon), else with the
data as they stood one horizon earlier (the plan's own comparison), and the
dashboard says which.

* **The reading**: the stance and why, the one or two signals that decide it,
  and what moved since the comparison date.
* **What changed**: flags that changed state, the indicators that moved most
  (a move of the declared ``scale`` of a takeaway counts as notable), and the
  macro releases that arrived (new release vs revision when an archived
  snapshot can tell).
* **What to watch**: scheduled events of the next two weeks from the report's
  calendar, and the next expected release of each tracked macro series, worded
  as expected.
* **What would change the view**: for the flags nearest a threshold, how far
  the value is from it, in the indicator's unit.
"""

from __future__ import annotations

from datetime import date, timedelta

from generator.flag_distance import ConditionDistance, describe_condition, flag_distances
from generator.manifest import Comparison, Dashboard, MoveEntry
from generator.model import Analysis, FlagResult, FlagState
from generator.phrasing import amount
from generator.pointintime import cut
from generator.spec import ReportSpec
from generator.stance import drivers
from generator.watch import Calendar, expected_releases, runs_out_warning, upcoming

WATCH_DAYS = 14
MAX_MOVES = 3
MAX_THRESHOLDS = 3
MAX_LINES = 3  # flag changes, releases and watch items: the rest is summed up in one line (page 1 stays one page)


def _capped(lines: list[str], what: str) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    rest = len(lines) - (MAX_LINES - 1)
    return [*lines[: MAX_LINES - 1], f"and {rest} more {what}"]


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _lower(text: str) -> str:
    """Lower-case a sentence's first word for use mid-sentence, unless it is a name ("Russell", "VIX")."""
    first = text.split(" ", 1)[0]
    if first[1:2].islower() and first.lower() in _COMMON_WORDS:
        return text[:1].lower() + text[1:]
    return text


_COMMON_WORDS = frozenset({
    "the", "one", "two", "three", "no", "only", "mixed", "fragile", "supportive", "concentration", "uneven",
    "rotation", "inflation", "cut", "credit", "volatility", "dispersion", "labor", "tight", "valuation", "small",
    "cap-weighted", "retail", "unemployment", "core", "neither", "since", "curve", "real", "financial",
})


def _deciding(analysis: Analysis) -> list[FlagResult]:
    """The flags that decide the stance: red risks first, then green supports (or ambers when none)."""
    ds = drivers(analysis.flags)
    reds = [d.deciding for d in ds if d.kind == "risk" and d.state is FlagState.RED]
    greens = [d.deciding for d in ds if d.kind == "support" and d.state is FlagState.GREEN]
    ambers = [d.deciding for d in ds if d.kind == "risk" and d.state is FlagState.AMBER]
    label = analysis.stance.label
    order = greens + ambers if label == "Supportive" else reds + ambers + greens
    return [f for f in order if f is not None][:2]


def _flag_changes(analysis: Analysis, since_previous: bool) -> list[str]:
    out = []
    narrative = analysis.narrative
    for f in analysis.flags.values():
        before = f.previous_state if since_previous else (narrative.flags_then.get(f.id) if narrative else None)
        if before is None or before is FlagState.UNKNOWN or f.state is FlagState.UNKNOWN or before is f.state:
            continue
        out.append(f"{f.label} turned {f.state.value} from {before.value}: {f.reading}")
    return out


def _moves(spec: ReportSpec, analysis: Analysis) -> list[MoveEntry]:
    """The indicators that moved most over the horizon, by move / declared scale (notable at 1)."""
    then = analysis.narrative.then if analysis.narrative else {}
    scales: dict[str, float] = {}
    for t in spec.narrative.takeaways:
        if t.indicator is not None and t.measure == "change":
            scales.setdefault(t.indicator, t.scale)
    ranked: list[tuple[float, MoveEntry]] = []
    for iid, scale in scales.items():
        ind = analysis.indicators.get(iid)
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


def _releases_from_comparison(comparison: Comparison) -> list[str]:
    out = []
    for s in comparison.releases:
        dates = ", ".join(f"{d:%b %Y}" if s.frequency == "monthly" else _day(d) for d in s.new_dates[-2:])
        parts = []
        if s.new_dates:
            parts.append(f"new release for {dates}" + (f" ({s.last_after:g})" if s.last_after is not None else ""))
        if s.revisions:
            r = s.revisions[-1]
            parts.append(f"revision of {r.date:%b %Y}: {r.before:g} to {r.after:g}")
        out.append(f"{s.label}: " + "; ".join(parts))
    return out


def _releases_since(spec: ReportSpec, analysis: Analysis, day: date) -> list[str]:
    """Non-daily observations that became public after ``day``: what arrived over the horizon."""
    acquired = analysis.acquired or analysis.snapshot
    then = cut(spec, acquired, day)
    out = []
    for sid, now in acquired.series.items():
        sspec = spec.series.get(sid)
        if sspec is None or sspec.frequency == "daily" or now.values.empty:
            continue
        before = then.series.get(sid)
        known = set(before.values.index) if before is not None else set()
        new = [ts for ts in now.values.index if ts not in known]
        if not new:
            continue
        last = new[-1]
        when = f"{last:%B %Y}" if sspec.frequency == "monthly" else _day(last.date())
        out.append(f"{sspec.label}: new release for {when} ({now.values[last]:g})")
    return out


def _watch(spec: ReportSpec, analysis: Analysis, calendar: Calendar | None, as_of: date) -> tuple[list[str], str]:
    items: list[tuple[date, str]] = []
    note = ""
    if calendar is not None:
        for event in upcoming(calendar, as_of, WATCH_DAYS):
            items.append((event.date, event.text(as_of)))
        note = runs_out_warning(calendar, as_of, WATCH_DAYS) or ""
    macro = ("monthly", "quarterly")  # the releases a reader waits for; daily and weekly data arrive all the time
    for release in expected_releases(spec.series, analysis.snapshot.series, as_of, WATCH_DAYS, frequencies=macro):
        items.append((release.expected, release.text(as_of)))
    items.sort(key=lambda item: item[0])
    return [text for _, text in items], note


def _nearest(spec: ReportSpec, analysis: Analysis) -> list[str]:
    """The flag conditions nearest to changing state, nearest first, measured in widths of their amber band."""
    ranked: list[tuple[float, str]] = []
    for fid, flag in spec.flags.items():
        result = analysis.flags.get(fid)
        if result is None or result.state is FlagState.UNKNOWN:
            continue
        distances = flag_distances(flag, analysis.indicators, result.previous_state)
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


def _evidence(analysis: Analysis) -> str:
    stance = analysis.stance
    ds = drivers(analysis.flags)
    known = sum(d.state is not None for d in ds)
    stale = sum(f.stale for f in analysis.flags.values())
    text = f"{known} of {len(ds)} signals read ({stance.evidence:.0%})"
    if stance.missing:
        text += "; not read: " + ", ".join(stance.missing)
    elif stale:
        text += f"; {stale} stale"
    indicators = list(analysis.indicators.values())
    stale_ind = [i for i in indicators if i.stale]
    missing_ind = [i for i in indicators if i.value is None]
    text += f". {len(indicators) - len(missing_ind)} of {len(indicators)} indicators computed"
    if stale_ind:
        text += f", {len(stale_ind)} from stale inputs (marked where they stand)"
    return text + "."


def _reading(analysis: Analysis, changes: list[str], moves: list[MoveEntry], since: str) -> list[str]:
    stance = analysis.stance
    first = stance.reasons[0] if stance.reasons else stance.label
    if stance.label == "Insufficient evidence":
        return [_sentence(first)]
    label, _, why = first.partition(": ")
    out = [f"The stance is {label}: {_lower(why)}" if why else f"The stance is {label}."]
    deciding = _deciding(analysis)
    if len(deciding) > 1 and len(deciding[0].reading) + len(deciding[1].reading) > 240:
        deciding = deciding[:1]  # the reading stays a few lines: the scorecard has every signal
    if deciding:
        out.append(_sentence("; ".join(f"{_lower(f.label)} is {f.shown_state}: {f.reading}" for f in deciding)))
    if changes:
        out.append(_sentence(f"since {since}, " + _lower(changes[0])))
    elif moves:
        out.append(_sentence(f"since {since} no flag changed state; the largest move: {_lower(moves[0].text)}"))
    else:
        out.append(_sentence(f"since {since} no flag changed state and no indicator moved notably"))
    return out


def build_dashboard(
    spec: ReportSpec,
    analysis: Analysis,
    comparison: Comparison | None,
    calendar: Calendar | None,
    as_of: date,
) -> Dashboard:
    """The dashboard of one briefing (see the module docstring)."""
    horizon = spec.narrative.lookback_days
    lookback = analysis.narrative.lookback_date if analysis.narrative else as_of - timedelta(days=horizon)
    gap_note = ""
    use_previous = comparison is not None and (as_of - comparison.before).days <= 2 * horizon
    if comparison is not None and not use_previous:
        months = round((as_of - comparison.before).days / 30.4)
        age = f"{months} months" if months >= 2 else f"{(as_of - comparison.before).days} days"
        gap_note = (f"The previous briefing ({_day(comparison.before)}) is {age} old, more than twice the "
                    f"{horizon}-day horizon: changes are measured against the data of {_day(lookback)}.")
    if use_previous and comparison is not None:
        compared_with, what = comparison.before, f"the previous briefing ({_day(comparison.before)})"
        releases = _releases_from_comparison(comparison)
        since = _day(comparison.before)
    else:
        compared_with, what = lookback, f"the data as of {_day(lookback)} ({horizon} days earlier)"
        releases = _releases_since(spec, analysis, lookback)
        since = _day(lookback)
    changes = _flag_changes(analysis, since_previous=use_previous)
    moves = _moves(spec, analysis)
    watch, note = _watch(spec, analysis, calendar, as_of)
    return Dashboard(
        compared_with=compared_with,
        compared_what=what,
        gap_note=gap_note,
        reading=_reading(analysis, changes, moves, since),
        evidence=_evidence(analysis),
        flag_changes=_capped(changes, "flag changes (the scorecard has them all)"),
        moves=moves,
        releases=_capped(releases, "releases (the data-quality appendix lists each series' last date)"),
        watch=_capped(watch, "expected releases"),
        watch_note=note,
        thresholds=_nearest(spec, analysis),
    )

