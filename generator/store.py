"""The local store: every observation ever fetched, with its fetch time, in Parquet files.

Why Parquet files and not a database server: the store must work on a laptop
with no setup, be readable by any data tool, and survive being copied. One
file per series (``DATA_DIR/series/ID.parquet``) keeps writes small and lets
two series be updated at once.

Each row is one observation as fetched: ``date``, ``value``, ``fetched_at``
(UTC), ``source`` and, when the source gave real-time dates (ALFRED),
``known_since``. A new row is added only when a date is new or its value
changed (a revision), so the file is a log of what was known when, and reading
takes the most recently fetched value for each date.

Concurrent runs are safe: a writer holds a per-series file lock while it
reads, merges and writes, and the new file replaces the old one atomically
(write to a temporary file in the same folder, then ``os.replace``), so a
reader never sees a half-written file and no writer's rows are lost.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock
from filelock import Timeout as LockTimeout

from generator.errors import StoreError
from generator.model import SeriesData
from generator.spec import SeriesSpec

log = logging.getLogger(__name__)

COLUMNS = ("date", "value", "fetched_at", "source", "known_since")


@dataclass(frozen=True)
class StoredSeries:
    """What ``doctor`` and ``data list`` show about one stored series."""

    id: str
    rows: int
    observations: int
    first: date | None
    last: date | None
    fetched_at: datetime | None
    bytes: int


def _make_empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.Series(dtype="datetime64[ns]"),
            "value": pd.Series(dtype="float64"),
            "fetched_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "source": pd.Series(dtype="string"),
            "known_since": pd.Series(dtype="datetime64[ns]"),
        }
    )


_EMPTY = _make_empty()


def _empty() -> pd.DataFrame:
    return _EMPTY.copy()  # building the typed frame costs milliseconds; a new store asks for 49 of them


def _order(rows: pd.DataFrame) -> np.ndarray:
    """Row positions sorted by date, then fetch time, ties in file order (a stable sort)."""
    # np.lexsort on the raw int64 stamps: pandas' multi-key sort_values costs ten times more.
    fetched = pd.DatetimeIndex(rows["fetched_at"]).asi8
    return np.lexsort((fetched, pd.DatetimeIndex(rows["date"]).asi8))


def _latest(rows: pd.DataFrame, ordered: bool = False) -> pd.DataFrame:
    """One row per date: the one fetched last. ``ordered``: ``rows`` are already sorted as :func:`_order` does."""
    if rows.empty:
        return rows
    dates = pd.DatetimeIndex(rows["date"])
    if dates.is_monotonic_increasing and dates.is_unique:  # the usual file: one fetch per date, in order
        return rows.set_index("date")
    if not ordered:
        rows = rows.iloc[_order(rows)]
    return rows.drop_duplicates("date", keep="last").set_index("date")


class ParquetStore:
    """The store under ``root``. Cheap to construct; touches the disk only when used."""

    def __init__(self, root: str | Path, lock_timeout: float = 60.0) -> None:
        self.root = Path(root).expanduser()
        self.lock_timeout = lock_timeout

    @property
    def folder(self) -> Path:
        return self.root / "series"

    def path(self, series_id: str) -> Path:
        return self.folder / f"{series_id}.parquet"

    # ------------------------------------------------------------ reading

    def rows(self, series_id: str) -> pd.DataFrame:
        """Every stored row of a series (empty frame when none); ``StoreError`` if the file is unreadable."""
        path = self.path(series_id)
        if not path.exists():
            return _empty()
        try:
            # One read of the whole file: a concurrent writer replaces the file, never changes it in place,
            # so the bytes read are one consistent version (pyarrow alone may open the path twice).
            table = pq.read_table(pa.BufferReader(path.read_bytes()), use_threads=False)
            frame = table.to_pandas(use_threads=False)  # threads cost more than they save on one small file
        except FileNotFoundError:
            return _empty()
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"{path}: unreadable store file ({type(exc).__name__}); delete it and the next run refetches"
            ) from None
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise StoreError(f"{path}: not a store file (missing columns {', '.join(missing)})")
        return frame

    def read(self, spec: SeriesSpec) -> SeriesData | None:
        """The latest known value for each date, or ``None`` when nothing is stored."""
        return self._as_series(spec, self.rows(spec.id))

    @staticmethod
    def _as_series(spec: SeriesSpec, rows: pd.DataFrame, ordered: bool = False) -> SeriesData | None:
        latest = _latest(rows, ordered)
        if latest.empty:
            return None
        values = latest["value"].astype("float64")
        values.index = pd.DatetimeIndex(values.index, name="date")
        values.name = spec.id
        known = latest["known_since"]
        known_since = None
        if known.notna().all():
            known_since = pd.Series(pd.DatetimeIndex(known).to_numpy(), index=values.index, name="known_since")
        fetched = latest["fetched_at"].max()
        # Synthetic rows (a benchmark's or a demo's store) stay labelled: a briefing built on them
        # must carry the illustrative watermark, never pass as market data.
        illustrative = bool((latest["source"] == "illustrative").any())
        return SeriesData(
            id=spec.id,
            values=values,
            source="illustrative" if illustrative else "store",
            fetched_at=fetched.to_pydatetime() if pd.notna(fetched) else None,
            known_since=known_since,
        )

    def last_date(self, series_id: str) -> date | None:
        """The last stored date; from the file's column statistics when it has them, without reading it."""
        path = self.path(series_id)
        try:
            meta = pq.read_metadata(path)
            column = meta.schema.to_arrow_schema().get_field_index("date")
            stats = [meta.row_group(i).column(column).statistics for i in range(meta.num_row_groups)]
            if column >= 0 and stats and all(st is not None and st.has_min_max for st in stats):
                return max(pd.Timestamp(st.max) for st in stats).date()
        except FileNotFoundError:
            return None
        except (OSError, ValueError, pa.ArrowException):
            pass  # a damaged file: the full read below says what is wrong
        rows = self.rows(series_id)
        return None if rows.empty else pd.Timestamp(rows["date"].max()).date()

    def list(self) -> list[StoredSeries]:
        """Summary of every stored series, sorted by id (unreadable files are skipped with a warning)."""
        out: list[StoredSeries] = []
        if not self.folder.is_dir():
            return out
        for path in sorted(self.folder.glob("*.parquet")):
            try:
                rows = self.rows(path.stem)
            except StoreError as exc:
                log.warning("%s", exc)
                continue
            latest = _latest(rows)
            out.append(
                StoredSeries(
                    id=path.stem,
                    rows=len(rows),
                    observations=len(latest),
                    first=None if latest.empty else latest.index.min().date(),
                    last=None if latest.empty else latest.index.max().date(),
                    fetched_at=None if rows.empty else rows["fetched_at"].max().to_pydatetime(),
                    bytes=path.stat().st_size,
                )
            )
        return out

    # ------------------------------------------------------------ writing

    def write(self, data: SeriesData) -> int:
        """Merge ``data`` into the store; return how many rows were new or revised."""
        if data.values.empty:
            return 0
        return self._merge(data)[0]

    def merge(self, data: SeriesData, spec: SeriesSpec) -> tuple[int, SeriesData | None]:
        """:meth:`write`, then what :meth:`read` would return, from the merged rows already in memory."""
        if data.values.empty:
            return 0, self.read(spec)
        added, rows = self._merge(data)
        return added, self._as_series(spec, rows, ordered=added > 0)

    def _merge(self, data: SeriesData) -> tuple[int, pd.DataFrame]:
        """Merge ``data`` under the series' lock; the count of new or revised rows and every row after."""
        fetched = pd.Timestamp(data.fetched_at or datetime.now(UTC))
        fetched = fetched.tz_localize(UTC) if fetched.tzinfo is None else fetched.tz_convert(UTC)
        incoming = pd.DataFrame(
            {
                "date": pd.DatetimeIndex(data.values.index).astype("datetime64[ns]"),
                "value": data.values.to_numpy(dtype="float64"),
                "fetched_at": fetched,
                "source": pd.Series([data.source] * len(data.values), dtype="string").to_numpy(),
                "known_since": (
                    pd.DatetimeIndex(data.known_since.reindex(data.values.index)).astype("datetime64[ns]")
                    if data.known_since is not None
                    else pd.NaT
                ),
            }
        )
        incoming["fetched_at"] = incoming["fetched_at"].astype("datetime64[ns, UTC]")
        incoming["known_since"] = incoming["known_since"].astype("datetime64[ns]")
        incoming["source"] = incoming["source"].astype("string")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(data.id)
        try:
            with FileLock(str(path) + ".lock", timeout=self.lock_timeout):
                current = self.rows(data.id)
                fresh = self._changed(current, incoming)
                if fresh.empty:
                    return 0, current
                merged = fresh if current.empty else pd.concat([current, fresh], ignore_index=True)
                merged = merged.iloc[_order(merged)].reset_index(drop=True)
                self._replace(path, merged)
        except LockTimeout:
            raise StoreError(
                f"{path}: locked by another run for more than {self.lock_timeout:g}s; "
                "if no other run is active, delete the .lock file"
            ) from None
        log.debug("store: %s +%d row(s)", data.id, len(fresh))
        return len(fresh), merged

    @staticmethod
    def _changed(current: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
        """Incoming rows whose date is new, or whose value or publication date differs from the latest."""
        if current.empty:
            return incoming
        latest = _latest(current)
        old = latest.reindex(pd.DatetimeIndex(incoming["date"]))
        same_value = np.isclose(old["value"].to_numpy(), incoming["value"].to_numpy(), rtol=1e-12, atol=0.0)
        old_known = pd.DatetimeIndex(old["known_since"])
        new_known = pd.DatetimeIndex(incoming["known_since"])
        same_known = (old_known == new_known) | (pd.isna(old_known) & pd.isna(new_known)) | pd.isna(new_known)
        keep = ~(same_value & np.asarray(same_known))
        return incoming[keep]

    @staticmethod
    def _replace(path: Path, frame: pd.DataFrame) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            # One thread: pandas' own to_parquet converts with a thread pool, slower than the work for a file this size.
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False, nthreads=1), tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
