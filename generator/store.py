"""The local store: every observation ever fetched, with its fetch time, in Parquet files.

Why Parquet files and not a database server: the store must work on a laptop
with no setup, be readable by any data tool, and survive being copied. One
file per series (``DATA_DIR/series/ID.parquet``) keeps writes small and lets
two series be updated at once.

Each row is one observation as fetched: ``date``, ``value``, ``fetched_at``
(UTC), ``source`` and, when the source gave real-time dates (ALFRED),
``known_since``: the date the observation was first published. A run with a
FRED key records ALFRED's release dates there; later key-less runs and
backfills read them back (a date's first recorded release, whatever row is
latest) instead of inferring publication from the declared lag. A new row is added only when a date is new or its value
changed (a revision), so the file is a log of what was known when, and reading
takes the most recently fetched value for each date.

Errors name the store file (``store file IWM.parquet``), never its folder: they reach the data-quality
box of briefings, which show no local path (``briefing data list`` says where the store is).

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


SCHEMA = pa.schema(
    [
        ("date", pa.timestamp("ns")),
        ("value", pa.float64()),
        ("fetched_at", pa.timestamp("ns", tz="UTC")),
        ("source", pa.large_string()),
        ("known_since", pa.timestamp("ns")),
    ]
)
_NAT = np.datetime64("NaT", "ns")


@dataclass(frozen=True)
class _Rows:
    """Stored rows as NumPy columns (dates and times as naive ``datetime64[ns]``, fetch times in UTC).

    Why not a DataFrame: a live run merges some fifty files while its requests
    are out, on threads that share one interpreter lock, and building and
    indexing DataFrames cost several times the Parquet I/O itself.
    """

    date: np.ndarray
    value: np.ndarray
    fetched: np.ndarray
    source: np.ndarray  # str objects
    known: np.ndarray  # NaT where the source gave no publication date

    def __len__(self) -> int:
        return len(self.date)

    def take(self, positions: np.ndarray) -> _Rows:
        return _Rows(*(column[positions] for column in self.columns()))

    def columns(self) -> tuple[np.ndarray, ...]:
        return self.date, self.value, self.fetched, self.source, self.known

    @staticmethod
    def concat(a: _Rows, b: _Rows) -> _Rows:
        return _Rows(*(np.concatenate([x, y]) for x, y in zip(a.columns(), b.columns(), strict=True)))

    def frame(self) -> pd.DataFrame:
        """The rows as :meth:`ParquetStore.rows` shows them."""
        return pd.DataFrame(
            {
                "date": pd.Series(self.date, dtype="datetime64[ns]"),
                "value": pd.Series(self.value, dtype="float64"),
                "fetched_at": pd.Series(self.fetched, dtype="datetime64[ns]").dt.tz_localize(UTC),
                "source": pd.Series(self.source, dtype="string"),
                "known_since": pd.Series(self.known, dtype="datetime64[ns]"),
            }
        )

    def table(self) -> pa.Table:
        return pa.Table.from_arrays(
            [
                pa.array(self.date, type=SCHEMA.field("date").type),
                pa.array(self.value, type=pa.float64()),
                pa.array(self.fetched.astype("int64"), type=SCHEMA.field("fetched_at").type),
                pa.array(self.source, type=pa.large_string()),
                pa.array(self.known, type=SCHEMA.field("known_since").type, mask=np.isnat(self.known)),
            ],
            schema=SCHEMA,
        )


def _empty_rows() -> _Rows:
    stamps = np.empty(0, dtype="datetime64[ns]")
    return _Rows(stamps, np.empty(0, dtype="float64"), stamps, np.empty(0, dtype=object), stamps)


def _column(table: pa.Table, name: str, kind: pa.DataType) -> np.ndarray:
    column = table.column(name)
    if column.type != kind:  # files written by other tools: same meaning, another unit or string type
        column = column.cast(kind)
    values = column.to_numpy()
    return values if values.flags.writeable else values.copy()  # Arrow's zero-copy views are read-only


def _from_table(table: pa.Table) -> _Rows:
    fetched = table.column("fetched_at")
    if not pa.types.is_timestamp(fetched.type) or fetched.type.tz is None:
        raise ValueError("fetched_at is not a UTC time")
    return _Rows(
        date=_column(table, "date", pa.timestamp("ns")),
        value=_column(table, "value", pa.float64()).astype("float64", copy=False),
        fetched=_column(table, "fetched_at", pa.timestamp("ns", tz="UTC")).astype("datetime64[ns]"),
        source=_column(table, "source", pa.large_string()).astype(object, copy=False),
        known=_column(table, "known_since", pa.timestamp("ns")),
    )


def _order(rows: _Rows) -> np.ndarray:
    """Row positions sorted by date, then fetch time, ties in file order (a stable sort)."""
    return np.lexsort((rows.fetched.view("int64"), rows.date.view("int64")))


def _latest(rows: _Rows, ordered: bool = False) -> _Rows:
    """One row per date: the one fetched last. ``ordered``: ``rows`` are already sorted as :func:`_order` does."""
    if len(rows) < 2:
        return rows
    steps = np.diff(rows.date.view("int64"))
    if (steps > 0).all():  # the usual file: one fetch per date, in order
        return rows
    if not ordered:
        rows = rows.take(_order(rows))
    dates = rows.date.view("int64")
    last = np.empty(len(dates), dtype=bool)
    last[:-1] = dates[1:] != dates[:-1]
    last[-1] = True
    return rows.take(np.flatnonzero(last))


def _first_known(rows: _Rows) -> np.ndarray | None:
    """Each date's first publication (``NaT`` where no row has one), in date order; ``None`` when no row has any.

    A release date is a fact about the date, not about one fetch: a later
    revision fetched without one (a key-less run) does not erase it.
    """
    if np.isnat(rows.known).all():
        return None
    unknown = np.iinfo(np.int64).max
    known = np.where(np.isnat(rows.known), unknown, rows.known.view("int64"))
    dates = rows.date.view("int64")
    order = np.argsort(dates, kind="stable")
    dates, known = dates[order], known[order]
    starts = np.flatnonzero(np.r_[True, dates[1:] != dates[:-1]])
    first = np.minimum.reduceat(known, starts)
    return np.where(first == unknown, _NAT, first.view("datetime64[ns]"))


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
        return self._rows(series_id).frame()

    def _rows(self, series_id: str) -> _Rows:
        path = self.path(series_id)
        try:
            # One read of the whole file: a concurrent writer replaces the file, never changes it in place,
            # so the bytes read are one consistent version (pyarrow alone may open the path twice).
            buffer = pa.BufferReader(path.read_bytes())
        except FileNotFoundError:
            return _empty_rows()
        except OSError as exc:
            raise StoreError(f"store file {path.name}: unreadable ({type(exc).__name__})") from None
        try:
            table = pq.ParquetFile(buffer).read(use_threads=False)  # threads cost more than they save here
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise StoreError(
                f"store file {path.name}: unreadable ({type(exc).__name__}); delete it and the next run refetches"
            ) from None
        missing = [c for c in COLUMNS if c not in table.column_names]
        if missing:
            raise StoreError(f"store file {path.name}: not a store file (missing columns {', '.join(missing)})")
        try:
            return _from_table(table)
        except (ValueError, pa.ArrowException) as exc:
            raise StoreError(f"store file {path.name}: not a store file ({exc})") from None

    def read(self, spec: SeriesSpec) -> SeriesData | None:
        """The latest known value for each date, or ``None`` when nothing is stored."""
        return self._as_series(spec, self._rows(spec.id))

    @staticmethod
    def _as_series(spec: SeriesSpec, rows: _Rows, ordered: bool = False) -> SeriesData | None:
        latest = _latest(rows, ordered)
        if not len(latest):
            return None
        index = pd.DatetimeIndex(latest.date, name="date")
        values = pd.Series(latest.value, index=index, name=spec.id, dtype="float64", copy=False)
        known = _first_known(rows)
        known_since = None if known is None else pd.Series(known, index=index, name="known_since")
        fetched = pd.Timestamp(latest.fetched.max(), tz=UTC)
        # Synthetic rows (a benchmark's or a demo's store) stay labelled: a briefing built on them
        # must carry the illustrative watermark, never pass as market data.
        illustrative = bool((latest.source == "illustrative").any())
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
        rows = self._rows(series_id)
        return None if not len(rows) else pd.Timestamp(rows.date.max()).date()

    def list(self) -> list[StoredSeries]:
        """Summary of every stored series, sorted by id (unreadable files are skipped with a warning)."""
        out: list[StoredSeries] = []
        if not self.folder.is_dir():
            return out
        for path in sorted(self.folder.glob("*.parquet")):
            try:
                rows = self._rows(path.stem)
            except StoreError as exc:
                log.warning("%s", exc)
                continue
            latest = _latest(rows)
            empty = not len(latest)
            out.append(
                StoredSeries(
                    id=path.stem,
                    rows=len(rows),
                    observations=len(latest),
                    first=None if empty else pd.Timestamp(latest.date[0]).date(),
                    last=None if empty else pd.Timestamp(latest.date[-1]).date(),
                    fetched_at=None if not len(rows) else pd.Timestamp(rows.fetched.max(), tz=UTC).to_pydatetime(),
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

    def _merge(self, data: SeriesData) -> tuple[int, _Rows]:
        """Merge ``data`` under the series' lock; the count of new or revised rows and every row after."""
        fetched = pd.Timestamp(data.fetched_at or datetime.now(UTC))
        fetched = fetched.tz_localize(UTC) if fetched.tzinfo is None else fetched.tz_convert(UTC)
        n = len(data.values)
        dates = pd.DatetimeIndex(data.values.index)
        known = np.full(n, _NAT)
        if data.known_since is not None:
            known = pd.DatetimeIndex(data.known_since.reindex(data.values.index)).to_numpy("datetime64[ns]")
        incoming = _Rows(
            date=dates.to_numpy("datetime64[ns]"),
            value=data.values.to_numpy(dtype="float64"),
            fetched=np.full(n, fetched.tz_localize(None).to_datetime64().astype("datetime64[ns]")),
            source=np.full(n, data.source, dtype=object),
            known=known,
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(data.id)
        try:
            with FileLock(str(path) + ".lock", timeout=self.lock_timeout):
                current = self._rows(data.id)
                fresh = self._changed(current, incoming)
                if not len(fresh):
                    return 0, current
                merged = fresh if not len(current) else _Rows.concat(current, fresh)
                merged = merged.take(_order(merged))
                self._replace(path, merged.table())
        except LockTimeout:
            raise StoreError(
                f"store file {path.name}: locked by another run for more than {self.lock_timeout:g}s; "
                f"if no other run is active, delete {path.name}.lock in the store's series folder"
            ) from None
        log.debug("store: %s +%d row(s)", data.id, len(fresh))
        return len(fresh), merged

    @staticmethod
    def _changed(current: _Rows, incoming: _Rows) -> _Rows:
        """Incoming rows whose date is new, or whose value or publication date differs from the latest."""
        if not len(current):
            return incoming
        latest = _latest(current)
        dates = latest.date.view("int64")
        at = np.searchsorted(dates, incoming.date.view("int64"))
        inside = np.minimum(at, len(dates) - 1)
        found = (at < len(dates)) & (dates[inside] == incoming.date.view("int64"))
        old_value = np.where(found, latest.value[inside], np.nan)
        same_value = np.isclose(old_value, incoming.value, rtol=1e-12, atol=0.0)
        old_known = np.where(found, latest.known[inside], _NAT)
        new_known = incoming.known
        same_known = (old_known == new_known) | np.isnat(new_known)
        return incoming.take(np.flatnonzero(~(same_value & same_known)))

    @staticmethod
    def _replace(path: Path, table: pa.Table) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
