"""Page 1 written from the data: what to watch (events first, the next one even beyond two weeks), what it is
compared with (the previous briefing when recent, the data one horizon earlier otherwise, with the gap said),
and the lists kept to a page. Hand-made flags, indicators and calendar; the mini report's plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

from generator.dashboard import build_dashboard
from generator.manifest import Comparison
from generator.model import SeriesData, Snapshot
from generator.outlook import MAX_LINES
from generator.phrasing import capped
from generator.plan import compile_plan
from generator.watch import parse_calendar

MINI = Path(__file__).resolve().parent / "fixtures" / "reports" / "mini.toml"
DAY = date(2025, 8, 13)


def _calendar(*days: str):  # type: ignore[no-untyped-def]
    return parse_calendar({
        "last_reviewed": "2025-08-01", "source": "Federal Reserve Board",
        "kinds": {"FOMC decision": {"bears_on": "the Fed"}},
        "events": [{"date": d, "kind": "FOMC decision"} for d in days],
    }, "calendar.toml")


def _analysis(calendar=None):  # type: ignore[no-untyped-def]
    plan = replace(compile_plan(MINI), calendar=calendar)
    days = pd.bdate_range("2024-01-01", "2025-08-13")
    series = {sid: SeriesData(sid, pd.Series(1.0 + i / 10, index=days), "fred") for i, sid in
              enumerate(["T10Y2Y", "DGS10", "T5YIE"])}
    return plan, plan.evaluate(Snapshot(DAY, series, "store"))


def test_events_come_first_and_the_next_one_is_named_beyond_two_weeks() -> None:
    plan, analysis = _analysis(_calendar("2025-08-20", "2025-09-17"))
    soon = build_dashboard(plan.spec, analysis, None, DAY)
    assert soon.watch[0] == "FOMC decision on Wed 20 Aug (in 7 days)"
    assert soon.watch_note == ""
    plan, analysis = _analysis(_calendar("2025-09-17"))
    later = build_dashboard(plan.spec, analysis, None, DAY)
    assert later.watch[0] == "Next: FOMC decision on Wed 17 Sep (in 35 days)"
    plan, analysis = _analysis(_calendar("2025-07-30"))
    ended = build_dashboard(plan.spec, analysis, None, DAY)
    assert ended.watch_note.startswith("the calendar runs out on 2025-07-30 (before the briefing date)")


def test_compared_with_the_previous_briefing_only_when_it_is_recent() -> None:
    plan, analysis = _analysis()
    recent = Comparison(before=date(2025, 8, 6), after=DAY, stance_before="Mixed", stance_after="Mixed",
                        indicators=[], movers=[], flags=[], series=[])
    d = build_dashboard(plan.spec, analysis, recent, DAY)
    assert d.compared_what == "the previous briefing (6 Aug 2025)" and d.gap_note == ""
    # The mini report's horizon is 30 days: a briefing 61 days old is more than twice that.
    old = recent.model_copy(update={"before": date(2025, 6, 13)})
    d = build_dashboard(plan.spec, analysis, old, DAY)
    assert d.compared_what == "the data as of 14 Jul 2025 (30 days earlier)"
    assert d.gap_note == ("The previous briefing (13 Jun 2025) is 2 months old, more than twice the 30-day horizon: "
                          "changes are measured against the data of 14 Jul 2025.")


def test_long_lists_are_summed_up_in_one_line() -> None:
    lines = [f"line {i}" for i in range(7)]
    shortened = capped(lines, "releases", MAX_LINES)
    assert len(shortened) == MAX_LINES
    assert shortened[-1] == f"and {7 - (MAX_LINES - 1)} more releases"
    assert capped(lines[:MAX_LINES], "releases", MAX_LINES) == lines[:MAX_LINES]


def test_the_reading_and_the_evidence_of_a_small_report() -> None:
    plan, analysis = _analysis()
    d = build_dashboard(plan.spec, analysis, None, DAY)
    # One risk flag (the curve: 1.0 points, green above 0.25): Mixed, and the report cannot read Supportive.
    assert d.reading[0] == ("The stance is Mixed: no risk flag red and the report has no supportive signals, so it "
                            "cannot read Supportive.")
    assert d.evidence.startswith("1 of 1 signals read (100%). 3 of 3 indicators computed")
    assert d.thresholds == ["Curve inverted: 10-year minus 2-year Treasury at 1.00 pp: 0.75 points above amber (0.25 pp)"]
