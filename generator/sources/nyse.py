"""The New York Stock Exchange's trading sessions: which days it trades, and when a day's close is.

Why our own rules and not a calendar library: the partial-bar check needs
only "is there a session on this day, and when does it close", for recent
days. The NYSE's rules fit in a page (NYSE Rule 7.2 and its published
holiday lists); ``exchange_calendars`` would add four packages and a slow
import to every live fetch for the same answer.

Sessions run 09:30-16:00 America/New_York; the day before Independence Day,
the day after Thanksgiving and Christmas Eve close at 13:00 when they are
trading days. Holidays falling on a Sunday are observed on the Monday, on a
Saturday on the Friday, except New Year's Day (no Friday holiday on the 31st
of December). Closures of the exchange itself for national events are listed
from 2001 on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
OPEN = time(9, 30)
CLOSE = time(16, 0)
EARLY_CLOSE = time(13, 0)
# Days the exchange closed for an event, not a rule (9/11, presidents' funerals, Hurricane Sandy).
SPECIAL_CLOSURES = frozenset({
    date(2001, 9, 11), date(2001, 9, 12), date(2001, 9, 13), date(2001, 9, 14),
    date(2004, 6, 11), date(2007, 1, 2), date(2012, 10, 29), date(2012, 10, 30),
    date(2018, 12, 5), date(2025, 1, 9),
})


@dataclass(frozen=True)
class Session:
    """One trading day: its open and close as aware datetimes in New York."""

    day: date
    open: datetime
    close: datetime


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday = 0) of the month; ``n = -1`` for the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _observed(day: date) -> date:
    return day + timedelta(days=1) if day.weekday() == 6 else day - timedelta(days=1) if day.weekday() == 5 else day


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[date]:
    """The NYSE's full-day holidays of ``year`` (by rule) and its special closures."""
    days = {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _easter(year) - timedelta(days=2),  # Good Friday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
        _observed(date(year, 12, 25)),
    }
    new_year = date(year, 1, 1)
    if new_year.weekday() != 5:  # on a Saturday it is not observed (the Friday would fall in the old year)
        days.add(_observed(new_year))
    if year >= 2022:
        days.add(_observed(date(year, 6, 19)))  # Juneteenth
    return frozenset(days | {d for d in SPECIAL_CLOSURES if d.year == year})


def _early_close(day: date) -> bool:
    thanksgiving = _nth_weekday(day.year, 11, 3, 4)
    return (day == thanksgiving + timedelta(days=1)
            or ((day.month, day.day) in ((7, 3), (12, 24)) and day.weekday() < 4))


def session(day: date) -> Session | None:
    """The session of ``day``, or ``None`` when the exchange does not trade (weekend, holiday)."""
    if day.weekday() >= 5 or day in holidays(day.year):
        return None
    close = EARLY_CLOSE if _early_close(day) else CLOSE
    return Session(day, datetime.combine(day, OPEN, NEW_YORK), datetime.combine(day, close, NEW_YORK))
