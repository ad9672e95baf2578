"""Dated snapshots of the live valuation inputs (Yahoo quote fields, fund data) in the local store.

Yahoo publishes no history of a fund's holdings P/E or of SPY's top-holding
weights: each answer describes the day it is given. So every live run keeps
what it read in the store (one file per input, like any series), dated the
run's day (UTC), with its fetch time; a briefing then reads the input's whole
stored history up to its own date. A snapshot is dated the day it was taken,
so a briefing for a past date sees only the snapshots taken on or before that
date, never a later one. When one day was fetched twice, the later fetch
counts. Values are range-checked again when read, so a range
tightened in the definition also applies to what was stored before.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Protocol

import pandas as pd

from generator.errors import StoreError
from generator.model import QualityNote, SeriesData
from generator.spec import ReportSpec

STALE_AFTER_DAYS = 14  # a snapshot older than this is shown, marked stale
LIVE_ORIGINS = ("yahoo_quote", "yahoo_fund")
STORE_THREADS = 4  # as acquisition's store writers: Parquet encoding and fsync release the GIL


class SnapshotStore(Protocol):
    """What snapshots need of the store (:class:`generator.store.ParquetStore` has it)."""

    def rows(self, series_id: str) -> pd.DataFrame: ...

    def write(self, data: SeriesData) -> int: ...


def snapshot_ids(spec: ReportSpec) -> list[str]:
    """The valuation inputs that are snapshotted (live quote fields and fund data), in definition order."""
    return [k for k, v in spec.valuation_inputs.items() if v.origin in LIVE_ORIGINS]


def _write(store: SnapshotStore, data: SeriesData) -> QualityNote | None:
    try:
        store.write(data)
    except StoreError as exc:
        return QualityNote(data.id, "warning", f"store: snapshot not kept: {exc}")
    except OSError as exc:  # the store's folder itself cannot be made (the message would show its path)
        return QualityNote(data.id, "warning", f"store: snapshot not kept ({exc.strerror or type(exc).__name__})")
    return None


def keep(store: SnapshotStore, fetched: Mapping[str, SeriesData]) -> list[QualityNote]:
    """Write this run's values into the store; a store that fails is a warning, not a failed briefing."""
    # One small file per input, each written under its lock and fsynced: threads overlap the waits.
    with ThreadPoolExecutor(max_workers=STORE_THREADS, thread_name_prefix="snapshots") as pool:
        return [n for n in pool.map(lambda data: _write(store, data), fetched.values()) if n is not None]


def _rows(store: SnapshotStore, input_id: str) -> pd.DataFrame | StoreError:
    try:
        return store.rows(input_id)
    except StoreError as exc:
        return exc


def _known(rows: pd.DataFrame, as_of: date) -> pd.Series:
    """The latest fetched value for each date, of the rows dated on or before ``as_of``."""
    visible = rows[pd.DatetimeIndex(rows["date"]) <= pd.Timestamp(as_of)]
    if visible.empty:
        return pd.Series(dtype="float64")
    ordered = visible.sort_values(["date", "fetched_at"], kind="stable").drop_duplicates("date", keep="last")
    index = pd.DatetimeIndex(ordered["date"], name="date")
    return pd.Series(ordered["value"].to_numpy(dtype="float64"), index=index)


def history(
    store: SnapshotStore, spec: ReportSpec, as_of: date, fresh: Mapping[str, SeriesData]
) -> tuple[dict[str, SeriesData], list[QualityNote]]:
    """Each snapshotted input's stored history up to ``as_of``, with this run's ``fresh`` values on top."""
    out: dict[str, SeriesData] = {}
    notes: list[QualityNote] = []
    ids = snapshot_ids(spec)
    with ThreadPoolExecutor(max_workers=STORE_THREADS, thread_name_prefix="snapshots") as pool:
        stored = dict(zip(ids, pool.map(lambda i: _rows(store, i), ids), strict=True))
    for input_id in ids:
        vspec = spec.valuation_inputs[input_id]
        rows = stored[input_id]
        if isinstance(rows, StoreError):
            notes.append(QualityNote(input_id, "warning", f"store: {rows}"))
            values = pd.Series(dtype="float64")
        else:
            values = _known(rows, as_of)
        live = fresh.get(input_id)
        if live is not None:  # kept in any case, even if the store could not take it
            values = pd.concat([values[values.index != live.values.index[-1]], live.values]).sort_index()
        if vspec.valid_range is not None and not values.empty:
            low, high = vspec.valid_range
            outside = values[(values < low) | (values > high)]
            if not outside.empty:
                notes.append(QualityNote(input_id, "warning", (
                    f"{len(outside)} stored snapshot(s) outside {low:g} to {high:g} ignored as nonsense "
                    f"(first {outside.index[0].date()}: {outside.iloc[0]:g})"
                )))
                values = values[(values >= low) & (values <= high)]
        if values.empty:
            continue
        values.name = input_id
        last = values.index[-1].date()
        if live is not None and values.index[-1] == live.values.index[-1]:
            out[input_id] = replace(live, values=values)
            continue
        stale = (as_of - last).days > STALE_AFTER_DAYS
        said = f"latest snapshot {values.iloc[-1]:.4g} dated {last} from the store ({len(values)} in all)"
        if stale:
            said += f"; older than {STALE_AFTER_DAYS} days (stale)"
        out[input_id] = SeriesData(input_id, values, "store", stale=stale, notes=(said,))
        notes.append(QualityNote(input_id, "warning" if stale else "info", said))
    return out, notes


def fresh_only(spec: ReportSpec, fetched: Mapping[str, SeriesData]) -> dict[str, SeriesData]:
    """Without a store: this run's values alone (one observation each), in definition order."""
    return {k: fetched[k] for k in snapshot_ids(spec) if k in fetched}

