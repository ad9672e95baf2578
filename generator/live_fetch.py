"""The live fetch: every provider at once, only what is new since the store's last observation.

Part of acquisition (:mod:`generator.acquire`), kept apart because it is the
only code that waits on the network. Each provider runs on its own thread with
its own plan (which series from which date); each series is stored as soon as
it arrives; adjusted-close histories that a dividend or split re-based are
fetched again whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from generator.errors import StoreError
from generator.model import QualityNote, SeriesData
from generator.sources.base import FetchResult, Provider, Ready
from generator.spec import SeriesSpec
from generator.store import ParquetStore

if TYPE_CHECKING:
    from generator.acquire import DataSources

log = logging.getLogger(__name__)

# How far back an incremental fetch re-reads, so revisions of recent observations arrive too.
REVISION_WINDOW = {"daily": 10, "weekly": 42, "monthly": 190, "quarterly": 400}
STORE_WRITERS = 4  # per provider: Parquet encoding and fsync release the GIL

Progress = Callable[[str], None]


class SeriesStore(Protocol):
    """The local store as acquisition sees it."""

    def read(self, spec: SeriesSpec) -> SeriesData | None: ...

    def write(self, data: SeriesData) -> int: ...

    def merge(self, data: SeriesData, spec: SeriesSpec) -> tuple[int, SeriesData | None]: ...

    def rows(self, series_id: str) -> pd.DataFrame: ...  # every stored row (valuation snapshots are read so)


def read_stored(store: SeriesStore | None, spec: SeriesSpec, notes: list[QualityNote]) -> SeriesData | None:
    if store is None:
        return None
    try:
        return store.read(spec)
    except StoreError as exc:
        notes.append(QualityNote(spec.id, "warning", f"store: {exc}"))
        return None


def _plan(
    group: Sequence[SeriesSpec], last: Mapping[str, date | None], start: date, end: date, current: bool
) -> list[tuple[date, list[SeriesSpec]]]:
    """Which specs to fetch from which date: new series from ``start``, stored ones from a little before their end.

    Specs that share a start date share a fetch call (one batched download for
    Yahoo; one thread pool for FRED), so a typical run makes two or three calls,
    made at the same time.
    """
    by_start: dict[date, list[SeriesSpec]] = {}
    for s in group:
        stored_until = last.get(s.id)
        since = start
        if current and stored_until is not None:
            since = min(max(stored_until - timedelta(days=REVISION_WINDOW[s.frequency]), start), end)
        by_start.setdefault(since, []).append(s)
    return sorted(by_start.items(), key=lambda item: item[0])


def _adjustment_changed(old: SeriesData | None, new: SeriesData, spec: SeriesSpec) -> bool:
    """True when refetched adjusted closes disagree with stored ones: a dividend or split re-based history."""
    if old is None or spec.field != "adjclose":
        return False
    common = old.values.index.intersection(new.values.index)
    if common.empty:
        return False
    a, b = old.values[common].to_numpy(), new.values[common].to_numpy()
    return bool(not np.allclose(a, b, rtol=1e-6, atol=0.0))


def fetch_live(
    specs: Sequence[SeriesSpec], sources: DataSources, start: date, end: date,
    notes: list[QualityNote], failed: dict[str, str], say: Progress,
) -> dict[str, SeriesData]:
    """Every provider at once, each on its own thread: the network waits of Yahoo and FRED overlap."""
    by_provider: dict[str, list[SeriesSpec]] = {}
    for spec in specs:
        by_provider.setdefault(spec.provider, []).append(spec)
    current = end >= sources.today() - timedelta(days=1)
    runs: list[_ProviderRun] = []
    for provider_name, group in by_provider.items():
        provider = sources.live.get(provider_name)
        if provider is None:
            for spec in group:
                failed[spec.id] = f"live {provider_name}: {sources.unavailable_reason}"
            continue
        runs.append(_ProviderRun(provider, group, sources.store, start, end, current, say))
    for r in runs:  # planned before any request starts: a few file footers, read without contention
        r.prepare()
    with ThreadPoolExecutor(max_workers=max(1, len(runs)), thread_name_prefix="acquire") as pool:
        for _ in pool.map(_ProviderRun.run, runs):
            pass
    got: dict[str, SeriesData] = {}
    for r in runs:  # merged in the definition's order, whatever finished first
        got.update(r.got)
        notes.extend(r.notes)
        failed.update(r.failed)
    return got


@dataclass
class _ProviderRun:
    """One provider's part of a live fetch: plan, fetch, refetch re-based histories, store."""

    provider: Provider
    group: list[SeriesSpec]
    store: SeriesStore | None
    start: date
    end: date
    current: bool
    say: Progress
    got: dict[str, SeriesData] = field(default_factory=dict)
    notes: list[QualityNote] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    plan: list[tuple[date, list[SeriesSpec]]] = field(default_factory=list)
    stored: dict[str, SeriesData | None] = field(default_factory=dict)  # histories read while planning

    def prepare(self) -> None:
        """Plan from each series' last stored date: our store reads it from the file's statistics."""
        last: dict[str, date | None] = {}
        for s in self.group:
            if isinstance(self.store, ParquetStore):
                try:
                    last[s.id] = self.store.last_date(s.id)
                    continue
                except StoreError:
                    pass  # the full read says what is wrong with the file
            data = self.stored[s.id] = read_stored(self.store, s, self.notes)
            last[s.id] = data.last_date if data is not None else None
        self.plan = _plan(self.group, last, self.start, self.end, self.current)

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=STORE_WRITERS, thread_name_prefix="store") as io:
            self._run(io)

    def _run(self, io: ThreadPoolExecutor) -> None:
        provider, group, notes, plan = self.provider, self.group, self.notes, self.plan
        # A stored history is needed only once the new data is in, and only for adjusted closes (to spot a
        # re-based history): those are read while the requests are out.
        reading = {s.id: io.submit(read_stored, self.store, s, notes)
                   for s in group if s.field == "adjclose" and s.id not in self.stored and self.store is not None}
        fetched: dict[str, SeriesData] = {}
        by_id = {s.id: s for s in group}
        early: dict[str, Future[tuple[SeriesData, QualityNote | None]]] = {}

        def ready(data: SeriesData) -> None:
            # Stored at once, while the provider is still busy with the others. Adjusted closes first go
            # through the re-base check, if their stored history has been read by then (else: below).
            spec = by_id.get(data.id)
            if spec is None:
                return
            if spec.field == "adjclose" and self.store is not None:
                if spec.id in self.stored:
                    old = self.stored[spec.id]
                elif spec.id in reading and reading[spec.id].done():
                    old = reading[spec.id].result()
                else:
                    return
                if _adjustment_changed(old, data, spec):
                    return  # refetched whole below
            early[data.id] = io.submit(_keep, self.store, spec, data)

        def fetch(item: tuple[date, list[SeriesSpec]]) -> FetchResult:
            since, part = item
            self.say(f"fetching {len(part)} series from {provider.name} since {since}")
            return _safe_fetch(provider, part, since, self.end, ready)

        # The calls of one plan wait on the network together; each provider keeps its own concurrency cap.
        with ThreadPoolExecutor(max_workers=max(1, len(plan)), thread_name_prefix=provider.name) as pool:
            results = list(pool.map(fetch, plan))
        for result in results:
            fetched.update(result.series)
            self.failed.update({sid: f"live {provider.name} failed: {why}" for sid, why in result.failures.items()})
        stored = {**self.stored, **{sid: future.result() for sid, future in reading.items()}}
        rebased = [s for s in group if s.id in fetched and _adjustment_changed(stored.get(s.id), fetched[s.id], s)]
        if rebased and self.current:
            self.say(f"refetching {len(rebased)} series whose adjusted history changed")
            result = _safe_fetch(provider, rebased, self.start, self.end)
            fetched.update(result.series)
            for s in rebased:
                notes.append(QualityNote(s.id, "info", "adjusted history changed (dividend or split): refetched"))
        keep = [s for s in group if s.id in fetched and s.id not in early]
        # Store writes are file I/O (Parquet encoding, fsync) that threads overlap well.
        later = {s.id: io.submit(_keep, self.store, s, fetched[s.id]) for s in keep}
        for s in group:  # in the definition's order
            stored_now = early.get(s.id) or later.get(s.id)
            if stored_now is None:
                continue
            data, note = stored_now.result()
            self.got[s.id] = data
            if note is not None:
                notes.append(note)


def _safe_fetch(
    provider: Provider, specs: Sequence[SeriesSpec], start: date, end: date, ready: Ready | None = None
) -> FetchResult:
    """A provider must not raise for one series; if it raises anyway, every series of the call fails."""
    try:
        if ready is not None and getattr(provider, "streams", False):
            return provider.fetch(specs, start, end, ready=ready)  # type: ignore[call-arg]
        return provider.fetch(specs, start, end)
    except Exception as exc:
        log.warning("provider %s raised %s: %s", provider.name, type(exc).__name__, exc)
        return FetchResult({}, {s.id: f"{type(exc).__name__}: {exc}" for s in specs})


def _keep(store: SeriesStore | None, spec: SeriesSpec, data: SeriesData) -> tuple[SeriesData, QualityNote | None]:
    """Store what was fetched and return the full merged history (vintage data is not stored)."""
    if store is None or data.source == "alfred":
        return data, None
    try:
        _, merged = store.merge(data, spec)
    except StoreError as exc:
        return data, QualityNote(data.id, "warning", f"store: {exc}")
    if merged is None:
        return data, None
    return replace(merged, source=data.source, fetched_at=data.fetched_at, notes=data.notes,
                   rejected=data.rejected), None
