"""The built-in illustrative dataset: a seeded, synthetic but plausible macro world.

Used when live sources are unreachable and nothing is stored, so a briefing can
still be produced (clearly labelled as illustrative). Every series is simulated
once on a fixed calendar (:data:`CALENDAR_START` to :data:`CALENDAR_END`) and
then sliced, so its values depend only on the seed and the series id - never on
which other series were requested or on the requested window. Series share one
simulated "world" (stress episodes, a market factor, a policy rate that follows
a rule) so that they move together the way a reader expects: VIX spikes when
equities fall, spreads widen in stress, the Fed cuts in recessions.

Nothing here is derived from real data; the profile anchors only set magnitudes.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate

import numpy as np
import numpy.typing as npt
import pandas as pd

from generator.model import SeriesData
from generator.sources.base import FetchResult
from generator.sources.illustrative_profiles import (
    ANCHOR,
    CALENDAR_END,
    CALENDAR_START,
    EQUITIES,
    GENERIC,
    GENERIC_EQUITY,
    MACRO,
    NOTE,
    Arr,
    EquityProfile,
    MacroProfile,
    MarketHolidays,
    ar1,
    bump,
    policy_path,
    stress_episodes,
)
from generator.spec import SeriesSpec

DEFAULT_SEED = 20240918
_DAYS_PER_YEAR = 252.0


def _years(index: pd.DatetimeIndex) -> Arr:
    """Time in years since the calendar start: the clock every shape is drawn on."""
    delta = (index - pd.Timestamp(CALENDAR_START)).days.to_numpy()
    return np.asarray(delta, dtype=np.float64) / 365.25


def _asof(index: pd.DatetimeIndex, target: pd.DatetimeIndex) -> npt.NDArray[np.intp]:
    """Positions in ``index`` of the last date on or before each ``target`` date (clipped at 0)."""
    return np.asarray(np.clip(index.searchsorted(target, side="right") - 1, 0, len(index) - 1), dtype=np.intp)


@dataclass(frozen=True)
class _World:
    """Everything shared between series for one seed: the common drivers of the fake economy."""

    days: pd.DatetimeIndex
    months: pd.DatetimeIndex
    t: Arr  # years since start, per business day
    stress: Arr  # 0..1 financial stress, per business day
    cycle_m: Arr  # recession impulse on unemployment and output, per month
    usrec: Arr  # 0/1 recession months
    unrate: Arr  # unemployment rate, rounded like the release
    core_trend: Arr  # underlying core inflation, % a year, per month
    core_mm: Arr  # core CPI monthly % change
    upper: Arr  # fed funds target upper bound, per business day
    dgs2: Arr
    dgs10: Arr
    sigma: Arr  # annualised market volatility
    scale: Arr  # volatility relative to calm, applied to every factor
    market: Arr  # market factor daily log return
    size: Arr
    tech: Arr
    value: Arr
    log_oil: Arr
    vix: Arr

    def grid(self, frequency: str) -> pd.DatetimeIndex:
        """The dates a series of this frequency is published on, within the calendar."""
        if frequency == "daily":
            return self.days
        start, end = self.days[0], self.days[-1]
        freq = {"weekly": "W-FRI", "weekly_mon": "W-MON", "monthly": "MS", "quarterly": "QS"}[frequency]
        return pd.date_range(start, end, freq=freq, name="date")

    def daily_of_monthly(self, monthly: Arr) -> Arr:
        """A monthly array stepped onto business days (each day takes its month's value)."""
        month_pos = (self.days.year - CALENDAR_START.year) * 12 + self.days.month - 1
        return np.asarray(monthly[np.asarray(month_pos)], dtype=np.float64)


@lru_cache(maxsize=4)
def _world(seed: int) -> _World:
    """Simulate the shared drivers for one seed (cached: every series of a run reuses them)."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence([seed, 0]).spawn(6)]
    start, end = pd.Timestamp(CALENDAR_START), pd.Timestamp(CALENDAR_END)
    holidays = MarketHolidays().holidays(start, end)
    days = pd.bdate_range(start, end, freq="C", holidays=holidays, name="date")
    months = pd.date_range(start, end, freq="MS", name="date")
    t, tm = _years(days), _years(months) + 0.04
    n, nm = len(days), len(months)

    # Stress episodes and the recessions that come with the major ones.
    episodes = stress_episodes(rngs[0], float(t[-1]))
    stress = np.zeros(n)
    cycle_m = np.zeros(nm)
    usrec = np.zeros(nm)
    for s0, amp, onset, decay, rec in episodes:
        stress += bump(t, s0, amp, onset, decay)
        if rec > 0.0:
            cycle_m += bump(tm, s0, amp, rec + 0.3, 2.0)
            usrec[(tm >= s0) & (tm < s0 + rec)] = 1.0
    stress = np.clip(stress, 0.0, 1.0)

    # Labour market and inflation, monthly.
    r = rngs[1]
    unrate = np.clip(4.4 + 0.45 * ar1(r, nm, 0.99) + 3.0 * cycle_m + r.normal(0.0, 0.07, nm), 3.3, 11.0).round(1)
    core_trend = np.clip(2.9 + 0.55 * ar1(r, nm, 0.985) - 0.4 * cycle_m, 1.8, 4.6)
    core_mm = core_trend / 12.0 + r.normal(0.0, 0.075, nm)
    core_index = np.exp(np.cumsum(core_mm / 100.0))
    neutral_m = 2.6 + 0.4 * ar1(r, nm, 0.995)

    # Policy and the curve: the 2-year looks ahead along the (simulated) policy path.
    upper = policy_path(days, core_index, unrate, stress, neutral_m)
    r = rngs[2]
    mid = upper - 0.125
    ahead = pd.Series(mid[::-1]).ewm(alpha=1.0 / 200.0, adjust=False).mean().to_numpy()[::-1]
    noise2 = r.normal(0.0, 0.02, n)
    dgs2 = np.maximum(0.3 * mid + 0.7 * ahead + 0.15 + 0.3 * ar1(r, n, 0.995) + noise2, 0.03)
    core_trend_d = core_trend[np.asarray((days.year - CALENDAR_START.year) * 12 + days.month - 1)]
    term_premium = 0.35 + 0.45 * ar1(r, n, 0.998)
    dgs10 = 0.35 * dgs2 + 0.65 * (core_trend_d + 0.9 + term_premium) + 0.6 * noise2 + r.normal(0.0, 0.025, n)
    dgs10 = np.maximum(dgs10, 0.3)

    # Market factor with volatility clustering; VIX reads the volatility after today's move.
    r = rngs[3]
    z = r.standard_normal(n)
    feed = (0.06 * (np.abs(z) - 0.8) - 0.05 * z).tolist()
    h = np.fromiter(accumulate([0.0, *feed], lambda a, b: 0.98 * a + b), dtype=np.float64, count=n + 1)
    stress_vol = 1.0 + 1.6 * stress
    sigma = 0.125 * np.exp(h[:-1]) * stress_vol
    dstress = np.diff(stress, prepend=stress[0])
    market = (0.085 - 0.5 * sigma**2) / _DAYS_PER_YEAR + sigma / math.sqrt(_DAYS_PER_YEAR) * z - 0.42 * dstress
    raw_vix = 108.0 * 0.125 * np.exp(h[1:]) * stress_vol + 2.5 + ar1(r, n, 0.9)
    vix = np.minimum(9.0 + np.logaddexp(0.0, raw_vix - 9.0), 85.0)  # soft floor: no flat stretches
    scale = sigma / 0.13

    # Style factors drift in slow multi-year regimes (rotations), and oil mean-reverts.
    r = rngs[4]
    slow = 1.0 - 1.0 / (_DAYS_PER_YEAR * 1.5)
    daily = 1.0 / math.sqrt(_DAYS_PER_YEAR)

    def factor(drift: float, drift_sd: float, vol: float) -> Arr:
        trend = drift + drift_sd * ar1(r, n, slow)
        return trend / _DAYS_PER_YEAR + vol * daily * scale * r.standard_normal(n)

    size, tech, value = factor(0.0, 0.06, 0.10), factor(0.04, 0.08, 0.12), factor(0.0, 0.05, 0.07)
    log_oil = math.log(70.0) + ar1(r, n, 1.0 - 0.8 / _DAYS_PER_YEAR, 0.26) - 0.35 * stress
    log_oil = np.clip(log_oil, math.log(28.0), math.log(145.0))
    return _World(
        days,
        months,
        t,
        stress,
        cycle_m,
        usrec,
        unrate,
        core_trend,
        core_mm,
        upper,
        dgs2,
        dgs10,
        sigma,
        scale,
        market,
        size,
        tech,
        value,
        log_oil,
        vix,
    )


def _anchored(log_level: Arr, index: pd.DatetimeIndex, level: float) -> Arr:
    """Exponentiate a log path, shifted so it equals ``level`` at :data:`ANCHOR`."""
    pos = int(_asof(index, pd.DatetimeIndex([pd.Timestamp(ANCHOR)]))[0])
    return np.asarray(level * np.exp(log_level - log_level[pos]), dtype=np.float64)


def _equity(w: _World, p: EquityProfile, rng: np.random.Generator) -> tuple[pd.DatetimeIndex, Arr]:
    """A daily price: factor exposures, own noise (scaled by market volatility), pinned at the anchor."""
    n = len(w.days)
    d_oil = np.diff(w.log_oil, prepend=w.log_oil[0])
    d_rates = np.diff(w.dgs2, prepend=w.dgs2[0])
    d_stress = np.diff(w.stress, prepend=w.stress[0])
    ret = (
        p.alpha / _DAYS_PER_YEAR
        + p.market * w.market
        + p.size * w.size
        + p.tech * w.tech
        + p.value * w.value
        + p.oil * d_oil
        + p.rates * d_rates
        + p.stress * d_stress
        + p.idio / math.sqrt(_DAYS_PER_YEAR) * w.scale * rng.standard_normal(n)
    )
    return w.days, _anchored(np.cumsum(ret), w.days, p.anchor)


Builder = Callable[[_World, MacroProfile, np.random.Generator], tuple[pd.DatetimeIndex, Arr]]


Values = Callable[[_World, MacroProfile, np.random.Generator], Arr]


def _daily(values: Values) -> Builder:
    """Wrap a function of the world into a builder on the business-day grid."""
    return lambda w, p, rng: (w.days, values(w, p, rng))


def _monthly(values: Values) -> Builder:
    """Wrap a function of the world into a builder on the first-of-month grid."""
    return lambda w, p, rng: (w.months, values(w, p, rng))


def _price_index(w: _World, p: MacroProfile, mm: Arr) -> Arr:
    """Chain monthly % changes into an index pinned at the profile anchor."""
    return _anchored(np.cumsum(mm / 100.0), w.months, p.anchor)


def _monthly_oil_change(w: _World) -> Arr:
    """Month-on-month log change of the monthly average oil price (energy in headline CPI)."""
    starts = w.days.searchsorted(w.months)
    avg = np.add.reduceat(w.log_oil, starts) / np.diff(np.append(starts, len(w.days)))
    return np.diff(avg, prepend=avg[0])


def _sahm(w: _World, p: MacroProfile, rng: np.random.Generator) -> Arr:
    """Sahm rule from the simulated unemployment rate: 3-month average minus its prior 12-month low."""
    avg3 = pd.Series(w.unrate).rolling(3).mean()
    low = avg3.shift(1).rolling(12, min_periods=1).min()
    return np.asarray(np.maximum((avg3 - low).to_numpy(dtype=np.float64), 0.0), dtype=np.float64)


def _money_funds(w: _World, p: MacroProfile, rng: np.random.Generator) -> tuple[pd.DatetimeIndex, Arr]:
    """Retail money funds (weekly, Mondays): grow faster when cash pays and in flights to safety."""
    grid = w.grid("weekly_mon")
    pos = _asof(w.days, grid)
    rate, stress = w.upper[pos], w.stress[pos]
    growth = (0.002 + 0.012 * rate) / 52.0 + 0.1 * np.maximum(np.diff(stress, prepend=stress[0]), 0.0)
    log_level = np.cumsum(growth + rng.normal(0.0, 0.004, len(grid)))
    return grid, _anchored(log_level, grid, p.anchor)


def _lending(w: _World, p: MacroProfile, rng: np.random.Generator) -> tuple[pd.DatetimeIndex, Arr]:
    """Senior loan officer survey: banks tighten in stress and after the Fed has hiked."""
    grid = w.grid("quarterly")
    pos = _asof(w.days, grid)
    hikes = w.upper[pos] - w.upper[np.maximum(pos - 252, 0)]
    values = -2.0 + 9.0 * ar1(rng, len(grid), 0.6) + 65.0 * w.stress[pos] + 6.0 * hikes
    return grid, np.clip(values, -30.0, 85.0)


def _nfci(w: _World, p: MacroProfile, rng: np.random.Generator) -> tuple[pd.DatetimeIndex, Arr]:
    """Financial conditions (weekly, Fridays): zero is average, positive is tighter than average."""
    grid = w.grid("weekly")
    daily = -0.45 + 0.15 * ar1(rng, len(w.days), 0.998) + 1.5 * w.stress + 0.012 * (w.vix - 16.0)
    return grid, daily[_asof(w.days, grid)]


def _claims(w: _World, p: MacroProfile, rng: np.random.Generator) -> tuple[pd.DatetimeIndex, Arr]:
    """Weekly initial claims: about 220k, rising with unemployment and in stress."""
    index = w.grid("weekly")
    unrate = w.daily_of_monthly(w.unrate)[_asof(w.days, index)]
    stress = w.stress[_asof(w.days, index)]
    level = 220_000.0 * np.exp(0.18 * (unrate - 4.2) + 0.9 * stress + 0.05 * ar1(rng, len(index), 0.8))
    return index, np.round(level, -3)


def _production(w: _World, p: MacroProfile, rng: np.random.Generator) -> Arr:
    """An output index or level: trend growth, a recession dip, persistent and monthly noise."""
    tm = _years(w.months)
    log_level = (
        p.params["trend"] * tm
        - p.params["cycle"] * w.cycle_m
        + 0.01 * ar1(rng, len(tm), 0.95)
        + rng.normal(0.0, p.params["noise"], len(tm))
    )
    return _anchored(log_level, w.months, p.anchor)


BUILDERS: dict[str, Builder] = {
    "vix": _daily(lambda w, p, rng: w.vix),
    "rvx": _daily(lambda w, p, rng: np.maximum(1.18 * w.vix + 2.0 + 1.2 * ar1(rng, len(w.days), 0.95), w.vix + 0.5)),
    "fed_upper": _daily(lambda w, p, rng: w.upper),
    "fed_lower": _daily(lambda w, p, rng: w.upper - 0.25),
    "dff": _daily(
        lambda w, p, rng: np.clip(w.upper - 0.1 + 0.02 * ar1(rng, len(w.days), 0.7), w.upper - 0.24, w.upper - 0.01)
    ),
    "dgs2": _daily(lambda w, p, rng: w.dgs2),
    "dgs10": _daily(lambda w, p, rng: w.dgs10),
    "t10y2y": _daily(lambda w, p, rng: w.dgs10.round(2) - w.dgs2.round(2)),
    "breakeven": _daily(
        lambda w, p, rng: np.clip(
            0.55 * w.daily_of_monthly(w.core_trend) + 0.8 - 0.9 * w.stress + 0.15 * ar1(rng, len(w.days), 0.995),
            0.1,
            3.5,
        )
    ),
    "hy_oas": _daily(
        lambda w, p, rng: np.clip(
            2.9 + 0.45 * ar1(rng, len(w.days), 0.998) + 5.2 * w.stress + 0.05 * (w.vix - 16.0), 2.3, 20.0
        )
    ),
    "ig_oas": _daily(
        lambda w, p, rng: np.clip(
            0.95 + 0.15 * ar1(rng, len(w.days), 0.998) + 1.6 * w.stress + 0.015 * (w.vix - 16.0), 0.5, 6.5
        )
    ),
    "baa10y": _daily(
        lambda w, p, rng: np.clip(
            1.75 + 0.3 * ar1(rng, len(w.days), 0.998) + 1.9 * w.stress + 0.02 * (w.vix - 16.0), 1.1, 7.0
        )
    ),
    "oil": _daily(lambda w, p, rng: np.exp(w.log_oil)),
    "nfci": _nfci,
    "claims": _claims,
    "money_funds": _money_funds,
    "lending_standards": _lending,
    "core_cpi": _monthly(lambda w, p, rng: _price_index(w, p, w.core_mm)),
    "cpi": _monthly(
        lambda w, p, rng: _price_index(
            w, p, 0.8 * w.core_mm + 0.2 * rng.normal(2.4 / 12.0, 0.15, len(w.months)) + 3.5 * _monthly_oil_change(w)
        )
    ),
    "core_pce": _monthly(lambda w, p, rng: _price_index(w, p, 0.85 * w.core_mm + rng.normal(0.0, 0.05, len(w.months)))),
    "unrate": _monthly(lambda w, p, rng: w.unrate),
    "sahm": _monthly(_sahm),
    "usrec": _monthly(lambda w, p, rng: w.usrec),
    "production": _monthly(_production),
    "generic_rate": _daily(lambda w, p, rng: np.maximum(w.upper + 0.9 + 0.5 * ar1(rng, len(w.days), 0.998), 0.0)),
    "generic_spread": _daily(
        lambda w, p, rng: np.maximum(1.5 + 0.3 * ar1(rng, len(w.days), 0.998) + 2.5 * w.stress, 0.1)
    ),
    "generic_level": _daily(
        lambda w, p, rng: _anchored(p.params["trend"] * w.t + 0.08 * ar1(rng, len(w.days), 0.999), w.days, p.anchor)
    ),
    "generic_percent": _daily(lambda w, p, rng: 5.0 + 1.5 * ar1(rng, len(w.days), 0.998) + 8.0 * w.stress),
}


def _series_rng(seed: int, series_id: str) -> np.random.Generator:
    """A generator private to one series: its own noise never shifts when others are added."""
    return np.random.default_rng([seed, zlib.crc32(series_id.encode("utf-8"))])


@lru_cache(maxsize=512)
def _path(seed: int, series_id: str, kind: str, frequency: str) -> pd.Series:
    """The full-calendar path of one series (cached), on the grid its spec's frequency asks for."""
    w = _world(seed)
    rng = _series_rng(seed, series_id)
    macro = MACRO.get(series_id)
    equity = EQUITIES.get(series_id) or (GENERIC_EQUITY if macro is None and kind == "price" else None)
    native: str = "daily"
    decimals: int | None = None  # prices unrounded: early split-adjusted ones are tiny
    if equity is not None:
        index, values = _equity(w, equity, rng)
    else:
        profile = macro or GENERIC[kind]
        index, values = BUILDERS[profile.builder](w, profile, rng)
        native, decimals = profile.frequency, profile.decimals
    out = pd.Series(np.asarray(values, dtype=np.float64), index=index, name=series_id)
    if decimals is not None:
        out = out.round(decimals)
    if native.removesuffix("_mon") != frequency:
        out = out.reindex(w.grid(frequency), method="ffill")
    out = out.dropna().astype("float64")
    out.index = pd.DatetimeIndex(out.index, freq=None, name="date")  # plain dates, like any stored series
    return out


class IllustrativeProvider:
    """Synthetic, seeded data for every series; the last fallback, always labelled illustrative."""

    name = "illustrative"

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed

    def fetch(self, specs: Sequence[SeriesSpec], start: date, end: date) -> FetchResult:
        """Slice each series' fixed-calendar path to ``[start, end]``; report empty windows as failures."""
        result = FetchResult()
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        for spec in specs:
            try:
                values = _path(self.seed, spec.id, spec.kind, spec.frequency).loc[lo:hi].copy()
            except (KeyError, ValueError) as exc:
                result.failures[spec.id] = f"illustrative: cannot simulate {spec.id}: {exc}"
                continue
            if values.empty:
                result.failures[spec.id] = f"illustrative: no observations between {start} and {end}"
                continue
            result.series[spec.id] = SeriesData(
                id=spec.id, values=values, source="illustrative", fetched_at=None, notes=(NOTE,)
            )
        return result
