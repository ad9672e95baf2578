"""Point in time: a backfilled briefing never sees an observation, or a release, from after its date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from generator.acquire import DataSources, acquire
from generator.model import SeriesData
from generator.pointintime import is_stale, known_on, staleness_days
from generator.spec import load_spec
from generator.store import ParquetStore

REPO = Path(__file__).resolve().parents[1]
SPEC = load_spec(REPO / "reports" / "small_cap_rotation.toml").spec


def daily(sid: str, start: str, end: str) -> SeriesData:
    days = pd.bdate_range(start, end)
    return SeriesData(sid, pd.Series(range(len(days)), index=days, dtype="float64"), "yahoo",
                      datetime(2026, 11, 20, tzinfo=UTC))


def monthly(sid: str, start: str, end: str) -> SeriesData:
    days = pd.date_range(start, end, freq="MS")
    return SeriesData(sid, pd.Series(range(len(days)), index=days, dtype="float64"), "fred-csv")


def test_market_prices_cut_at_their_own_date() -> None:
    spy = daily("SPY", "2026-10-01", "2026-11-20")
    cut = known_on(spy, SPEC.series["SPY"], date(2026, 11, 10))
    assert cut.last_date == date(2026, 11, 10) and cut.values.index.max() <= pd.Timestamp("2026-11-10")


def test_macro_series_use_the_declared_lag() -> None:
    cpi = monthly("CPIAUCSL", "2025-01-01", "2026-10-01")  # lag 45 days
    assert known_on(cpi, SPEC.series["CPIAUCSL"], date(2026, 11, 14)).last_date == date(2026, 9, 1)
    assert known_on(cpi, SPEC.series["CPIAUCSL"], date(2026, 11, 15)).last_date == date(2026, 10, 1)


def test_real_time_dates_win_over_the_lag() -> None:
    cpi = monthly("CPIAUCSL", "2026-08-01", "2026-09-01")
    known = pd.Series(pd.to_datetime(["2026-09-11", "2026-10-24"]), index=cpi.values.index)
    data = SeriesData("CPIAUCSL", cpi.values, "alfred", known_since=known)
    spec = SPEC.series["CPIAUCSL"]
    assert known_on(data, spec, date(2026, 10, 23)).last_date == date(2026, 8, 1)  # lag alone would say 10-16
    assert known_on(data, spec, date(2026, 10, 24)).last_date == date(2026, 9, 1)


def test_staleness_follows_each_series_cadence() -> None:
    spy = daily("SPY", "2026-10-01", "2026-11-13")
    assert staleness_days(spy, date(2026, 11, 20)) == 7
    assert is_stale(spy, SPEC.series["SPY"], date(2026, 11, 20))  # 5 days allowed
    cpi = monthly("CPIAUCSL", "2025-01-01", "2026-09-01")
    assert not is_stale(known_on(cpi, SPEC.series["CPIAUCSL"], date(2026, 11, 14)), SPEC.series["CPIAUCSL"],
                        date(2026, 11, 14))


def test_backfill_from_the_store_never_sees_the_future(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    store.write(daily("SPY", "2015-01-01", "2026-11-20"))
    store.write(daily("DGS10", "2015-01-01", "2026-11-20"))
    store.write(monthly("CPIAUCSL", "2015-01-01", "2026-10-01"))
    small = SPEC.model_copy(update={"series": {k: SPEC.series[k] for k in ("SPY", "DGS10", "CPIAUCSL")}})
    for day in pd.date_range("2024-01-01", "2026-11-20", freq="37D"):
        as_of = day.date()
        snap = acquire(small, as_of, "store", DataSources(store=store))
        for sid, data in snap.series.items():
            lag = pd.Timedelta(days=SPEC.series[sid].publication_lag_days)
            assert (data.values.index + lag <= day).all(), (sid, as_of)
        assert snap.series["SPY"].values.index.max() == pd.bdate_range(end=day, periods=1)[0]
