"""Profiles and regime rules of the illustrative dataset: how each series is synthesised.

Kept apart from :mod:`generator.sources.illustrative` (which assembles the world
and serves it) so that what shapes the fake world - anchor levels, betas, factor
loadings, the stress-episode generator and the policy rule - can be read and
tuned in one place. Nothing here is real market data: the anchors are round,
plausible magnitudes only, so that charts and thresholds in the briefing look
sensible when live sources are down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.tseries.holiday import (
    AbstractHolidayCalendar,
    GoodFriday,
    Holiday,
    USLaborDay,
    USMartinLutherKingJr,
    USMemorialDay,
    USPresidentsDay,
    USThanksgivingDay,
    nearest_workday,
)

CALENDAR_START = date(1990, 1, 1)
"""First date of the fixed simulation calendar (every path starts here)."""

CALENDAR_END = date(2040, 12, 31)
"""Last date of the fixed calendar; requests are sliced out of this span."""

ANCHOR = date(2026, 6, 30)
"""Date at which price and index levels are pinned to their profile anchor.

Pinning a random walk at one date keeps recent levels plausible (SPY near 600
in 2026) while the history before and after still wanders freely.
"""

NOTE = "Illustrative data - not market data"

Arr = npt.NDArray[np.float64]


class MarketHolidays(AbstractHolidayCalendar):
    """Major US market holidays, so simulated daily series skip the days real ones skip."""

    rules: ClassVar[list[Holiday]] = [
        Holiday("New Year's Day", month=1, day=1, observance=nearest_workday),
        USMartinLutherKingJr,
        USPresidentsDay,
        GoodFriday,
        USMemorialDay,
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        USLaborDay,
        USThanksgivingDay,
        Holiday("Christmas Day", month=12, day=25, observance=nearest_workday),
    ]


@dataclass(frozen=True)
class EquityProfile:
    """A daily price built from common factors plus its own noise.

    Loadings are per unit of each world factor's daily log return: ``market``
    (beta), ``size`` (small minus big), ``tech`` (mega-cap growth), ``value``,
    ``oil`` (log change of WTI), ``rates`` (per percentage point change of the
    2-year yield) and ``stress`` (extra log move per unit of the stress index,
    i.e. how much more it falls when stress builds). ``alpha`` is the extra
    annual log drift, ``idio`` the annualised idiosyncratic volatility.
    """

    anchor: float
    market: float = 1.0
    size: float = 0.0
    tech: float = 0.0
    value: float = 0.0
    oil: float = 0.0
    rates: float = 0.0
    stress: float = 0.0
    alpha: float = 0.0
    idio: float = 0.02


def _small(anchor: float, market: float = 1.05, size: float = 0.85, **kw: float) -> EquityProfile:
    """A small-cap ETF: market and size factor exposure, extra fall under stress."""
    params = {"stress": -0.10, "idio": 0.08, **kw}
    return EquityProfile(anchor=anchor, market=market, size=size, **params)


def _mega(anchor: float, market: float, alpha: float, idio: float) -> EquityProfile:
    """A Magnificent 7 stock: loads on market and on the shared mega-cap tech factor."""
    return EquityProfile(anchor=anchor, market=market, tech=1.0, alpha=alpha, idio=idio)


EQUITIES: dict[str, EquityProfile] = {
    "SPY": EquityProfile(anchor=590.0, idio=0.01),
    "RSP": EquityProfile(anchor=186.0, market=0.95, size=0.3, value=0.3, tech=-0.15, idio=0.025),
    "IWM": _small(232.0, market=1.1, size=1.0, rates=-0.03, stress=-0.12, idio=0.03),
    "IWN": _small(166.0, market=1.05, size=1.0, value=0.6, idio=0.03),
    "IWO": _small(298.0, market=1.15, size=1.0, value=-0.5, tech=0.2, idio=0.035),
    "IJR": _small(114.0, market=1.05, size=0.9, value=0.2, idio=0.03),
    "AAPL": _mega(228.0, 1.10, 0.07, 0.15),
    "MSFT": _mega(482.0, 1.05, 0.06, 0.13),
    "NVDA": _mega(168.0, 1.45, 0.12, 0.30),
    "AMZN": _mega(222.0, 1.25, 0.08, 0.20),
    "GOOGL": _mega(186.0, 1.10, 0.06, 0.17),
    "META": _mega(705.0, 1.30, 0.07, 0.25),
    "TSLA": _mega(338.0, 1.60, 0.10, 0.42),
    "PSCE": _small(38.0, market=1.0, size=0.8, oil=0.5, value=0.4, idio=0.15),
    "PSCI": _small(131.0, market=1.1, size=0.9, value=0.3),
    "PSCU": _small(68.0, market=0.7, size=0.6, rates=-0.05),
    "PSCF": _small(56.0, market=1.0, size=0.8, value=0.5, rates=0.02),
    "PSCH": _small(44.0, market=0.9, size=0.8, idio=0.12),
    "PSCT": _small(49.0, market=1.2, size=0.8, tech=0.4, idio=0.1),
    "PSCD": _small(46.0, market=1.15, size=0.9),
    "PSCM": _small(76.0, market=1.05, size=0.8, value=0.3, oil=0.1),
    "PSCC": _small(54.0, market=0.7, size=0.6, idio=0.09),
    "XLE": EquityProfile(anchor=89.0, market=0.9, value=0.4, oil=0.45, idio=0.1),
    "XLI": EquityProfile(anchor=148.0, market=1.0, value=0.2, idio=0.06),
    "XLU": EquityProfile(anchor=84.0, market=0.55, rates=-0.06, stress=0.04, idio=0.1),
    "XLF": EquityProfile(anchor=52.0, market=1.1, value=0.4, rates=0.02, idio=0.06),
    "XLK": EquityProfile(anchor=255.0, market=1.15, tech=0.7, idio=0.05),
    "XLB": EquityProfile(anchor=90.0, market=1.0, value=0.3, oil=0.1, idio=0.07),
    "XLP": EquityProfile(anchor=80.0, market=0.6, stress=0.03, idio=0.05),
    "XLV": EquityProfile(anchor=140.0, market=0.75, idio=0.06),
    "XLY": EquityProfile(anchor=220.0, market=1.15, tech=0.3, idio=0.06),
    "QQQ": EquityProfile(anchor=540.0, market=1.1, tech=0.6, idio=0.02),
}


@dataclass(frozen=True)
class MacroProfile:
    """A non-equity series: which builder makes it, on which grid, and with what anchor.

    ``builder`` names a function in the simulation module; ``frequency`` is the
    native grid (``weekly_mon`` means weekly dated Mondays); ``anchor`` pins the
    level at :data:`ANCHOR` for index and level builders; ``decimals`` matches how
    the real publisher rounds, so the fake numbers look like the real ones.
    """

    builder: str
    frequency: str
    decimals: int = 2
    anchor: float = 100.0
    params: dict[str, float] = field(default_factory=dict)


MACRO: dict[str, MacroProfile] = {
    "VIX": MacroProfile("vix", "daily"),
    "RVXCLS": MacroProfile("rvx", "daily"),
    "DFEDTARU": MacroProfile("fed_upper", "daily"),
    "DFEDTARL": MacroProfile("fed_lower", "daily"),
    "DFF": MacroProfile("dff", "daily"),
    "DGS2": MacroProfile("dgs2", "daily"),
    "DGS10": MacroProfile("dgs10", "daily"),
    "T10Y2Y": MacroProfile("t10y2y", "daily"),
    "T5YIE": MacroProfile("breakeven", "daily"),
    "BAMLH0A0HYM2": MacroProfile("hy_oas", "daily"),
    "BAA10Y": MacroProfile("baa10y", "daily"),
    "DCOILWTICO": MacroProfile("oil", "daily"),
    "NFCI": MacroProfile("nfci", "weekly", decimals=3),
    "WRMFNS": MacroProfile("money_funds", "weekly_mon", decimals=1, anchor=1950.0),
    "DRTSCIS": MacroProfile("lending_standards", "quarterly", decimals=1),
    "CPIAUCSL": MacroProfile("cpi", "monthly", decimals=3, anchor=324.0),
    "CPILFESL": MacroProfile("core_cpi", "monthly", decimals=3, anchor=331.0),
    "PCEPILFE": MacroProfile("core_pce", "monthly", decimals=3, anchor=126.0),
    "UNRATE": MacroProfile("unrate", "monthly", decimals=1),
    "SAHMREALTIME": MacroProfile("sahm", "monthly"),
    "VIXCLS": MacroProfile("vix", "daily"),
    "T10YIE": MacroProfile("breakeven", "daily"),
    "BAMLC0A0CM": MacroProfile("ig_oas", "daily"),
    "STLFSI4": MacroProfile("nfci", "weekly", decimals=4),
    "ICSA": MacroProfile("claims", "weekly"),
    "PAYEMS": MacroProfile(
        "production", "monthly", decimals=0, anchor=159000.0, params={"trend": 0.012, "cycle": 0.03, "noise": 0.001}
    ),
    "IPMAN": MacroProfile(
        "production", "monthly", decimals=4, anchor=99.5, params={"trend": 0.012, "cycle": 0.13, "noise": 0.005}
    ),
    "USREC": MacroProfile("usrec", "monthly", decimals=0),
    "INDPRO": MacroProfile(
        "production", "monthly", decimals=4, anchor=103.5, params={"trend": 0.017, "cycle": 0.12, "noise": 0.004}
    ),
    "IPUTIL": MacroProfile(
        "production", "monthly", decimals=4, anchor=104.0, params={"trend": 0.006, "cycle": 0.02, "noise": 0.018}
    ),
    "TLMFGCONS": MacroProfile(
        "production", "monthly", decimals=0, anchor=186000.0, params={"trend": 0.035, "cycle": 0.18, "noise": 0.02}
    ),
}

GENERIC: dict[str, MacroProfile] = {
    "rate": MacroProfile("generic_rate", "daily"),
    "spread": MacroProfile("generic_spread", "daily"),
    "index": MacroProfile("generic_level", "daily", params={"trend": 0.02}),
    "level": MacroProfile("generic_level", "daily", decimals=1, anchor=1000.0, params={"trend": 0.04}),
    "percent": MacroProfile("generic_percent", "daily", decimals=1),
    "flag": MacroProfile("usrec", "monthly", decimals=0),
    "commodity": MacroProfile("oil", "daily"),
}
"""Fallback by ``kind`` for a series id with no profile (``price`` uses a generic equity)."""

GENERIC_EQUITY = EquityProfile(anchor=100.0, size=0.3, idio=0.25)


# ---------------------------------------------------------------- regime rules


def ar1(rng: np.random.Generator, n: int, phi: float, sd: float = 1.0) -> Arr:
    """A stationary AR(1) path with standard deviation ``sd``: slow, mean-reverting noise."""
    shocks = rng.standard_normal(n) * sd * math.sqrt(1.0 - phi * phi)
    shocks[0] = rng.standard_normal() * sd
    return np.fromiter(accumulate(shocks.tolist(), lambda a, b: phi * a + b), dtype=np.float64, count=n)


def bump(t: Arr, start: float, amp: float, rise: float, decay: float) -> Arr:
    """A smooth rise over ``rise`` years from ``start`` followed by exponential decay."""
    tau = t - start
    up = np.sin(np.clip(tau / rise, 0.0, 1.0) * (math.pi / 2.0)) ** 2
    fall = np.exp(-np.maximum(tau - rise, 0.0) / decay)
    return np.where(tau < 0.0, 0.0, amp * up * fall)


def stress_episodes(rng: np.random.Generator, span: float) -> list[tuple[float, float, float, float, float]]:
    """Stress episodes as (start, amplitude, onset, decay, recession length), in years.

    Roughly three in ten are major (a recession, a bear market, a credit blow-out);
    the rest are short scares. Spacing is random but never overlapping by much.
    """
    episodes = []
    t = rng.uniform(0.5, 3.0)
    while t < span:
        major = rng.random() < 0.3
        amp = rng.uniform(0.6, 1.0) if major else rng.uniform(0.12, 0.45)
        onset = rng.uniform(0.1, 0.4) if major else rng.uniform(0.02, 0.1)
        decay = rng.uniform(0.5, 1.1) if major else rng.uniform(0.08, 0.3)
        recession = rng.uniform(0.4, 1.4) if major else 0.0
        episodes.append((t, amp, onset, decay, recession))
        t += onset + 2.5 * decay + rng.uniform(1.0, 3.5)
    return episodes


def policy_path(world_days: pd.DatetimeIndex, core_index: Arr, unrate: Arr, stress: Arr, neutral_m: Arr) -> Arr:
    """The target upper bound: a Taylor-type rule applied in 25bp steps at eight meetings a year.

    Moves only when the rule is more than ~40bp away, so the path has plateaus,
    hiking and easing cycles, and bigger cuts when stress is high.
    """
    meetings = []
    for year in range(CALENDAR_START.year, CALENDAR_END.year + 1):
        for month in (1, 3, 5, 6, 7, 9, 10, 12):
            mid = pd.Timestamp(year, month, 15)
            meetings.append(mid + pd.Timedelta(days=(2 - mid.weekday()) % 7))
    effective = world_days.searchsorted(pd.DatetimeIndex(meetings), side="right")
    levels: list[float] = []
    upper = 5.0
    for meeting, eff in zip(meetings, effective, strict=True):
        if eff >= len(world_days):
            break
        m = (meeting.year - CALENDAR_START.year) * 12 + meeting.month - 2
        yoy = (core_index[m] / core_index[m - 12] - 1.0) * 100.0 if m >= 12 else 2.5
        rule = neutral_m[max(m, 0)] + 1.5 * (yoy - 2.0) - 1.2 * (unrate[max(m, 0)] - 4.5) - 5.0 * stress[eff]
        gap = rule - upper
        step = 0.0
        if gap > 0.4:
            step = 0.5 if gap > 1.75 else 0.25
        elif gap < -0.4:
            step = -0.75 if (gap < -2.0 and stress[eff] > 0.4) else (-0.5 if gap < -1.5 else -0.25)
        upper = min(max(upper + step, 0.25), 8.0)
        levels.append(upper)
    change_at = effective[: len(levels)]
    pos = np.searchsorted(change_at, np.arange(len(world_days)), side="right") - 1
    first = levels[0] if levels else 5.0
    return np.where(pos < 0, first, np.asarray(levels)[np.maximum(pos, 0)])
