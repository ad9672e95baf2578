"""The exact data a briefing was computed from, as one Parquet file (``snapshot.parquet``).

Why one long table and not one file per series: an archived briefing must be
self-contained and a single file is easy to attach to the PDF and to hash.
Each row is one observation: ``series``, ``date``, ``value`` and, when the
source gave real-time dates (ALFRED), ``known_since``. Everything else a
:class:`Snapshot` carries (as-of date, source policy, data-quality notes, each
series' source, fetch time and staleness) sits in the file's key-value metadata
under ``macro_briefing.snapshot`` as JSON, so reading the file gives back the
very same :class:`Snapshot`, series with no observation included.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from generator.errors import ArchiveError
from generator.model import QualityNote, Rejection, SeriesData, Snapshot

FORMAT = 1
META_KEY = b"macro_briefing.snapshot"
SNAPSHOT_FILE = "snapshot.parquet"

_SCHEMA = pa.schema(
    [
        ("series", pa.dictionary(pa.int32(), pa.string())),
        ("date", pa.timestamp("ns")),
        ("value", pa.float64()),
        ("known_since", pa.timestamp("ns")),
    ]
)


def _series_meta(s: SeriesData) -> dict[str, Any]:
    return {
        "source": s.source,
        "fetched_at": s.fetched_at.isoformat() if s.fetched_at else None,
        "stale": s.stale,
        "notes": list(s.notes),
        "known_since": s.known_since is not None,
        # Rejected observations decide whether an indicator is "no data": a re-render must see them too.
        **({"rejected": [{"date": r.date.isoformat(), "value": r.value, "reason": r.reason} for r in s.rejected]}
           if s.rejected else {}),
    }


def snapshot_bytes(snapshot: Snapshot) -> bytes:
    """The snapshot as Parquet bytes (deterministic for a given snapshot)."""
    ordered = sorted(snapshot.series.items())
    lengths = [len(s.values) for _, s in ordered]
    nat = np.datetime64("NaT", "ns")

    def ns(index: pd.Index) -> np.ndarray:
        return pd.DatetimeIndex(index).tz_localize(None).as_unit("ns").to_numpy()

    dates = [ns(s.values.index) for _, s in ordered]
    known = [
        ns(pd.DatetimeIndex(s.known_since.reindex(s.values.index)))
        if s.known_since is not None
        else np.full(len(s.values), nat)
        for _, s in ordered
    ]
    values = [s.values.to_numpy(dtype="float64") for _, s in ordered]
    indices = np.repeat(np.arange(len(ordered), dtype=np.int32), lengths)
    table = pa.table(
        {
            "series": pa.DictionaryArray.from_arrays(indices, pa.array([sid for sid, _ in ordered], pa.string())),
            "date": pa.array(np.concatenate(dates) if dates else np.empty(0, "datetime64[ns]"), pa.timestamp("ns")),
            "value": pa.array(np.concatenate(values) if values else np.empty(0), pa.float64()),
            "known_since": pa.array(
                np.concatenate(known) if known else np.empty(0, "datetime64[ns]"), pa.timestamp("ns")
            ),
        }
    )
    table = table.cast(_SCHEMA)
    meta = {
        "format": FORMAT,
        "as_of": snapshot.as_of.isoformat(),
        "requested_source": snapshot.requested_source,
        "point_in_time_policy": snapshot.point_in_time_policy,
        "quality": [{"series": q.series_id, "level": q.level, "message": q.message} for q in snapshot.quality],
        "series": {sid: _series_meta(s) for sid, s in sorted(snapshot.series.items())},
    }
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta, sort_keys=True).encode("utf-8")})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def read_snapshot(path: Path) -> Snapshot:
    """Read a ``snapshot.parquet`` back into the :class:`Snapshot` it was written from.

    A missing or unreadable file raises :class:`ArchiveError` naming it.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"{path}: data snapshot is missing; this briefing cannot be re-rendered or compared")
    try:
        table = pq.read_table(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ArchiveError(f"{path}: not a readable Parquet snapshot ({type(exc).__name__})") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise ArchiveError(f"{path}: not a briefing snapshot (no {META_KEY.decode()} metadata)")
    try:
        meta = json.loads(raw)
        return _from_table(table, meta)
    except (KeyError, TypeError, ValueError) as exc:
        raise ArchiveError(f"{path}: snapshot metadata is damaged ({type(exc).__name__}: {exc})") from None


def _from_table(table: pa.Table, meta: dict[str, Any]) -> Snapshot:
    if meta.get("format") != FORMAT:
        raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT}")
    frame = table.to_pandas()
    frame["series"] = frame["series"].astype("string")
    groups = {str(k): g for k, g in frame.groupby("series", sort=False, observed=True)}
    series: dict[str, SeriesData] = {}
    for sid, info in meta["series"].items():
        rows = groups.get(sid, frame.iloc[0:0])
        index = pd.DatetimeIndex(rows["date"].to_numpy(), name=None)
        values = pd.Series(rows["value"].to_numpy(dtype="float64"), index=index, name=sid)
        known_since = None
        if info["known_since"]:
            known_since = pd.Series(pd.DatetimeIndex(rows["known_since"]).to_numpy(), index=index, name="known_since")
        fetched = info["fetched_at"]
        series[sid] = SeriesData(
            id=sid,
            values=values,
            source=info["source"],
            fetched_at=datetime.fromisoformat(fetched) if fetched else None,
            known_since=known_since,
            stale=bool(info["stale"]),
            notes=tuple(info["notes"]),
            rejected=tuple(Rejection(date.fromisoformat(r["date"]), float(r["value"]), r["reason"])
                           for r in info.get("rejected", ())),
        )
    quality = tuple(QualityNote(q["series"], q["level"], q["message"]) for q in meta["quality"])
    return Snapshot(
        as_of=date.fromisoformat(meta["as_of"]),
        series=series,
        requested_source=meta["requested_source"],
        quality=quality,
        point_in_time_policy=meta["point_in_time_policy"],
    )
