"""The data snapshot file: an exact round trip, and clear errors for missing or foreign files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from archive_helpers import series, snapshot

from generator.errors import ArchiveError
from generator.model import QualityNote
from generator.snapshot_io import read_snapshot, snapshot_bytes


def test_round_trip_keeps_every_value_date_and_attribute(tmp_path: Path) -> None:
    cpi = series(
        "CPIAUCSL",
        {"2026-08-01": 323.5, "2026-09-01": 324.25},
        source="alfred",
        known={"2026-08-01": "2026-09-11", "2026-09-01": "2026-10-15"},
    )
    iwm = series("IWM", {"2026-11-18": 231.5, "2026-11-19": 232.75, "2026-11-20": 230.0}, source="yahoo")
    empty = series("UNRATE", {})
    from dataclasses import replace

    iwm = replace(iwm, stale=True, notes=("split-adjusted",))
    note = QualityNote("UNRATE", "warning", "missing: no source had this series")
    snap = snapshot(date(2026, 11, 20), cpi, iwm, empty, quality=(note,))
    path = tmp_path / "snapshot.parquet"
    path.write_bytes(snapshot_bytes(snap))

    back = read_snapshot(path)
    assert back.as_of == date(2026, 11, 20)
    assert back.requested_source == "store"
    assert back.quality == (note,)
    assert back.point_in_time_policy == snap.point_in_time_policy
    assert set(back.series) == {"CPIAUCSL", "IWM", "UNRATE"}
    pd.testing.assert_series_equal(back.series["IWM"].values, iwm.values, check_names=False, check_freq=False)
    assert back.series["IWM"].values.tolist() == [231.5, 232.75, 230.0]
    assert back.series["IWM"].stale is True and back.series["IWM"].notes == ("split-adjusted",)
    assert back.series["IWM"].source == "yahoo" and back.series["IWM"].known_since is None
    assert back.series["CPIAUCSL"].source == "alfred"
    assert list(back.series["CPIAUCSL"].known_since.dt.strftime("%Y-%m-%d")) == ["2026-09-11", "2026-10-15"]
    assert back.series["CPIAUCSL"].fetched_at == cpi.fetched_at
    assert back.series["UNRATE"].values.empty
    # the same snapshot always gives the same bytes (its hash goes into the manifest)
    assert snapshot_bytes(back) == snapshot_bytes(snap)


def test_round_trip_keeps_rejected_observations(tmp_path: Path) -> None:
    # a re-render must see that IWM's latest value was rejected, or it would compute on the day before
    from dataclasses import replace

    from generator.model import Rejection

    rejection = Rejection(date(2026, 11, 20), 1e300, "1.0e+300 USD is 4.4e+297 times the median of ...")
    iwm = replace(series("IWM", {"2026-11-19": 232.75}, source="yahoo"), rejected=(rejection,))
    path = tmp_path / "snapshot.parquet"
    path.write_bytes(snapshot_bytes(snapshot(date(2026, 11, 20), iwm, series("SPY", {"2026-11-19": 600.0}))))
    back = read_snapshot(path)
    assert back.series["IWM"].rejected == (rejection,) and back.series["SPY"].rejected == ()


def test_missing_snapshot_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=r"snapshot\.parquet: data snapshot is missing"):
        read_snapshot(tmp_path / "snapshot.parquet")


def test_corrupt_snapshot_names_the_file(tmp_path: Path) -> None:
    good = snapshot_bytes(snapshot(date(2026, 11, 20), series("DGS2", {"2026-11-19": 4.1})))
    path = tmp_path / "snapshot.parquet"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ArchiveError, match=rf"{path}: not a readable Parquet snapshot"):
        read_snapshot(path)


def test_foreign_parquet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.parquet"
    pq.write_table(pa.table({"x": [1, 2]}), path)
    with pytest.raises(ArchiveError, match="not a briefing snapshot"):
        read_snapshot(path)
