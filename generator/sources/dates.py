"""Reading a file's date column without guessing: day-first dates are never misread as month-first.

Why: a CSV in DD/MM/YYYY read by a parser that guesses per row gives
2025-07-01 for "01/07/2025" but 2025-07-13 for "13/07/2025", so the file
comes out shuffled, "sorted" and silently wrong (eight indicators moved in
one reported case). Here:

* ISO dates (``YYYY-MM-DD``, with or without a time) are never ambiguous and
  are left to the usual parser;
* ``--date-format`` (a ``strftime`` pattern such as ``%d/%m/%Y``) is applied
  exactly when given;
* numeric dates with the year last (``03/04/2025``) are read day-first and
  month-first over the whole column: if only one reading fits every row it is
  used (and said); if both fit, the column is ambiguous and refused, naming
  the file and the fix;
* any other layout is parsed once, and refused if the result is out of order
  (neither oldest-first nor newest-first), the sign of a misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from generator.errors import UsageError

ISO_LIKE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:$|[ T])")
YEAR_LAST = re.compile(r"^\d{1,2}([/.-])\d{1,2}\1(\d{2}|\d{4})$")
FIX = "pass --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first)"


@dataclass(frozen=True)
class Dates:
    """The column's dates (``None``: ISO text, left to the usual parser) and a note on how they were read."""

    index: pd.DatetimeIndex | None
    note: str | None = None


def check_date_format(date_format: str) -> str:
    """``--date-format`` as given, if it reads back what it writes (day, month and year); else ``UsageError``."""
    sample = datetime(2001, 2, 3)
    try:
        ok = datetime.strptime(sample.strftime(date_format), date_format).date() == sample.date()
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(f"--date-format '{date_format}' does not name a day, month and year: "
                         "use strftime codes, e.g. %d/%m/%Y")
    return date_format


def _strings(column: pd.Series) -> pd.Series:
    text = column.astype("string").str.strip()
    return text.where(text.notna() & (text != ""))


def read_dates(column: pd.Series, origin: str, name: str, date_format: str | None = None) -> Dates:
    """The dates of ``column`` (file ``origin``, column ``name``); ``UsageError`` when they cannot be told apart."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return Dates(None)  # Parquet: real timestamps, nothing to guess
    text = _strings(column)
    present = text.dropna()
    if date_format is not None:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        if len(present) and parsed.notna().sum() == 0:
            raise UsageError(f"{origin}: no date in column '{name}' matches --date-format {date_format} "
                             f"(e.g. '{present.iloc[0]}')")
        return Dates(pd.DatetimeIndex(parsed))
    if present.empty or present.str.match(ISO_LIKE).all():
        return Dates(None)
    if present.str.match(YEAR_LAST).all():
        return _day_or_month_first(text, present, origin, name)
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    index = pd.DatetimeIndex(parsed.dropna())
    if not (index.is_monotonic_increasing or index.is_monotonic_decreasing):
        raise UsageError(f"{origin}: dates in column '{name}' (e.g. '{present.iloc[0]}') come out of order when "
                         "read, a sign they are misread; pass --date-format with their layout, e.g. %d %b %Y")
    return Dates(pd.DatetimeIndex(parsed))


def _day_or_month_first(text: pd.Series, present: pd.Series, origin: str, name: str) -> Dates:
    sep = YEAR_LAST.match(str(present.iloc[0])).group(1)  # type: ignore[union-attr]
    year = "%Y" if len(str(present.iloc[0]).rsplit(sep, 1)[-1]) == 4 else "%y"
    readings = {
        "day first": f"%d{sep}%m{sep}{year}",
        "month first": f"%m{sep}%d{sep}{year}",
    }
    fits = {}
    for how, fmt in readings.items():
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed[present.index].notna().all():
            fits[how] = (fmt, parsed)
    if len(fits) == 2:
        example = next((t for t in present if t.split(sep)[0] != t.split(sep)[1]), present.iloc[0])
        day_first = fits["day first"][1][present[present == example].index[0]]
        month_first = fits["month first"][1][present[present == example].index[0]]
        raise UsageError(
            f"{origin}: ambiguous dates in column '{name}' ('{example}' is {day_first.day} {day_first:%B %Y} "
            f"day first, {month_first.day} {month_first:%B %Y} month first); {FIX}"
        )
    if not fits:
        raise UsageError(f"{origin}: dates in column '{name}' fit neither day-first nor month-first reading "
                         f"in every row (e.g. '{present.iloc[0]}'); {FIX}")
    ((how, (fmt, parsed)),) = fits.items()
    return Dates(pd.DatetimeIndex(parsed), f"dates read {how} ({fmt}): the only reading that fits every row")
