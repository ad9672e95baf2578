"""The local Parquet store: fetch times, revisions, incremental merges, corruption, concurrent writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

from generator.errors import StoreError
from generator.model import SeriesData
from generator.spec import SeriesSpec
from generator.store import ParquetStore

REPO = Path(__file__).resolve().parents[1]
CPI = SeriesSpec(id="CPIAUCSL", provider="fred", label="CPI", frequency="monthly", kind="index", unit="index")


def series(values: dict[str, float], fetched: datetime, source: str = "fred-csv", **kw) -> SeriesData:  # type: ignore[no-untyped-def]
    s = pd.Series(values, dtype="float64")
    s.index = pd.to_datetime(s.index)
    return SeriesData("CPIAUCSL", s, source, fetched, **kw)  # type: ignore[arg-type]


T1 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_round_trip_keeps_fetch_time(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    assert store.read(CPI) is None
    assert store.write(series({"2026-08-01": 323.9, "2026-09-01": 324.5}, T1)) == 2
    data = store.read(CPI)
    assert data is not None and data.source == "store" and data.fetched_at == T1
    assert list(data.values) == [323.9, 324.5] and data.last_date == date(2026, 9, 1)
    assert store.path("CPIAUCSL").is_file() and not list(store.folder.glob("*.tmp"))


def test_illustrative_rows_stay_labelled_illustrative(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    store.write(series({"2026-08-01": 323.9}, T1, source="illustrative"))
    store.write(series({"2026-09-01": 324.5}, T2))
    data = store.read(CPI)
    assert data is not None and data.source == "illustrative" and list(data.values) == [323.9, 324.5]


def test_incremental_update_adds_only_new_and_revised_rows(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    store.write(series({"2026-08-01": 323.9, "2026-09-01": 324.5}, T1))
    # a later fetch: August unchanged, September revised, October new
    added = store.write(series({"2026-08-01": 323.9, "2026-09-01": 324.6, "2026-10-01": 325.2}, T2))
    assert added == 2
    rows = store.rows("CPIAUCSL")
    assert len(rows) == 4  # the September first release is kept, with its fetch time
    sept = rows[rows["date"] == pd.Timestamp("2026-09-01")]
    assert list(sept["value"]) == [324.5, 324.6]
    assert list(sept["fetched_at"]) == [pd.Timestamp(T1), pd.Timestamp(T2)]
    data = store.read(CPI)
    assert data is not None and list(data.values) == [323.9, 324.6, 325.2]
    assert store.write(series({"2026-10-01": 325.2}, T2)) == 0  # nothing new: nothing written
    assert store.last_date("CPIAUCSL") == date(2026, 10, 1)


def test_known_since_round_trips(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    known = pd.Series(pd.to_datetime(["2026-09-11", "2026-10-15"]), index=pd.to_datetime(["2026-08-01", "2026-09-01"]))
    store.write(series({"2026-08-01": 323.9, "2026-09-01": 324.5}, T1, known_since=known))
    data = store.read(CPI)
    assert data is not None and data.known_since is not None
    assert list(data.known_since) == list(known)


def test_listing_for_doctor(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    store.write(series({"2026-08-01": 323.9, "2026-09-01": 324.5}, T1))
    store.write(series({"2026-09-01": 324.6}, T2))
    (info,) = store.list()
    assert (info.id, info.rows, info.observations, info.first, info.last) == (
        "CPIAUCSL", 3, 2, date(2026, 8, 1), date(2026, 9, 1))
    assert info.fetched_at == T2 and info.bytes > 0


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    store.folder.mkdir(parents=True)
    store.path("CPIAUCSL").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(StoreError, match="delete it and the next run refetches"):
        store.read(CPI)
    assert store.list() == []  # listed as unreadable (a warning), not fatal


def test_lock_held_by_another_run_times_out_cleanly(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path, lock_timeout=0.2)
    store.folder.mkdir(parents=True)
    with FileLock(str(store.path("CPIAUCSL")) + ".lock"), pytest.raises(StoreError, match="locked by another run"):
        store.write(series({"2026-08-01": 323.9}, T1))


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    import pandas as pd
    from generator.model import SeriesData
    from generator.store import ParquetStore

    root, offset = sys.argv[1], int(sys.argv[2])
    store = ParquetStore(root)
    for i in range(25):
        days = pd.date_range("2000-01-01", periods=4, freq="D") + pd.Timedelta(days=offset + 8 * i)
        values = pd.Series([float(offset + 8 * i + k) for k in range(4)], index=days)
        store.write(SeriesData("SPY", values, "yahoo", datetime.now(UTC)))
    """
)


def test_two_processes_writing_the_same_series_lose_nothing(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(offset)], cwd=REPO,
                         stderr=subprocess.PIPE, text=True)
        for offset in (0, 4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    spy = SeriesSpec(id="SPY", provider="yahoo", label="SPY", frequency="daily", kind="price", unit="USD")
    data = ParquetStore(tmp_path).read(spy)
    assert data is not None
    assert len(data.values) == 200  # 2 writers x 25 writes x 4 days, interleaved, none lost
    assert list(data.values) == [float(v) for v in range(200)]
    assert not list((tmp_path / "series").glob("*.tmp"))


def test_files_written_by_pandas_and_other_tools_read_the_same(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    store = ParquetStore(tmp_path)
    store.write(series({"2026-08-01": 323.9, "2026-09-01": 324.5}, T1))
    store.write(series({"2026-09-01": 324.6}, T2))
    ours = store.read(CPI)
    rows = store.rows("CPIAUCSL")
    # The same rows as an earlier version wrote them (pandas' own conversion, with its metadata) and as
    # another tool might (microseconds, plain strings): same answers, and a merge keeps working.
    for name, table in (
        ("pandas", pa.Table.from_pandas(rows, preserve_index=False)),
        ("micro", pa.table({"date": pa.array(rows["date"].to_numpy(), pa.timestamp("us")),
                            "value": rows["value"].to_numpy(),
                            "fetched_at": pa.array(rows["fetched_at"], pa.timestamp("us", tz="UTC")),
                            "source": pa.array(rows["source"].astype(str).tolist(), pa.string()),
                            "known_since": pa.array(rows["known_since"].to_numpy(), pa.timestamp("us"))})),
    ):
        other = ParquetStore(tmp_path / name)
        other.folder.mkdir(parents=True)
        pq.write_table(table, other.path("CPIAUCSL"))
        data = other.read(CPI)
        assert data is not None and ours is not None
        pd.testing.assert_series_equal(data.values, ours.values)
        assert (data.source, data.fetched_at, data.known_since) == ("store", T2, None)
        assert other.write(series({"2026-10-01": 325.2}, T2)) == 1
        assert list(other.read(CPI).values) == [323.9, 324.6, 325.2]  # type: ignore[union-attr]
        assert other.list()[0].rows == 4

    naive = ParquetStore(tmp_path / "naive")
    naive.folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(rows.assign(fetched_at=rows["fetched_at"].dt.tz_localize(None)),
                                        preserve_index=False), naive.path("CPIAUCSL"))
    with pytest.raises(StoreError, match="not a store file"):
        naive.read(CPI)


def test_release_dates_outlive_a_key_less_revision(tmp_path: Path) -> None:
    # a run with a FRED key recorded ALFRED's release dates (July: 08-14); a key-less run then fetched a revised
    # July without any: the release date is a fact about the date and stays
    store = ParquetStore(tmp_path)
    known = pd.Series(pd.to_datetime(["2024-07-11", "2024-08-14"]), index=pd.to_datetime(["2024-06-01", "2024-07-01"]))
    store.write(series({"2024-06-01": 313.049, "2024-07-01": 313.534}, T1, source="fred", known_since=known))
    assert store.write(series({"2024-07-01": 313.566, "2024-08-01": 314.121}, T2)) == 2
    data = store.read(CPI)
    assert data is not None and list(data.values) == [313.049, 313.566, 314.121]
    assert data.known_since is not None
    assert list(data.known_since.dt.strftime("%Y-%m-%d").fillna("-")) == ["2024-07-11", "2024-08-14", "-"]
    # the same value again with its release date (a later keyed run): one row more, nothing lost
    august = pd.Series(pd.to_datetime(["2024-09-11"]), index=pd.to_datetime(["2024-08-01"]))
    assert store.write(series({"2024-08-01": 314.121}, T2, source="fred", known_since=august)) == 1
    again = store.read(CPI)
    assert again is not None and again.known_since is not None and again.known_since.notna().all()


def test_store_errors_name_the_file_not_the_folder(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    store.folder.mkdir(parents=True)
    store.path("CPIAUCSL").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(StoreError) as info:
        store.read(CPI)
    assert str(info.value).startswith("store file CPIAUCSL.parquet: unreadable") and str(tmp_path) not in str(info.value)
