"""What to watch: the calendar file's validation (one clear error per problem), upcoming events, expected releases."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from generator.errors import SpecError
from generator.model import SeriesData
from generator.pointintime import known_on
from generator.spec import SeriesSpec
from generator.watch import (
    check_calendar_flags,
    expected_releases,
    load_calendar,
    next_period,
    parse_calendar,
    runs_out_warning,
    upcoming,
)

REPORTS = Path(__file__).resolve().parents[1] / "reports"

HEADER = """\
last_reviewed = 2025-08-01
source = "Federal Reserve Board"
url = "https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm"

[kinds."FOMC decision"]
bears_on = "the policy rate"
"""


def event(day: str, extra: str = "") -> str:
    return f'\n[[events]]\ndate = {day}\nkind = "FOMC decision"\n{extra}'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_calendar(write(tmp_path, text))
    return str(info.value).replace(str(tmp_path) + "/", "").splitlines()


# ---------------------------------------------------------------- the real file


def test_the_real_calendar() -> None:
    cal = load_calendar(REPORTS / "calendar.toml")
    by_year = {y: [e.date for e in cal.events if e.date.year == y] for y in (2025, 2026, 2027)}
    assert by_year[2025] == [date(2025, m, d) for m, d in [(1, 29), (3, 19), (5, 7), (6, 18), (7, 30), (9, 17),
                                                            (10, 29), (12, 10)]]  # fmt: skip
    assert by_year[2026] == [date(2026, m, d) for m, d in [(1, 28), (3, 18), (4, 29), (6, 17), (7, 29), (9, 16),
                                                            (10, 28), (12, 9)]]  # fmt: skip
    assert len(by_year[2027]) == 8 and len(cal.events) == 24
    assert all(e.date.weekday() == 2 for e in cal.events)  # the decision is on the meeting's second day, a Wednesday
    assert all(e.kind == "FOMC decision" and e.source and e.bears_on for e in cal.events)
    assert cal.url == "https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm"
    assert cal.last_reviewed == date(2026, 12, 1)
    report = tomllib.loads((REPORTS / "small_cap_rotation.toml").read_text())
    assert check_calendar_flags(cal, report["flags"]) == []
    assert check_calendar_flags(cal, ["fed_easing"]) == [
        f"{REPORTS / 'calendar.toml'}: kinds.FOMC decision.flags: unknown flag 'cut_repricing'"
    ]
    # on the day this file was last reviewed it still reaches past the 14-day window; a year later it runs out
    assert runs_out_warning(cal, date(2026, 12, 1)) is None
    assert runs_out_warning(cal, date(2027, 11, 30)) == (
        f"the calendar runs out on 2027-12-08 (within 14 days of 2027-11-30): add the next scheduled dates to "
        f"{REPORTS / 'calendar.toml'} from {cal.source}; last reviewed 2026-12-01"
    )


# ---------------------------------------------------------------- one clear error per problem


def test_impossible_date(tmp_path: Path) -> None:
    text = HEADER + event("2025-01-29") + event("2025-02-30")
    assert errors(tmp_path, text) == ["calendar.toml: line 13: not a valid date (YYYY-MM-DD): date = 2025-02-30"]


def test_date_written_as_text(tmp_path: Path) -> None:
    assert errors(tmp_path, HEADER + event('"2025-13-01"')) == [
        "calendar.toml: events[0].date: expected a date (YYYY-MM-DD), got '2025-13-01'"
    ]


def test_missing_source(tmp_path: Path) -> None:
    text = HEADER.replace('source = "Federal Reserve Board"\n', "") + event("2025-01-29")
    assert errors(tmp_path, text) == ["calendar.toml: source: is required but missing"]
    empty = HEADER + event("2025-01-29", 'source = ""')
    assert errors(tmp_path, empty) == ["calendar.toml: events[0].source: must not be empty"]


def test_duplicate_event(tmp_path: Path) -> None:
    text = HEADER + event("2025-01-29") + event("2025-03-19") + event("2025-01-29")
    assert errors(tmp_path, text) == ["calendar.toml: events[2]: duplicate of events[0] (FOMC decision on 2025-01-29)"]


def test_unknown_kind_and_key(tmp_path: Path) -> None:
    text = HEADER + event("2025-01-29").replace("FOMC decision", "FOMC decisions") + event("2025-03-19", "notes = 'x'")
    assert errors(tmp_path, text) == ["calendar.toml: events[1].notes: is not a known key (check the spelling)"]
    assert errors(tmp_path, HEADER + event("2025-01-29").replace("FOMC decision", "FOMC decisions")) == [
        "calendar.toml: events[0].kind: unknown kind 'FOMC decisions' (did you mean 'FOMC decision'?)"
    ]


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = HEADER.replace("last_reviewed = 2025-08-01\n", "") + event("2025-01-29", "when = 'x'")
    assert errors(tmp_path, text) == [
        "calendar.toml: last_reviewed: is required but missing",
        "calendar.toml: events[0].when: is not a known key (check the spelling)",
    ]


def test_no_events_and_missing_file(tmp_path: Path) -> None:
    assert errors(tmp_path, "events = []\n" + HEADER) == ["calendar.toml: events: the calendar lists no events"]
    with pytest.raises(SpecError, match=r"nope\.toml: calendar file not found"):
        load_calendar(tmp_path / "nope.toml")


def test_past_only_calendar_warns_once(tmp_path: Path) -> None:
    cal = load_calendar(write(tmp_path, HEADER + event("2025-10-29") + event("2025-12-10")))
    warning = runs_out_warning(cal, date(2026, 1, 5))
    assert warning == (
        f"the calendar runs out on 2025-12-10 (before the briefing date): add the next scheduled dates to "
        f"{tmp_path / 'calendar.toml'} from Federal Reserve Board; last reviewed 2025-08-01"
    )
    assert upcoming(cal, date(2026, 1, 5)) == ()
    # an event beyond the window: no warning; the last one inside it: warning
    assert runs_out_warning(cal, date(2025, 11, 25)) is None  # 2025-12-10 is 15 days ahead
    assert runs_out_warning(cal, date(2025, 11, 26)) is not None  # exactly 14 days ahead: inside the window


# ---------------------------------------------------------------- upcoming events


def test_upcoming_window(tmp_path: Path) -> None:
    sep = 'note = "with the Summary of Economic Projections"'
    cal = load_calendar(write(tmp_path, HEADER + event("2025-10-29") + event("2025-09-17", sep) + event("2025-07-30")))
    assert [e.date for e in cal.events] == [date(2025, 7, 30), date(2025, 9, 17), date(2025, 10, 29)]  # sorted
    assert [e.date for e in upcoming(cal, date(2025, 9, 3))] == [date(2025, 9, 17)]  # 14 days ahead: in
    assert upcoming(cal, date(2025, 9, 2)) == ()  # 15 days ahead: out
    assert [e.date for e in upcoming(cal, date(2025, 9, 17))] == [date(2025, 9, 17)]  # today's is still to come
    assert upcoming(cal, date(2025, 9, 18)) == ()
    assert [e.date for e in upcoming(cal, date(2025, 9, 17), days=42)] == [date(2025, 9, 17), date(2025, 10, 29)]
    fomc = upcoming(cal, date(2025, 9, 10))[0]
    assert (
        fomc.text(date(2025, 9, 10))
        == "FOMC decision on Wed 17 Sep (in 7 days; with the Summary of Economic Projections)"
    )
    assert (
        fomc.text(date(2025, 9, 17)) == "FOMC decision on Wed 17 Sep (today; with the Summary of Economic Projections)"
    )
    assert (fomc.source, fomc.url, fomc.bears_on) == (
        "Federal Reserve Board", "https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm", "the policy rate",
    )  # fmt: skip


def test_event_source_overrides_the_file(tmp_path: Path) -> None:
    text = HEADER + event("2025-07-30", 'source = "FOMC statement"')
    cal = parse_calendar(tomllib.loads(text), "c.toml")
    assert (cal.events[0].source, cal.events[0].url) == ("FOMC statement", None)


# ---------------------------------------------------------------- expected releases


def series(sid: str, frequency: str, lag: int, label: str | None = None, provider: str = "fred") -> SeriesSpec:
    return SeriesSpec(
        id=sid, provider=provider, label=label or sid, frequency=frequency, kind="index", unit="index",  # type: ignore[arg-type]
        publication_lag_days=lag,
    )  # fmt: skip


def data(sid: str, last: str, freq: str = "MS", periods: int = 3) -> SeriesData:
    idx = pd.date_range(end=last, periods=periods, freq=freq)
    return SeriesData(sid, pd.Series(1.0, index=idx), "csv")


def test_next_period() -> None:
    assert next_period(date(2025, 6, 1), "monthly") == date(2025, 7, 1)
    assert next_period(date(2025, 12, 1), "monthly") == date(2026, 1, 1)
    assert next_period(date(2025, 4, 1), "quarterly") == date(2025, 7, 1)
    assert next_period(date(2025, 8, 1), "weekly") == date(2025, 8, 8)
    assert next_period(date(2025, 8, 12), "daily") == date(2025, 8, 13)  # Tue -> Wed
    assert next_period(date(2025, 8, 15), "daily") == date(2025, 8, 18)  # Fri -> Mon


def test_expected_releases_by_hand() -> None:
    specs = {
        "CPI": series("CPI", "monthly", 45, "Core CPI"),
        "NFCI": series("NFCI", "weekly", 5, "NFCI"),
        "MMF": series("MMF", "weekly", 10, "Money funds"),
        "DGS2": series("DGS2", "daily", 1, "2-year yield"),
        "SLOOS": series("SLOOS", "quarterly", 45, "SLOOS"),
        "SPY": series("SPY", "daily", 0, provider="yahoo"),
        "EMPTY": series("EMPTY", "monthly", 30),
    }
    snaps = {
        "CPI": data("CPI", "2025-06-01"),  # July 2025: 07-01 + 45 days = 08-15
        "NFCI": data("NFCI", "2025-08-08", "W-FRI"),  # week of 08-15 + 5 days = 08-20
        "MMF": data("MMF", "2025-08-04", "W-MON"),  # week of 08-11 + 10 days = 08-21
        "DGS2": data("DGS2", "2025-08-12", "B"),  # Wed 08-13 + 1 day = 08-14
        "SLOOS": data("SLOOS", "2025-04-01", "QS"),  # Q3: 07-01 + 45 days = 08-15
        "SPY": data("SPY", "2025-08-13", "B"),  # a market price: not a macro release
        "EMPTY": SeriesData("EMPTY", pd.Series(dtype=float, index=pd.DatetimeIndex([])), "csv"),
    }
    got = expected_releases(specs, snaps, date(2025, 8, 13))
    assert [(r.series_id, r.period, r.expected, r.overdue) for r in got] == [
        ("DGS2", date(2025, 8, 13), date(2025, 8, 14), False),
        ("CPI", date(2025, 7, 1), date(2025, 8, 15), False),
        ("SLOOS", date(2025, 7, 1), date(2025, 8, 15), False),
        ("NFCI", date(2025, 8, 15), date(2025, 8, 20), False),
        ("MMF", date(2025, 8, 11), date(2025, 8, 21), False),
    ]
    as_of = date(2025, 8, 13)
    texts = {r.series_id: r.text(as_of) for r in got}
    assert texts["CPI"] == "Core CPI for July 2025 expected around 15 Aug (from the declared 45-day lag)"
    assert texts["SLOOS"] == "SLOOS for Q3 2025 expected around 15 Aug (from the declared 45-day lag)"
    assert texts["NFCI"] == "NFCI for the week dated 15 Aug 2025 expected around 20 Aug (from the declared 5-day lag)"
    assert texts["DGS2"] == "2-year yield for 13 Aug 2025 expected around 14 Aug (from the declared 1-day lag)"
    # a shorter window keeps only what is due in it; a filter keeps only the monthly ones
    assert [r.series_id for r in expected_releases(specs, snaps, as_of, days=1)] == ["DGS2"]
    assert [r.series_id for r in expected_releases(specs, snaps, as_of, frequencies=["monthly"])] == ["CPI"]


def test_overdue_and_next_year() -> None:
    specs = {"CPI": series("CPI", "monthly", 45, "Core CPI")}
    # June's value (06-01 + 45 days: public around 2025-07-16 by the declared lag) missing on 2025-07-20: overdue
    late = expected_releases(specs, {"CPI": data("CPI", "2025-05-01")}, date(2025, 7, 20))
    assert late[0].overdue and late[0].expected == date(2025, 7, 16)
    assert late[0].text(date(2025, 7, 20)) == (
        "Core CPI for June 2025 was expected around 16 Jul (from the declared 45-day lag) and is not in the data yet"
    )
    # December's value is expected in the next year: the year is printed
    dec = expected_releases(specs, {"CPI": data("CPI", "2025-11-01")}, date(2025, 12, 20), days=30)
    assert (
        dec[0].text(date(2025, 12, 20))
        == "Core CPI for December 2025 expected around 15 Jan 2026 (from the declared 45-day lag)"
    )
    # outside the window: nothing
    assert expected_releases(specs, {"CPI": data("CPI", "2025-05-01")}, date(2025, 7, 1)) == ()  # 07-16 is 15 days on
    lag0 = expected_releases(
        {"T": series("T", "daily", 0, "Target")}, {"T": data("T", "2025-08-12", "B")}, date(2025, 8, 12)
    )
    assert (
        lag0[0].text(date(2025, 8, 12))
        == "Target for 13 Aug 2025 expected around 13 Aug (declared public on its own date)"
    )


def test_expected_date_is_when_pointintime_makes_it_known() -> None:
    """The expected date is exactly the day the point-in-time cut (generator/pointintime.py) admits the observation."""
    spec = series("CPILFESL", "monthly", 45)
    full = SeriesData("CPILFESL", pd.Series(1.0, index=pd.date_range("2024-01-01", "2025-12-01", freq="MS")), "csv")
    as_of = date(2025, 8, 13)
    (release,) = expected_releases({"CPILFESL": spec}, {"CPILFESL": known_on(full, spec, as_of)}, as_of)
    assert known_on(full, spec, release.expected).last_date == release.period
    assert known_on(full, spec, release.expected - timedelta(days=1)).last_date == release.last_known
