"""The illustrative dataset: deterministic, complete, on the right calendars and at plausible levels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.model import SeriesData
from generator.sources import illustrative
from generator.sources.illustrative import IllustrativeProvider
from generator.spec import SeriesSpec, load_spec

REPO = Path(__file__).resolve().parents[2]
SPECS: dict[str, SeriesSpec] = load_spec(REPO / "reports" / "small_cap_rotation.toml").spec.series
START, END = date(1995, 1, 1), date(2026, 11, 20)
BRIEFING = pd.Timestamp(2026, 11, 20)


def _clear_caches() -> None:
    """Forget generated paths, so a comparison really regenerates instead of reading the cache."""
    illustrative._path.cache_clear()
    illustrative._world.cache_clear()


def _fetch(ids: list[str], start: date = START, end: date = END, seed: int = 20240918) -> dict[str, SeriesData]:
    result = IllustrativeProvider(seed).fetch([SPECS[i] for i in ids], start, end)
    assert result.failures == {}
    return result.series


@pytest.fixture(scope="module")
def data() -> dict[str, SeriesData]:
    return _fetch(list(SPECS))


def _at(data: dict[str, SeriesData], sid: str, when: pd.Timestamp = BRIEFING) -> float:
    """The last value dated on or before ``when``."""
    return float(data[sid].values.loc[:when].iloc[-1])


def test_provider_name_and_interface() -> None:
    assert IllustrativeProvider.name == "illustrative"
    assert IllustrativeProvider().seed == 20240918


def test_every_series_in_the_report_is_covered(data: dict[str, SeriesData]) -> None:
    assert set(data) == set(SPECS)
    assert len(SPECS) >= 49
    for sid, series in data.items():
        assert series.id == sid
        assert series.source == "illustrative"
        assert series.fetched_at is None
        assert series.notes == ("Illustrative data - not market data",)
        assert series.last_date is not None and series.last_date >= date(2026, 6, 1), sid


def test_values_are_clean_float_series(data: dict[str, SeriesData]) -> None:
    for sid, series in data.items():
        values = series.values
        assert isinstance(values.index, pd.DatetimeIndex), sid
        assert values.index.name == "date", sid
        assert values.name == sid
        assert values.dtype == np.float64, sid
        assert values.index.is_monotonic_increasing and values.index.is_unique, sid
        assert not values.isna().any(), sid
        assert np.isfinite(values.to_numpy()).all(), sid


def test_same_seed_gives_identical_values_after_regeneration() -> None:
    first = _fetch(list(SPECS))
    _clear_caches()
    second = _fetch(list(SPECS))
    for sid in SPECS:
        assert first[sid].values is not second[sid].values
        assert first[sid].values.equals(second[sid].values), sid


def test_a_different_seed_gives_different_values() -> None:
    ids = ["SPY", "IWM", "VIX", "DGS2", "CPILFESL", "BAMLH0A0HYM2"]
    a, b = _fetch(ids, seed=20240918), _fetch(ids, seed=7)
    for sid in ids:
        assert not a[sid].values.equals(b[sid].values), sid
    assert not np.allclose(a["SPY"].values.to_numpy()[:500], b["SPY"].values.to_numpy()[:500])


def test_values_do_not_depend_on_which_other_series_are_requested() -> None:
    _clear_caches()
    alone = _fetch(["IWM"])["IWM"].values
    single_macro = _fetch(["UNRATE"])["UNRATE"].values
    _clear_caches()
    together = _fetch(list(reversed(list(SPECS))))
    pd.testing.assert_series_equal(alone, together["IWM"].values)
    pd.testing.assert_series_equal(single_macro, together["UNRATE"].values)


def test_values_do_not_depend_on_the_requested_window() -> None:
    _clear_caches()
    short = _fetch(["SPY", "DGS2", "CPILFESL"], start=date(2018, 3, 1), end=date(2020, 12, 31))
    _clear_caches()
    long = _fetch(["SPY", "DGS2", "CPILFESL"], start=date(1990, 1, 1), end=date(2040, 12, 31))
    for sid, series in short.items():
        overlap = long[sid].values.loc[series.values.index]
        pd.testing.assert_series_equal(series.values, overlap)


def test_slicing_respects_start_and_end() -> None:
    start, end = date(2021, 2, 10), date(2023, 7, 5)
    got = _fetch(["SPY", "NFCI", "UNRATE", "DRTSCIS"], start=start, end=end)
    for sid, series in got.items():
        index = series.values.index
        assert index[0] >= pd.Timestamp(start) and index[-1] <= pd.Timestamp(end), sid
    assert got["SPY"].values.index[0] == pd.Timestamp(2021, 2, 10)
    assert got["SPY"].values.index[-1] == pd.Timestamp(2023, 7, 5)
    assert got["UNRATE"].values.index[0] == pd.Timestamp(2021, 3, 1)
    assert got["UNRATE"].values.index[-1] == pd.Timestamp(2023, 7, 1)


def test_an_empty_window_is_a_failure_not_an_exception() -> None:
    result = IllustrativeProvider().fetch([SPECS["UNRATE"], SPECS["SPY"]], date(2026, 11, 20), date(2026, 11, 20))
    assert set(result.series) == {"SPY"}
    assert "UNRATE" in result.failures and "no observations" in result.failures["UNRATE"]


def test_history_is_long_enough_for_ten_year_windows(data: dict[str, SeriesData]) -> None:
    for sid, series in data.items():
        assert series.values.index[0] <= pd.Timestamp(1995, 4, 1), sid


def test_daily_series_only_on_weekdays_and_skip_major_holidays(data: dict[str, SeriesData]) -> None:
    daily = [sid for sid, spec in SPECS.items() if spec.frequency == "daily"]
    assert {"SPY", "VIX", "DGS2", "DFEDTARU", "BAMLH0A0HYM2", "DCOILWTICO"} <= set(daily)
    for sid in daily:
        index = data[sid].values.index
        assert (index.day_of_week < 5).all(), sid
        assert pd.Timestamp(2025, 12, 25) not in index, sid
        assert pd.Timestamp(2024, 7, 4) not in index, sid
        assert len(index.to_series().loc["2019"]) in range(248, 254), sid


def test_monthly_series_are_dated_on_the_first(data: dict[str, SeriesData]) -> None:
    monthly = [sid for sid, spec in SPECS.items() if spec.frequency == "monthly"]
    assert {"CPILFESL", "UNRATE", "USREC", "INDPRO"} <= set(monthly)
    for sid in monthly:
        index = data[sid].values.index
        assert (index.day == 1).all(), sid
        assert len(index.to_series().loc["2019"]) == 12, sid


def test_weekly_and_quarterly_calendars(data: dict[str, SeriesData]) -> None:
    nfci, wrmfns, drtscis = (data[s].values.index for s in ("NFCI", "WRMFNS", "DRTSCIS"))
    assert (nfci.day_of_week == 4).all()
    assert (wrmfns.day_of_week == 0).all()
    assert set(nfci.to_series().diff().dropna()) == {pd.Timedelta(days=7)}
    assert (drtscis.day == 1).all() and set(drtscis.month) == {1, 4, 7, 10}


def test_levels_on_the_briefing_date_are_plausible(data: dict[str, SeriesData]) -> None:
    ranges = {
        "SPY": (450.0, 750.0),
        "IWM": (160.0, 320.0),
        "VIX": (9.0, 80.0),
        "RVXCLS": (10.0, 90.0),
        "DFEDTARU": (0.25, 7.0),
        "DGS2": (0.0, 7.0),
        "DGS10": (0.5, 8.0),
        "BAMLH0A0HYM2": (2.3, 10.0),
        "BAA10Y": (1.0, 5.0),
        "UNRATE": (3.0, 8.0),
        "NFCI": (-1.0, 1.5),
        "DCOILWTICO": (30.0, 150.0),
        "CPILFESL": (250.0, 420.0),
        "PCEPILFE": (100.0, 160.0),
        "INDPRO": (80.0, 125.0),
        "WRMFNS": (800.0, 4000.0),
        "DRTSCIS": (-30.0, 85.0),
    }
    for sid, (low, high) in ranges.items():
        assert low <= _at(data, sid) <= high, (sid, _at(data, sid))
    core = data["CPILFESL"].values
    yoy = (core.iloc[-1] / core.loc[: core.index[-1] - pd.DateOffset(months=12)].iloc[-1] - 1.0) * 100.0
    assert 1.5 <= yoy <= 4.5


def test_inflation_and_unemployment_stay_in_realistic_bands(data: dict[str, SeriesData]) -> None:
    core = data["CPILFESL"].values
    yoy = (core / core.shift(12) - 1.0).dropna() * 100.0
    assert yoy.quantile(0.05) > 1.0 and yoy.quantile(0.95) < 5.0
    assert 1.8 < yoy.median() < 3.8
    unrate = data["UNRATE"].values
    assert unrate.min() >= 3.0 and unrate.max() <= 11.0 and 3.5 <= unrate.median() <= 6.0
    assert set(data["USREC"].values.unique()) == {0.0, 1.0}


def test_policy_rates_are_a_consistent_step_function(data: dict[str, SeriesData]) -> None:
    upper, lower = data["DFEDTARU"].values, data["DFEDTARL"].values
    assert np.allclose(upper - lower, 0.25)
    assert np.allclose((upper * 4).round(), upper * 4)
    steps = upper.diff().dropna()
    assert ((steps != 0).sum() > 10) and (steps < 0).any() and (steps > 0).any()
    dff = data["DFF"].values
    assert ((dff > lower) & (dff < upper)).all()
    spread = data["T10Y2Y"].values
    assert np.allclose(spread, data["DGS10"].values - data["DGS2"].values, atol=1e-9)
    assert spread.min() < 0.0 < spread.max()
    assert (data["RVXCLS"].values > data["VIX"].values).all()


def test_equity_volatility_beta_and_correlation(data: dict[str, SeriesData]) -> None:
    prices = pd.DataFrame({s: data[s].values for s in ("SPY", "IWM", "AAPL", "MSFT", "NVDA", "PSCI", "XLI")})
    returns = np.log(prices).diff().dropna()
    vol = returns.std() * np.sqrt(252)
    assert 0.10 <= vol["SPY"] <= 0.25
    assert 0.15 <= vol["IWM"] <= 0.32
    beta = returns.cov().loc["IWM", "SPY"] / returns["SPY"].var()
    assert 0.95 <= beta <= 1.25
    corr = returns.corr()
    assert corr.loc["AAPL", "MSFT"] > 0.3 and corr.loc["AAPL", "SPY"] > 0.4
    assert corr.loc["PSCI", "IWM"] > 0.6 and corr.loc["XLI", "SPY"] > 0.6


def test_stress_moves_vix_spreads_and_equities_together(data: dict[str, SeriesData]) -> None:
    frame = pd.DataFrame({s: data[s].values for s in ("SPY", "VIX", "BAMLH0A0HYM2")}).dropna()
    spy_ret = np.log(frame["SPY"]).diff()
    assert spy_ret.corr(frame["VIX"].diff()) < -0.3
    assert frame["VIX"].corr(frame["BAMLH0A0HYM2"]) > 0.5
    assert frame["VIX"].max() > 40.0 and frame["VIX"].median() < 22.0
    assert frame["BAMLH0A0HYM2"].max() > 6.0
    # Recession months are stressed months: wider spreads than the rest.
    hy_monthly = frame["BAMLH0A0HYM2"].resample("MS").mean()
    usrec = data["USREC"].values.reindex(hy_monthly.index)
    assert hy_monthly[usrec == 1.0].mean() > hy_monthly[usrec == 0.0].mean() + 1.0


@pytest.mark.parametrize(
    ("kind", "frequency", "expected_day"),
    [
        ("rate", "daily", None),
        ("price", "daily", None),
        ("index", "monthly", 1),
        ("level", "weekly", 4),
        ("percent", "quarterly", 1),
        ("spread", "daily", None),
        ("flag", "monthly", 1),
    ],
)
def test_series_without_a_profile_fall_back_by_kind(kind: str, frequency: str, expected_day: int | None) -> None:
    spec = SeriesSpec(id=f"NEW_{kind.upper()}", provider="fred", label="new", frequency=frequency, kind=kind, unit="x")
    result = IllustrativeProvider().fetch([spec], START, END)
    assert result.failures == {}
    values = result.series[spec.id].values
    assert len(values) > 100 and not values.isna().any() and values.dtype == np.float64
    if expected_day == 4:
        assert (values.index.day_of_week == 4).all()
    elif expected_day == 1:
        assert (values.index.day == 1).all()
    else:
        assert (values.index.day_of_week < 5).all()


def test_a_profiled_series_follows_the_frequency_its_spec_asks_for() -> None:
    spec = SPECS["SPY"].model_copy(update={"frequency": "monthly"})
    values = IllustrativeProvider().fetch([spec], START, END).series["SPY"].values
    assert (values.index.day == 1).all() and len(values.loc["2019"]) == 12
