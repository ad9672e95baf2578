"""What to watch: scheduled events from ``reports/calendar.toml`` and the next expected macro releases.

**The calendar file** lists dated events (FOMC decisions) with what each bears
on and where the dates come from; it is validated whole at load, one line per
problem naming the key (``reports/calendar.toml: events[3].date: expected a
date (YYYY-MM-DD), got '2025-02-30'``). Its ``last_reviewed`` date says when
someone last checked it against its source; :func:`runs_out_warning` tells the
caller when it has no event left beyond the briefing's look-ahead.

**Expected releases** are estimates, worded as such: a macro observation is
dated at the start of its period and becomes public ``publication_lag_days``
later (the semantics of :mod:`generator.pointintime`). The next observation
after the last known one is therefore *expected* around its period start plus
the declared lag, e.g. "CPI for July 2025 expected around 15 Aug (from the
declared 45-day lag)". Agencies' own release calendars move these dates by a
few days; the wording never states them as fact.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.errors import SpecError
from generator.model import SeriesData
from generator.spec import SeriesSpec, _describe, format_loc

DEFAULT_CALENDAR = Path("reports/calendar.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventKindSpec(_Strict):
    """A kind of event (``[kinds."FOMC decision"]``): what it bears on, shared by its events."""

    bears_on: str = Field(min_length=1, description="What it bears on in the thesis, in a few words")
    flags: list[str] = Field(default_factory=list, description="Flags of the report it can move")
    detail: str = ""


class EventSpec(_Strict):
    """One dated event (``[[events]]``); ``source``/``url`` override the file's for this event."""

    date: dt.date
    kind: str = Field(min_length=1)
    note: str = ""
    source: str | None = Field(default=None, min_length=1)
    url: str | None = None


class CalendarSpec(_Strict):
    """The whole file: when it was last checked, where its dates come from, the kinds and the events."""

    last_reviewed: date
    source: str = Field(min_length=1)
    url: str | None = None
    kinds: dict[str, EventKindSpec]
    events: list[EventSpec]


@dataclass(frozen=True)
class Event:
    """An event as the briefing shows it, its kind's description and the source resolved."""

    date: dt.date
    kind: str
    bears_on: str
    flags: tuple[str, ...]
    detail: str
    note: str
    source: str
    url: str | None

    def text(self, as_of: dt.date) -> str:
        """``"FOMC decision on Wed 17 Sep (in 4 days; with the Summary of Economic Projections)"``."""
        days = (self.date - as_of).days
        when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
        extra = f"; {self.note}" if self.note else ""
        return f"{self.kind} on {_day(self.date, as_of, weekday=True)} ({when}{extra})"


@dataclass(frozen=True)
class Calendar:
    """A validated calendar: events sorted by date. ``name`` is how messages refer to the file."""

    name: str
    last_reviewed: date
    source: str
    url: str | None
    events: tuple[Event, ...]

    @property
    def last_date(self) -> date:
        return self.events[-1].date


def _day(d: date, as_of: date, weekday: bool = False) -> str:
    """``15 Aug``, with the year when it is not ``as_of``'s, and the weekday when asked (``Wed 17 Sep``)."""
    text = f"{d.day} {d:%b}" + ("" if d.year == as_of.year else f" {d.year}")
    return f"{d:%a} {text}" if weekday else text


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _problem(error: Mapping[str, Any]) -> str:
    if str(error["type"]).startswith(("date_", "datetime_")):
        got = error.get("input")
        return f"expected a date (YYYY-MM-DD), got {got!r}" if got is not None else "expected a date (YYYY-MM-DD)"
    if error["type"] == "string_too_short":
        return "must not be empty"
    return _describe(dict(error))


def _toml_problem(name: str, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML error in words; an impossible date (``date = 2025-02-30``) quoted from its line."""
    message = str(exc)
    found = re.search(r"at line (\d+)", message)
    if found and message.startswith("Invalid date"):
        lineno = int(found.group(1))
        line = text.splitlines()[lineno - 1].strip()
        return f"{name}: line {lineno}: not a valid date (YYYY-MM-DD): {line}"
    return f"{name}: not valid TOML: {message}"


def _cross_check(spec: CalendarSpec) -> list[str]:
    problems: list[str] = []
    if not spec.events:
        problems.append("events: the calendar lists no events")
    kinds = list(spec.kinds)
    seen: dict[tuple[date, str], int] = {}
    for i, event in enumerate(spec.events):
        if event.kind not in spec.kinds:
            problems.append(f"events[{i}].kind: unknown kind '{event.kind}'{_suggest(event.kind, kinds)}")
        key = (event.date, event.kind)
        if key in seen:
            problems.append(f"events[{i}]: duplicate of events[{seen[key]}] ({event.kind} on {event.date})")
        seen.setdefault(key, i)
    return problems


def parse_calendar(data: Mapping[str, Any], name: str) -> Calendar:
    """Validate a parsed calendar file whole; one ``SpecError`` listing every problem, each naming its key."""
    try:
        spec = CalendarSpec.model_validate(data)
    except ValidationError as exc:
        lines = [f"{name}: {format_loc(tuple(e['loc']))}: {_problem(e)}" for e in exc.errors()]
        raise SpecError("\n".join(lines)) from None
    problems = _cross_check(spec)
    if problems:
        raise SpecError("\n".join(f"{name}: {p}" for p in problems))
    events = []
    for e in sorted(spec.events, key=lambda e: (e.date, e.kind)):
        kind = spec.kinds[e.kind]
        events.append(
            Event(
                date=e.date, kind=e.kind, bears_on=kind.bears_on, flags=tuple(kind.flags), detail=kind.detail,
                note=e.note, source=e.source or spec.source, url=e.url if e.source else (e.url or spec.url),
            )
        )  # fmt: skip
    return Calendar(name, spec.last_reviewed, spec.source, spec.url, tuple(events))


def load_calendar(path: str | Path = DEFAULT_CALENDAR) -> Calendar:
    """Read and validate a calendar file (``reports/calendar.toml``); raise ``SpecError`` naming file and key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: calendar file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read calendar file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(_toml_problem(str(path), text, exc)) from None
    return parse_calendar(data, str(path))


def check_calendar_flags(calendar: Calendar, flag_ids: Iterable[str]) -> list[str]:
    """Flags the calendar's kinds name that the report does not declare, one line each."""
    known = list(flag_ids)
    problems: list[str] = []
    for kind in dict.fromkeys(e.kind for e in calendar.events):
        flags = next(e.flags for e in calendar.events if e.kind == kind)
        problems += [
            f"{calendar.name}: kinds.{kind}.flags: unknown flag '{f}'{_suggest(f, known)}"
            for f in flags
            if f not in known
        ]
    return problems


def upcoming(calendar: Calendar, as_of: date, days: int = 14) -> tuple[Event, ...]:
    """Events dated from ``as_of`` (an event today is still to come) to ``as_of + days``, in date order."""
    end = as_of + timedelta(days=days)
    return tuple(e for e in calendar.events if as_of <= e.date <= end)


def runs_out_warning(calendar: Calendar, as_of: date, horizon: int = 14) -> str | None:
    """A warning when no event lies beyond ``as_of + horizon`` days, else ``None``.

    Past that point the calendar can no longer say what is coming: "the calendar
    runs out on 2026-12-09 ..." with what to do about it.
    """
    if any(e.date > as_of + timedelta(days=horizon) for e in calendar.events):
        return None
    where = "before the briefing date" if calendar.last_date < as_of else f"within {horizon} days of {as_of}"
    return (
        f"the calendar runs out on {calendar.last_date} ({where}): add the next scheduled dates to "
        f"{calendar.name} from {calendar.source}; last reviewed {calendar.last_reviewed}"
    )


# ---------------------------------------------------------------- expected releases of the macro series


@dataclass(frozen=True)
class ExpectedRelease:
    """The next observation of a series and when it is expected to be public (an estimate, not a fact).

    ``period`` is the observation's date (the start of its period), ``expected``
    = ``period + lag_days``. ``overdue``: expected on or before the briefing date
    but not in the data.
    """

    series_id: str
    label: str
    frequency: str
    period: date
    expected: date
    lag_days: int
    last_known: date
    overdue: bool

    def period_text(self) -> str:
        p = self.period
        if self.frequency == "monthly":
            return f"{p:%B %Y}"
        if self.frequency == "quarterly":
            return f"Q{(p.month - 1) // 3 + 1} {p.year}"
        if self.frequency == "weekly":
            return f"the week dated {p.day} {p:%b %Y}"
        return f"{p.day} {p:%b %Y}"

    def text(self, as_of: date) -> str:
        """``"CPI for July 2025 expected around 15 Aug (from the declared 45-day lag)"``; overdue ones say so."""
        why = f"from the declared {self.lag_days}-day lag" if self.lag_days else "declared public on its own date"
        when = _day(self.expected, as_of)
        if self.overdue:
            return (
                f"{self.label} for {self.period_text()} was expected around {when} ({why}) and is not in the data yet"
            )
        return f"{self.label} for {self.period_text()} expected around {when} ({why})"


def next_period(last: date, frequency: str) -> date:
    """The observation date after ``last``: + 1 month, + 3 months, + 7 days, or the next weekday for daily series.

    Daily series are taken to be published on weekdays (exchange holidays are
    not modelled: an estimate).
    """
    ts = pd.Timestamp(last)
    if frequency == "monthly":
        return (ts + pd.DateOffset(months=1)).date()
    if frequency == "quarterly":
        return (ts + pd.DateOffset(months=3)).date()
    if frequency == "weekly":
        return last + timedelta(days=7)
    if frequency == "daily":
        return (ts + pd.offsets.BDay(1)).date()
    raise ValueError(f"unknown frequency {frequency!r}")


def expected_releases(
    series_specs: Mapping[str, SeriesSpec],
    snapshots: Mapping[str, SeriesData],
    as_of: date,
    days: int = 14,
    *,
    providers: Collection[str] = ("fred",),
    frequencies: Collection[str] | None = None,
) -> tuple[ExpectedRelease, ...]:
    """The next expected release of each tracked macro series, for the ``days`` after ``as_of``.

    For each series of ``providers`` (and ``frequencies``, all when ``None``)
    with data: last = its last known observation date; period =
    :func:`next_period` (last); expected = period + ``publication_lag_days``.
    Kept when expected <= ``as_of + days``: those after ``as_of`` are coming,
    those on or before it are overdue (the declared lag says they should be out
    but the data do not have them). Sorted by expected date, then series id.
    Series without any observation are left out: the data-quality box reports them.
    """
    end = as_of + timedelta(days=days)
    out: list[ExpectedRelease] = []
    for sid, spec in series_specs.items():
        data = snapshots.get(sid)
        if spec.provider not in providers or (frequencies is not None and spec.frequency not in frequencies):
            continue
        if data is None or data.values.dropna().empty:
            continue
        last = data.values.dropna().index[-1].date()
        period = next_period(last, spec.frequency)
        expected = period + timedelta(days=spec.publication_lag_days)
        if expected <= end:
            out.append(
                ExpectedRelease(
                    series_id=sid, label=spec.label, frequency=spec.frequency, period=period, expected=expected,
                    lag_days=spec.publication_lag_days, last_known=last, overdue=expected <= as_of,
                )
            )  # fmt: skip
    return tuple(sorted(out, key=lambda r: (r.expected, r.series_id)))
