"""Obtain every series the definition names, with fallbacks, as a point-in-time :class:`Snapshot`.

``--source`` decides where data may come from:

* ``auto`` (default): live providers first (only what is new since the local
  store's last observation); a series whose live fetch fails falls back to its
  stored data, marked stale with its date; what is still missing falls back
  to the illustrative dataset. Each fallback is a note in the data-quality box
  and on the console. A failing series never aborts the briefing.
* ``live``: live providers only (successes are still stored).
* ``store``: the local store only, entirely offline.
* ``csv:DIR``: one file per series in DIR (see :mod:`generator.sources.csvdir`).
* ``illustrative``: the synthetic dataset.

``strict=True`` turns any missing or stale required series into a
:class:`DataQualityError` listing them (for scheduled runs).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

import numpy as np

from generator.errors import DataQualityError, StoreError, UsageError
from generator.model import QualityNote, SeriesData, Snapshot
from generator.pointintime import is_stale, known_on
from generator.sources.base import FetchResult, Provider, Ready
from generator.sources.csvdir import CsvDirProvider
from generator.sources.endpoints import FRED_API_ROOT, FRED_CSV_URL
from generator.sources.http import NetworkSettings
from generator.sources.illustrative import IllustrativeProvider
from generator.sources.valuation import QuoteSource, YahooQuotes
from generator.spec import ReportSpec, SeriesSpec
from generator.store import ParquetStore

log = logging.getLogger(__name__)

SOURCE_MODES = ("auto", "live", "store", "illustrative")
HISTORY_YEARS = 12  # ten-year windows plus a 200-day average need a little over ten years
# How far back an incremental fetch re-reads, so revisions of recent observations arrive too.
REVISION_WINDOW = {"daily": 10, "weekly": 42, "monthly": 190, "quarterly": 400}
STORE_WRITERS = 4  # per provider: Parquet encoding and fsync release the GIL

Progress = Callable[[str], None]


class SeriesStore(Protocol):
    """The local store as acquisition sees it."""

    def read(self, spec: SeriesSpec) -> SeriesData | None: ...

    def write(self, data: SeriesData) -> int: ...

    def merge(self, data: SeriesData, spec: SeriesSpec) -> tuple[int, SeriesData | None]: ...


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass
class DataSources:
    """The providers and store a run may use. Tests and the CLI build one; nothing is global."""

    live: dict[str, Provider] = field(default_factory=dict)
    store: SeriesStore | None = None
    illustrative: Provider = field(default_factory=IllustrativeProvider)
    unavailable_reason: str = "live providers are not configured"
    today: Callable[[], date] = _today
    quotes: QuoteSource | None = None  # valuation quote fields (trailing P/E), see sources/valuation.py
    csv: Provider | None = None  # the csv:DIR folder's reader, when prepared by the caller (backfill caches one)


@dataclass(frozen=True)
class SourceSettings:
    """Where live data comes from and where it is kept; read from the environment.

    ``FRED_API_KEY`` (optional: without it FRED's key-less CSV is used),
    ``BRIEFING_DATA_DIR`` (the store; default: the user's data folder),
    ``BRIEFING_FRED_API_ROOT``, ``BRIEFING_FRED_CSV_URL`` and
    ``BRIEFING_YAHOO_BASE_URL`` (mirrors, gateways), plus the network settings
    of :class:`NetworkSettings` (timeouts, retries, proxy).
    """

    data_dir: Path
    network: NetworkSettings = field(default_factory=NetworkSettings)
    fred_api_key: str | None = field(default=None, repr=False)
    fred_api_root: str = FRED_API_ROOT
    fred_csv_url: str = FRED_CSV_URL
    yahoo_base_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SourceSettings:
        env = os.environ if env is None else env
        data_dir = env.get("BRIEFING_DATA_DIR") or _default_data_dir()
        return cls(
            data_dir=Path(data_dir).expanduser(),
            network=NetworkSettings.from_env(env),
            fred_api_key=(env.get("FRED_API_KEY") or "").strip() or None,
            fred_api_root=env.get("BRIEFING_FRED_API_ROOT") or FRED_API_ROOT,
            fred_csv_url=env.get("BRIEFING_FRED_CSV_URL") or FRED_CSV_URL,
            yahoo_base_url=env.get("BRIEFING_YAHOO_BASE_URL") or None,
        )


def _default_data_dir() -> str:
    import platformdirs

    return platformdirs.user_data_dir("macro-briefing", appauthor=False)


def default_sources(settings: SourceSettings | None = None) -> DataSources:
    """The real providers and the store, configured from ``settings`` (default: the environment)."""
    # Imported here: their HTTP stacks are only needed when a run may go online.
    from generator.sources.fred import FredProvider
    from generator.sources.yahoo import YahooProvider

    settings = settings or SourceSettings.from_env()
    net = settings.network
    yahoo_cache = settings.data_dir / "yfinance"  # yfinance's cookie and time zones, our crumb
    return DataSources(
        live={
            "yahoo": YahooProvider(net, base_url=settings.yahoo_base_url, cache_dir=yahoo_cache),
            "fred": FredProvider(settings.fred_api_key, settings=net, api_root=settings.fred_api_root,
                                 csv_url=settings.fred_csv_url),
        },
        store=ParquetStore(settings.data_dir),
        quotes=YahooQuotes(net, base_url=settings.yahoo_base_url, cache_dir=yahoo_cache),
    )


def parse_source(source: str) -> tuple[str, Path | None]:
    """``auto``/``live``/``store``/``illustrative``, or ``csv`` with its folder."""
    if source.startswith("csv:"):
        folder = source[4:].strip()
        if not folder:
            raise UsageError("--source csv:DIR needs a folder, e.g. --source csv:data/exports")
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise UsageError(f"--source {source}: folder {path} does not exist")
        return "csv", path
    if source not in SOURCE_MODES:
        raise UsageError(f"unknown --source '{source}': expected one of {', '.join(SOURCE_MODES)} or csv:DIR")
    return source, None


# ---------------------------------------------------------------- live, incremental


def _read_stored(store: SeriesStore | None, spec: SeriesSpec, notes: list[QualityNote]) -> SeriesData | None:
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


def _fetch_live(
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
            data = self.stored[s.id] = _read_stored(self.store, s, self.notes)
            last[s.id] = data.last_date if data is not None else None
        self.plan = _plan(self.group, last, self.start, self.end, self.current)

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=STORE_WRITERS, thread_name_prefix="store") as io:
            self._run(io)

    def _run(self, io: ThreadPoolExecutor) -> None:
        provider, group, notes, plan = self.provider, self.group, self.notes, self.plan
        # A stored history is needed only once the new data is in, and only for adjusted closes (to spot a
        # re-based history): those are read while the requests are out.
        reading = {s.id: io.submit(_read_stored, self.store, s, notes)
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


# ---------------------------------------------------------------- the fallback chain


def acquire(
    spec: ReportSpec,
    as_of: date,
    source: str = "auto",
    sources: DataSources | None = None,
    progress: Progress | None = None,
    *,
    strict: bool = False,
) -> Snapshot:
    """Collect every series in ``spec`` as known on ``as_of``, following the ``source`` policy."""
    mode, folder = parse_source(source)
    if sources is None:  # the real providers and store, only when this mode can use them
        if mode == "store":
            sources = DataSources(store=ParquetStore(SourceSettings.from_env().data_dir))
        else:
            sources = default_sources() if mode in ("auto", "live") else DataSources()
    say = progress or (lambda _msg: None)
    specs = list(spec.series.values())
    start = as_of - timedelta(days=int(365.25 * HISTORY_YEARS))
    notes: list[QualityNote] = []
    got: dict[str, SeriesData] = {}
    failed: dict[str, str] = {}

    if mode == "csv" and folder is not None:
        say(f"reading {len(specs)} series from {folder}")
        result = (sources.csv or CsvDirProvider(folder)).fetch(specs, start, as_of)
        got.update(result.series)
        failed.update({sid: f"csv: {why}" for sid, why in result.failures.items()})

    if mode in ("auto", "live"):
        got.update(_fetch_live(specs, sources, start, as_of, notes, failed, say))

    if mode in ("auto", "store"):
        if sources.store is None:
            notes.append(QualityNote("*", "error" if mode == "store" else "warning", "no local store is configured"))
        else:
            _from_store(specs, sources.store, mode, got, failed, notes)

    for sid, reason in failed.items():
        if sid not in got:
            notes.append(QualityNote(sid, "warning", reason))

    missing = [s for s in specs if s.id not in got]
    if mode == "illustrative" or (mode == "auto" and missing):
        targets = specs if mode == "illustrative" else missing
        say(f"generating illustrative data for {len(targets)} series")
        got.update(sources.illustrative.fetch(targets, start, as_of).series)
        if mode == "auto":
            notes.append(QualityNote("*", "warning", f"{len(targets)} series fell back to illustrative data "
                                     "(not market data): " + ", ".join(s.id for s in targets)))

    for sid, data in got.items():
        notes.extend(QualityNote(sid, "warning", note) for note in data.notes)
    snapshot = _point_in_time(spec, as_of, source, got, notes)
    snapshot = replace(snapshot, quality=group_notes(snapshot.quality))
    if strict:
        problems = strict_problems(spec, snapshot)
        if problems:
            raise DataQualityError(f"--strict: {len(problems)} required series missing or stale:\n"
                                   + "\n".join(problems))
    return snapshot


def _from_store(
    specs: Sequence[SeriesSpec], store: SeriesStore, mode: str,
    got: dict[str, SeriesData], failed: dict[str, str], notes: list[QualityNote],
) -> None:
    for s in specs:
        if s.id in got:
            continue
        stored = _read_stored(store, s, notes)
        if stored is None or stored.values.empty:
            continue
        if mode == "auto":
            reason = failed.pop(s.id, "no live data")
            got[s.id] = replace(stored, stale=True)
            notes.append(QualityNote(s.id, "warning",
                                     f"{reason}; using stored data up to {stored.last_date} (stale)"))
        else:
            got[s.id] = stored


def _policy(as_of: date, series: Mapping[str, SeriesData]) -> str:
    """Which point-in-time rule applied (printed in the briefing and the manifest).

    Market prices are always cut at their own date; macro series use ALFRED's
    real-time dates when a FRED key fetched them, the declared lag otherwise.
    """
    alfred = sorted(sid for sid, d in series.items() if d.source == "alfred" and d.known_since is not None)
    dated = sorted(sid for sid, d in series.items()
                   if d.source != "alfred" and d.known_since is not None and d.known_since.notna().any())
    parts = [f"ALFRED real-time vintages as published on {as_of} for {', '.join(alfred)}"] if alfred else []
    parts += [f"release dates recorded from ALFRED for {', '.join(dated)}"] if dated else []
    if parts:
        return "; ".join(parts) + "; publication lag declared per series for the others"
    return "publication lag declared per series"


def _point_in_time(
    spec: ReportSpec, as_of: date, source: str, got: dict[str, SeriesData], notes: list[QualityNote]
) -> Snapshot:
    series: dict[str, SeriesData] = {}
    for s in spec.series.values():
        data = got.get(s.id)
        if data is None:
            notes.append(QualityNote(s.id, "error" if s.required else "warning", "missing: no source had this series"))
            continue
        data = known_on(data, s, as_of)
        if is_stale(data, s, as_of):
            if not data.stale:
                notes.append(QualityNote(s.id, "warning", f"stale: last observation {data.last_date} is older "
                                         f"than {s.max_staleness_days} days"))
            data = replace(data, stale=True)
        series[s.id] = data
    shown = f"csv:{Path(source[4:]).name}" if source.startswith("csv:") else source  # the folder's name, not its path
    return Snapshot(as_of=as_of, series=series, requested_source=shown, quality=tuple(notes),
                    point_in_time_policy=_policy(as_of, series))


def group_notes(notes: Sequence[QualityNote], at_least: int = 3) -> tuple[QualityNote, ...]:
    """Merge a message shared by many series into one line, so an outage reads as one problem, not fifty."""
    ids: dict[tuple[str, str], list[str]] = {}
    for n in notes:
        ids.setdefault((n.level, n.message), []).append(n.series_id)
    out: list[QualityNote] = []
    done: set[tuple[str, str]] = set()
    for n in notes:
        key = (n.level, n.message)
        members = ids[key]
        if len(members) < at_least:
            out.append(n)
        elif key not in done:
            done.add(key)
            out.append(QualityNote("*", n.level, f"{n.message} ({len(members)} series: {', '.join(members)})"))
    return tuple(out)


def strict_problems(spec: ReportSpec, snapshot: Snapshot) -> list[str]:
    """One line per required series that is missing or stale (what ``--strict`` refuses)."""
    problems: list[str] = []
    for s in spec.series.values():
        if not s.required:
            continue
        data = snapshot.series.get(s.id)
        if data is None or data.values.empty:
            problems.append(f"  {s.id}: missing")
        elif data.stale:
            problems.append(f"  {s.id}: stale (last observation {data.last_date}, source {data.source})")
    return problems

