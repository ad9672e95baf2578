"""Small hand-made snapshots for the archive tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from generator.model import QualityNote, SeriesData, Snapshot

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "reports" / "small_cap_rotation.toml"
ARCHIVE_DATES = [date(2026, 10, 30), date(2026, 11, 6), date(2026, 11, 13)]


def series(sid: str, values: dict[str, float], source: str = "fred", known: dict[str, str] | None = None) -> SeriesData:
    index = pd.DatetimeIndex(list(values)).as_unit("ns")
    known_since = None
    if known is not None:
        known_since = pd.Series(pd.DatetimeIndex([known[d] for d in values]).to_numpy(), index=index)
    return SeriesData(
        id=sid,
        values=pd.Series(list(values.values()), index=index, dtype="float64", name=sid),
        source=source,  # type: ignore[arg-type]
        fetched_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        known_since=known_since,
    )


def snapshot(as_of: date, *items: SeriesData, quality: tuple[QualityNote, ...] = ()) -> Snapshot:
    return Snapshot(as_of=as_of, series={s.id: s for s in items}, requested_source="store", quality=quality)
