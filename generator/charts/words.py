"""Words for what a chart plots: spans ("over five years", "since 16 Dec 2024"), dates and lists of ids."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


def _count(n: int, unit: str) -> str:
    word = _NUMBERS[n] if n < len(_NUMBERS) else str(n)
    return f"{word} {unit}" if n == 1 else f"{word} {unit}s"


def years_words(years: float) -> str:
    """5 -> 'five years', 1 -> 'one year', 0.5 -> 'six months', 1.5 -> '18 months'."""
    months = round(years * 12)
    if months % 12 == 0:
        return _count(months // 12, "year")
    return _count(months, "month") if months <= 12 else f"{months} months"


def months_words(months: int) -> str:
    """3 -> 'three months', 1 -> 'one month', 12 -> 'twelve months' (a calendar horizon, as the grid counts)."""
    return _count(months, "month")



def day_words(when: pd.Timestamp, monthly: bool = False) -> str:
    """'16 Dec 2024'; 'Sep 2015' for monthly data, whose dates stand for the whole month."""
    return when.strftime("%b %Y") if monthly else f"{when.day} {when.strftime('%b %Y')}"


def listing(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
