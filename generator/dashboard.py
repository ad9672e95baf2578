"""Page 1 of the weekly note, as recorded: the analysis's outlook joined with the comparison.

Everything here is written from values already computed: the plan's outlook
(:mod:`generator.outlook`) and the record's comparison with the previous
briefing. The comparison is with the previous comparable briefing when it is
recent (no older than twice the report's comparison horizon), else with the
data as they stood one horizon earlier (the plan's own comparison), and the
dashboard says which.

* **The reading**: the stance and why, the one or two signals that decide it,
  and what moved since the comparison date.
* **What changed**: flags that changed state, the biggest moves, and the
  macro releases that arrived (new release vs revision when an archived
  snapshot can tell).
* **What to watch** and **what would change the view**: the outlook's.
"""

from __future__ import annotations

from datetime import date, timedelta

from generator.manifest import Comparison, Dashboard, MoveEntry
from generator.model import Analysis, FlagState
from generator.outlook import MAX_LINES, Outlook
from generator.phrasing import capped, mid_sentence
from generator.pointintime import cut
from generator.spec import ReportSpec


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _flag_changes(analysis: Analysis, since_previous: bool) -> list[str]:
    out = []
    narrative = analysis.narrative
    for f in analysis.flags.values():
        before = f.previous_state if since_previous else (narrative.flags_then.get(f.id) if narrative else None)
        if before is None or before is FlagState.UNKNOWN or f.state is FlagState.UNKNOWN or before is f.state:
            continue
        out.append(f"{f.label} turned {f.state.value} from {before.value}: {f.reading}")
    return out


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


def _reading(analysis: Analysis, outlook: Outlook, changes: list[str], moves: tuple[MoveEntry, ...],
             since: str) -> list[str]:
    stance = analysis.stance
    first = stance.reasons[0] if stance.reasons else stance.label
    if stance.label == "Insufficient evidence":
        return [_sentence(first)]
    label, _, why = first.partition(": ")
    out = [f"The stance is {label}: {mid_sentence(why)}" if why else f"The stance is {label}."]
    if outlook.deciding:
        out.append(_sentence("; ".join(outlook.deciding)))
    if changes:
        out.append(_sentence(f"since {since}, " + mid_sentence(changes[0])))
    elif moves:
        out.append(_sentence(f"since {since} no flag changed state; the largest move: {mid_sentence(moves[0].text)}"))
    else:
        out.append(_sentence(f"since {since} no flag changed state and no indicator moved notably"))
    return out


def build_dashboard(spec: ReportSpec, analysis: Analysis, comparison: Comparison | None, as_of: date) -> Dashboard:
    """The dashboard of one briefing (see the module docstring)."""
    outlook = analysis.outlook
    if outlook is None:
        raise ValueError("the analysis has no outlook: evaluate it with the plan")
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
    return Dashboard(
        compared_with=compared_with,
        compared_what=what,
        gap_note=gap_note,
        reading=_reading(analysis, outlook, changes, outlook.moves, since),
        evidence=outlook.evidence,
        flag_changes=capped(changes, "flag changes (the scorecard has them all)", MAX_LINES),
        moves=list(outlook.moves),
        releases=capped(releases, "releases (the data-quality appendix lists each series' last date)", MAX_LINES),
        watch=list(outlook.watch),
        watch_note=outlook.watch_note,
        thresholds=list(outlook.thresholds),
    )

