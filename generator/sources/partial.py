"""Partial bars: a daily bar taken before the close is a quote, not the day's close. It is left out, and said.

Two ways to know:

* **live data** (Yahoo): from the exchange calendar and the fetch time. A bar
  dated on the fetch day, fetched before that day's close (16:00 New York,
  13:00 on early-close days) or on a day without a session, is partial.
* **imported files**: from what the data show, on the last row only (a file
  says nothing of when it was written). The last row is partial when its
  volume is far below recent days (under 40 % of the median of the 20 rows
  before it; not applied on the exchange's half days, which trade about half
  the volume), or when its close has sub-cent digits while every one of the 20
  closes before it is a whole number of cents (an intraday quote such as
  755.645 at the end of a file of closes; official closes are whole cents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from generator.sources.nyse import CLOSE, NEW_YORK, session
from generator.sources.validate import fmt_number

RECENT = 20  # rows before the last that say what a normal day looks like
VOLUME_SHARE = 0.40
# How far from a whole cent a close may be and still count as whole: files carry float32 tails
# (739.0900268554688); a price's float32 rounding is up to 2**-24 of it.
CENT_TOLERANCE = 0.01
SUB_CENT = 0.05


@dataclass(frozen=True)
class PartialBar:
    """The left-out bar: its date and why it is taken for partial (the notes' words)."""

    day: date
    reason: str


def live_partial(last_day: date, fetched: datetime) -> PartialBar | None:
    """Whether the bar dated ``last_day`` (exchange date) was still forming at ``fetched`` (an aware time)."""
    local = fetched.astimezone(NEW_YORK)
    if last_day < local.date():
        return None  # a bar of an earlier day: that day's close has come
    trading = session(last_day)
    at = f"{local:%H:%M} New York time"
    if trading is None:
        return PartialBar(last_day, f"fetched at {at} on a day the exchange does not trade")
    if local >= trading.close:
        return None
    return PartialBar(last_day, f"fetched at {at}, before the {trading.close:%H:%M} close")


def _whole_cents(values: np.ndarray) -> np.ndarray:
    cents = np.abs(values) * 100
    tolerance = np.maximum(CENT_TOLERANCE, cents * 2.0**-24)
    return np.abs(cents - np.round(cents)) <= tolerance


def file_partial(values: pd.Series, volume: pd.Series | None = None, prices: bool = True) -> PartialBar | None:
    """Whether the last row of an imported daily market file is a partial bar, from the data alone.

    ``values`` are the file's checked values (closes, or volumes), ``volume``
    its volume column on the same dates when it has one; ``prices`` says the
    values are prices in dollars (so the sub-cent rule applies).
    """
    if len(values) < RECENT + 1:
        return None
    last_day = values.index[-1]
    day = last_day.date()
    trading = session(day)
    short_day = trading is not None and trading.close.time() != CLOSE  # a half day trades half the volume
    if volume is not None and not short_day:
        recent = volume.reindex(values.index[-RECENT - 1:-1]).dropna().to_numpy()
        last = volume.get(last_day)
        median = float(np.median(recent)) if len(recent) >= RECENT // 2 else 0.0
        if last is not None and pd.notna(last) and median > 0 and last < VOLUME_SHARE * median:
            return PartialBar(day, f"volume {fmt_number(float(last))} is {last / median:.0%} of the median of the "
                                   f"{RECENT} rows before it ({fmt_number(median)})")
    if prices:
        closes = values.to_numpy()
        earlier = closes[-RECENT - 1:-1]
        final = closes[-1:]
        if _whole_cents(earlier).all() and np.abs(final * 100 - np.round(final * 100))[0] > SUB_CENT:
            return PartialBar(day, f"close {fmt_number(float(final[0]))} has sub-cent digits while the "
                                   f"{RECENT} closes before it are whole cents")
    return None
