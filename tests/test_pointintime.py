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


def test_release_dates_where_known_and_the_lag_elsewhere() -> None:
    # July 2025 core CPI was released on 08-12; the declared lag (45 days) would say 08-15. August has no
    # recorded release date: the lag decides (09-15).
    cpi = monthly("CPILFESL", "2025-06-01", "2025-08-01")
    known = pd.Series(pd.to_datetime(["2025-07-15", "2025-08-12", None]), index=cpi.values.index)
    data = SeriesData("CPILFESL", cpi.values, "store", known_since=known)
    spec = SPEC.series["CPILFESL"]
    assert known_on(data, spec, date(2025, 8, 11)).last_date == date(2025, 6, 1)
    assert known_on(data, spec, date(2025, 8, 13)).last_date == date(2025, 7, 1)  # the lag alone: June
    assert known_on(data, spec, date(2025, 9, 14)).last_date == date(2025, 7, 1)
    assert known_on(data, spec, date(2025, 9, 15)).last_date == date(2025, 8, 1)


def test_release_dates_from_a_keyed_run_serve_later_key_less_runs(loopback, tmp_path: Path) -> None:
    """Issue 12: July 2025's core CPI came out on 08-12; without vintages the 45-day lag hid it until 08-15."""
    from generator.sources.fred import FredProvider
    from generator.sources.http import NetworkSettings

    core = {"2025-05-01": 326.854, "2025-06-01": 327.600, "2025-07-01": 328.656}
    released = {"2025-05-01": "2025-06-11", "2025-06-01": "2025-07-15", "2025-07-01": "2025-08-12"}

    def xml(rows: list[tuple[str, str, float]]) -> str:
        body = "\n".join(f'  <observation realtime_start="{r}" realtime_end="9999-12-31" date="{d}" value="{v}"/>'
                         for d, r, v in rows)
        return f'<?xml version="1.0" encoding="utf-8" ?>\n<observations count="{len(rows)}">\n{body}\n</observations>\n'

    def api(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        stamps = released if query.get("output_type") == "4" else dict.fromkeys(core, "2025-08-20")
        return 200, {"Content-Type": "text/xml"}, xml([(d, stamps[d], v) for d, v in core.items()])

    csv = "observation_date,CPILFESL\n" + "".join(f"{d},{v}\n" for d, v in core.items())
    loopback.route("/fred/series/observations", api)
    loopback.route("/graph/fredgraph.csv", lambda p, q: (200, {"Content-Type": "text/csv"}, csv))
    only = SPEC.model_copy(update={"series": {"CPILFESL": SPEC.series["CPILFESL"]}})
    store = ParquetStore(tmp_path / "store")
    fast = NetworkSettings(timeout=1.0, retries=0)

    def fred(key: str | None) -> FredProvider:
        return FredProvider(key, settings=fast, api_root=f"{loopback.url}/fred",
                            csv_url=f"{loopback.url}/graph/fredgraph.csv", today=lambda: date(2025, 8, 20))

    keyed = acquire(only, date(2025, 8, 20), "live",
                    DataSources(live={"fred": fred("0123456789abcdef0123456789abcdef")}, store=store,
                                today=lambda: date(2025, 8, 20)))
    assert keyed.series["CPILFESL"].source == "fred" and keyed.series["CPILFESL"].last_date == date(2025, 7, 1)
    # later, without a key: the store alone, and a key-less live run merging into it
    offline = acquire(only, date(2025, 8, 13), "store", DataSources(store=store))
    assert offline.series["CPILFESL"].last_date == date(2025, 7, 1)  # the declared lag would give June
    assert offline.point_in_time_policy == ("release dates recorded from ALFRED for CPILFESL; publication lag "
                                            "declared per series for the others")
    assert acquire(only, date(2025, 8, 11), "store", DataSources(store=store)).series["CPILFESL"].last_date == \
        date(2025, 6, 1)
    keyless = acquire(only, date(2025, 8, 13), "auto", DataSources(live={"fred": fred(None)}, store=store,
                                                                    today=lambda: date(2025, 8, 13)))
    assert keyless.series["CPILFESL"].source == "fred-csv" and keyless.series["CPILFESL"].last_date == date(2025, 7, 1)
