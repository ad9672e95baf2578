"""Backfill: point-in-time briefings for a range of past dates, so a new archive starts with history.

Each briefing sees only what was known on its own date (the same
:func:`generator.acquire.acquire` as ``generate``, which cuts every series at
its publication date). Work is shared across dates instead of repeated:

* data are fetched or read **once** for the whole range (the providers and the
  store are wrapped in memos; each date then takes a point-in-time slice);
* indicators, flags and the comparison with the previous briefing are cheap and
  run in order in this process, because each date's flags depend on the
  previous date's (hysteresis);
* charts and documents (the slow part: matplotlib and WeasyPrint) are drawn in
  a pool of worker processes, recycled every few briefings because
  WeasyPrint's memory grows across renders in one process.

Dates already archived are kept (and serve as "previous" for the next date)
unless ``force``; each briefing is written atomically as it completes, so an
interrupted backfill can simply be run again.
"""

from __future__ import annotations

import calendar
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import pandas as pd

from generator.acquire import (
    HISTORY_YEARS,
    DataSources,
    SeriesStore,
    acquire,
    acquire_inputs,
    default_sources,
    parse_source,
)
from generator.archive.past import earlier
from generator.archive.read import scan
from generator.archive.write import prepare_root, write_briefing
from generator.charts import render_charts
from generator.errors import ArchiveError, BriefingError, OutputError, UsageError
from generator.lifeline import empty_tempdir, remove_orphaned_tempdirs, start_worker
from generator.model import Analysis, SeriesData, Snapshot
from generator.past import Earlier, select_past
from generator.pipeline import check_formats, load_report, refresh_index
from generator.plan import Plan
from generator.record import Record, make_record
from generator.render.documents import render_files
from generator.reports import archive_root
from generator.sources.base import FetchResult, Provider
from generator.sources.csvdir import CsvDirProvider
from generator.spec import SeriesSpec
from generator.version import __version__

log = logging.getLogger(__name__)

Every = Literal["week", "month"]
MAX_DATES = 600  # about eleven years of weekly briefings: beyond that, a typo in --from is likelier
RENDERS_PER_WORKER = 12  # recycle a worker after this many documents (WeasyPrint's memory grows)
Progress = Callable[[str], None]


def schedule(start: date, end: date, every: Every) -> list[date]:
    """``start``, then every week or month (same day of the month, or the month's last day) up to ``end``."""
    if every not in ("week", "month"):
        raise UsageError(f"unknown --every '{every}': expected week or month")
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    out: list[date] = []
    if every == "week":
        day = start
        while day <= end:
            out.append(day)
            day += timedelta(days=7)
    else:
        i = 0
        while True:
            year, month = divmod(start.month - 1 + i, 12)
            year += start.year
            last = calendar.monthrange(year, month + 1)[1]
            day = date(year, month + 1, min(start.day, last))
            if day > end:
                break
            out.append(day)
            i += 1
    if len(out) > MAX_DATES:
        raise UsageError(f"--from {start} --to {end} every {every} is {len(out)} briefings; at most {MAX_DATES}")
    return out


# ---------------------------------------------------------------- data once, sliced per date


class MemoProvider:
    """Fetches each series once over the whole backfill range; later calls get a slice of it."""

    def __init__(self, inner: Provider, start: date, end: date) -> None:
        self.inner = inner
        self.name = inner.name
        self.start, self.end = start, end
        self.series: dict[str, SeriesData] = {}
        self.failures: dict[str, str] = {}
        self.calls = 0

    def fetch(self, specs: Sequence[SeriesSpec], start: date, end: date) -> FetchResult:
        todo = [s for s in specs if s.id not in self.series and s.id not in self.failures]
        if todo:
            self.calls += 1
            result = self.inner.fetch(todo, self.start, self.end)
            self.series.update(result.series)
            self.failures.update(result.failures)
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        got = {}
        for s in specs:
            data = self.series.get(s.id)
            if data is None:
                continue
            mask = (data.values.index >= lo) & (data.values.index <= hi)
            known = data.known_since[mask] if data.known_since is not None else None
            got[s.id] = replace(data, values=data.values[mask], known_since=known)
        return FetchResult(got, {s.id: self.failures[s.id] for s in specs if s.id in self.failures})


class MemoStore:
    """The store, read once per series; each series is written at most once per backfill."""

    def __init__(self, inner: SeriesStore) -> None:
        self.inner = inner
        self.read_cache: dict[str, SeriesData | None] = {}
        self.written: set[str] = set()
        self.rows_cache: dict[str, pd.DataFrame] = {}

    def read(self, spec: SeriesSpec) -> SeriesData | None:
        if spec.id not in self.read_cache:
            self.read_cache[spec.id] = self.inner.read(spec)
        return self.read_cache[spec.id]

    def write(self, data: SeriesData) -> int:
        if data.id in self.written:
            return 0
        self.written.add(data.id)
        self.read_cache.pop(data.id, None)
        return self.inner.write(data)

    def merge(self, data: SeriesData, spec: SeriesSpec) -> tuple[int, SeriesData | None]:
        """Write (once) and read back the merged series, as the store's own ``merge`` does."""
        if data.id in self.written:
            return 0, self.read(spec)
        self.written.add(data.id)
        added, merged = self.inner.merge(data, spec)
        self.read_cache[spec.id] = merged
        return added, merged

    def rows(self, series_id: str) -> pd.DataFrame:
        """Every stored row of a series (valuation snapshots), read once per backfill."""
        if series_id not in self.rows_cache:
            self.rows_cache[series_id] = self.inner.rows(series_id)
        return self.rows_cache[series_id]


def memo_sources(source: str, sources: DataSources | None, start: date, end: date) -> DataSources:
    """``sources`` (or what ``acquire`` would use for ``source``) with every provider and the store memoized."""
    mode, folder = parse_source(source)
    if sources is None:
        sources = default_sources() if mode in ("auto", "live", "store") else DataSources()
    csv = sources.csv
    if mode == "csv" and folder is not None:
        csv = CsvDirProvider(folder)
    return replace(
        sources,
        live={name: MemoProvider(p, start, end) for name, p in sources.live.items()},
        store=MemoStore(sources.store) if sources.store is not None else None,
        illustrative=MemoProvider(sources.illustrative, start, end),
        csv=MemoProvider(csv, start, end) if csv is not None else None,
        quotes=None,  # quotes and fund data are today's only: a past date has none
        funds=None,
    )


# ---------------------------------------------------------------- rendering in workers


@dataclass(frozen=True)
class Job:
    plan: Plan
    analysis: Analysis  # without charts: the worker draws them
    record: Record
    formats: tuple[str, ...]


def render_job(job: Job) -> dict[str, bytes]:
    """Draw the charts and render the documents of one briefing (runs in a worker process)."""
    analysis = replace(job.analysis, charts=render_charts(job.plan.spec, job.analysis.snapshot))
    return render_files(job.plan, analysis, job.record, job.formats, __version__)


def render_in_worker(job: Job) -> dict[str, bytes]:
    """:func:`render_job` in a worker, then the temporary files it left (WeasyPrint's fonts) removed."""
    try:
        return render_job(job)
    finally:
        empty_tempdir()


@dataclass
class BackfillResult:
    written: list[date] = field(default_factory=list)
    kept: list[date] = field(default_factory=list)  # already archived, left as they were
    stances: dict[date, str] = field(default_factory=dict)


def backfill(
    start: date,
    end: date,
    every: Every = "week",
    *,
    source: str = "auto",
    formats: Sequence[str] = ("html", "pdf"),
    output_dir: str | Path = "output",
    report: str | Path | None = None,
    force: bool = False,
    sources: DataSources | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    today: date | None = None,
) -> BackfillResult:
    """Build the briefings of every date from ``start`` to ``end`` (see :func:`schedule`) into ``output_dir``.

    ``workers=0`` renders in this process (no pool).
    """
    say = progress or (lambda _m: None)
    today = today or datetime.now(UTC).date()
    if end > today:
        raise UsageError(f"--to {end} is in the future (today is {today}): a briefing can only use published data")
    wanted = check_formats(formats)
    dates = schedule(start, end, every)
    plan = load_report(report)
    root = archive_root(Path(output_dir), plan.report_id)
    prepare_root(root)
    good, problems = scan(root)
    for p in problems:
        say(f"warning: {p.message}")
    known: dict[date, Earlier] = {b.date: earlier(b) for b in good}
    todo = [d for d in dates if force or d not in known]
    result = BackfillResult(kept=[d for d in dates if d not in todo])
    if result.kept:
        say(f"{len(result.kept)} of {len(dates)} date(s) already archived and kept (use --force to rebuild them)")
    if not todo:
        return result

    first = todo[0] - timedelta(days=int(365.25 * HISTORY_YEARS))
    data = memo_sources(source, sources, first, todo[-1])
    say(f"loading data once for {len(todo)} briefing(s), {todo[0]} to {todo[-1]}")
    acquire(plan.spec, todo[-1], source=source, sources=data)  # fetch everything, write the store once

    executor = None
    if workers > 0:
        remove_orphaned_tempdirs()  # what workers of a killed run left
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_worker_context(),
            max_tasks_per_child=RENDERS_PER_WORKER,
            initializer=start_worker,  # workers end with this process, even killed (generator/lifeline.py)
            initargs=(os.getpid(),),
        )
    pending: dict[Future[dict[str, bytes]], tuple[date, Record]] = {}
    total = len(todo)

    def finish(day: date, record: Record, files: dict[str, bytes]) -> None:
        write_briefing(root, day, files, record.manifest, force=force)
        result.written.append(day)
        result.stances[day] = record.manifest.stance.label
        say(f"[{len(result.written)}/{total}] {day} written: {record.manifest.stance.label}")

    def drain(block_until: int) -> None:
        while len(pending) > block_until:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                day, record = pending.pop(future)
                finish(day, record, future.result())

    try:
        for day in todo:
            snapshot = acquire_inputs(plan, day, source=source, sources=data)
            past = select_past([known[d] for d in sorted(known)], day, plan.report_id, snapshot.illustrative)
            analysis = plan.evaluate(snapshot, previous=past.previous_flags)
            generated_at = datetime.now(UTC).replace(microsecond=0)
            record = make_record(plan, analysis, day, generated_at, __version__, past)
            if past.previous is not None:  # only the latest snapshot is needed in memory
                known[past.previous.manifest.briefing_date] = Earlier(past.previous.manifest, _not_kept)
            known[day] = Earlier.in_memory(record.manifest, snapshot)
            job = Job(plan, analysis, record, wanted)
            if executor is None:
                finish(day, record, render_job(job))
            else:
                pending[executor.submit(render_in_worker, job)] = (day, record)
                drain(block_until=2 * workers)  # bound the documents held in memory
        drain(block_until=0)
    except BriefingError as exc:
        exc.args = (
            f"{exc}\nbackfill stopped: {len(result.written)} of {total} briefing(s) written; "
            "run the same command again to continue (archived dates are kept)",
        )
        raise
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    try:
        refresh_index(root)
    except OutputError as exc:
        say(f"warning: archive index not updated: {exc}")
    return result


# Imported once by the fork server, so every (recycled) worker starts with them loaded.
WORKER_PRELOAD = ["generator.backfill", "generator.charts.render", "matplotlib.figure", "weasyprint"]


def _worker_context() -> multiprocessing.context.BaseContext:
    """Where the platform has it, a fork server: workers are forked from one process that imported the
    rendering code once, instead of each spending ~1.5 s of CPU importing pandas, matplotlib and WeasyPrint
    (a worker is replaced every ``RENDERS_PER_WORKER`` briefings). Elsewhere, fresh interpreters.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


def _not_kept() -> Snapshot:
    raise ArchiveError("backfill keeps only the previous briefing's snapshot in memory")
