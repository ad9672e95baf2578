"""Backfill: point-in-time briefings for a range of past dates, so a new archive starts with history.

Each briefing sees only what was known on its own date (the same
:func:`generator.acquire.acquire` as ``generate``, which cuts every series at
its publication date). Work is shared across dates instead of repeated:

* data are fetched or read **once** for the whole range (the providers and the
  store are wrapped in memos; each date then takes a point-in-time slice);
* indicators, flags and the comparison with the previous briefing are cheap and
  run in order in this process, because each date's flags depend on the
  previous date's (hysteresis);
* charts and documents (the slow part: matplotlib and WeasyPrint) are per-date
  tasks (:mod:`generator.tasks`) that run in a pool of worker processes,
  recycled every few tasks because WeasyPrint's memory grows across renders in
  one process, or on a Dask cluster (:mod:`generator.executors`); they return
  the files and only this process writes the archive.

HTML first: each date's HTML and manifest are published as soon as they are
rendered. PDFs are rendered on demand by default (pending in the manifest until
serve, send or rerender needs one); with ``pdf`` among the formats each is laid
out after its HTML and added to the folder.

Dates already archived are kept (and serve as "previous" for the next date)
unless ``force``; each briefing is written atomically as it completes, so an
interrupted backfill can simply be run again.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Literal

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
from generator.errors import ArchiveError, BriefingError, OutputError, UsageError
from generator.executors import InProcess, open_executor, parse_executor, worker_count
from generator.lazy_pdf import PdfTask, add_pdf
from generator.lazy_pdf import pdf_task as pdf_task_of
from generator.manifest import PdfMode, manifest_bytes
from generator.manifest import pending as pending_pdf
from generator.model import SeriesData, Snapshot
from generator.past import Earlier, select_past
from generator.pipeline import check_formats, load_report, refresh_index
from generator.record import make_record
from generator.reports import archive_root
from generator.sources.base import FetchResult, Provider
from generator.sources.csvdir import CsvDirProvider
from generator.spec import SeriesSpec
from generator.tasks import HtmlJob, PdfJob, Rendered, archived_pdf_task, html_task, pdf_task
from generator.version import __version__

log = logging.getLogger(__name__)

Every = Literal["week", "month"]
MAX_DATES = 600  # about eleven years of weekly briefings: beyond that, a typo in --from is likelier
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


# ---------------------------------------------------------------- the archive's side of the tasks


@dataclass
class BackfillResult:
    written: list[date] = field(default_factory=list)
    kept: list[date] = field(default_factory=list)  # already archived, left as they were
    stances: dict[date, str] = field(default_factory=dict)
    pdfs: list[date] = field(default_factory=list)  # PDFs added (after the HTML, or pending ones of kept dates)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def backfill(
    start: date,
    end: date,
    every: Every = "week",
    *,
    source: str = "auto",
    formats: Sequence[str] = ("html",),
    output_dir: str | Path = "output",
    report: str | Path | None = None,
    force: bool = False,
    sources: DataSources | None = None,
    workers: int = 2,
    executor: str = "local",
    progress: Progress | None = None,
    today: date | None = None,
    clock: Callable[[], datetime] = now,
) -> BackfillResult:
    """Build the briefings of every date from ``start`` to ``end`` (see :func:`schedule`) into ``output_dir``.

    Each date's HTML and manifest are published as soon as they are rendered; its PDF, when ``formats``
    asks for one, is added after them; otherwise it stays pending, rendered when first needed (serve, send,
    rerender). Asked for PDFs, the dates already archived with a pending PDF get theirs too. The tasks run
    in ``workers`` local processes (``0``: in this process), or on the Dask cluster ``executor =
    "dask://HOST:PORT"``; only this process writes the archive. ``clock`` gives the generation and rendering
    times (pinned by tests that compare two backfills byte for byte).
    """
    say = progress or (lambda _m: None)
    today = today or datetime.now(UTC).date()
    if end > today:
        raise UsageError(f"--to {end} is in the future (today is {today}): a briefing can only use published data")
    wanted = check_formats(formats)
    where = parse_executor(executor)
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
    unrendered = [b.date for b in good if b.date in result.kept and b.manifest.pdf_state == "pending"]
    if "pdf" not in wanted:
        unrendered = []
    if not todo and not unrendered:
        return result
    total = len(todo)
    first_formats = tuple(f for f in wanted if f != "pdf")
    mode: PdfMode = "eager" if "pdf" in wanted else "lazy"
    pending: dict[Future[Any], Callable[[Any], None]] = {}

    with open_executor(where, workers) as pool:  # a cluster that cannot be reached fails before any work
        width = worker_count(where, pool, workers)
        ahead = 0 if isinstance(pool, InProcess) else 2 * width  # documents held in memory at most
        if where.kind == "dask":
            say(f"rendering on the Dask cluster at {where} ({width} worker thread(s))")
        data = None
        definition = plan.definition_bytes()  # read and checked once for every date (and again at the end)
        if todo:
            first = todo[0] - timedelta(days=int(365.25 * HISTORY_YEARS))
            data = memo_sources(source, sources, first, todo[-1])
            say(f"loading data once for {len(todo)} briefing(s), {todo[0]} to {todo[-1]}")
            acquire(plan.spec, todo[-1], source=source, sources=data)  # fetch everything, write the store once

        def published(day: date, html: HtmlJob, done: Rendered) -> None:
            manifest = pending_pdf(html.record.manifest, mode)
            _, manifest = write_briefing(root, day, done.files, manifest, force=force)
            result.written.append(day)
            result.stances[day] = manifest.stance.label
            say(f"[{len(result.written)}/{total}] {day} written: {manifest.stance.label}"
                + (" (PDF to follow)" if mode == "eager" else ""))
            if mode == "eager":
                job = PdfJob(plan, replace(html.analysis, charts=done.charts), replace(html.record, manifest=manifest))
                body = manifest_bytes(manifest)
                pending[pool.submit(pdf_task, job)] = lambda pdf: added(day, pdf, body)

        def added(day: date, pdf: bytes, body: bytes) -> None:
            if add_pdf(root, day, pdf, body, "backfill", clock) is not None:
                result.pdfs.append(day)

        def drain(block_until: int) -> None:
            while len(pending) > block_until:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in [f for f in pending if f in done]:  # in the order they were submitted
                    pending.pop(future)(future.result())

        try:
            for day in unrendered:  # archived earlier with the PDF pending: rendered from its folder's record
                task = pdf_task_of(root, day)
                pending[pool.submit(archived_pdf_task, task)] = partial(added_archived, root, day, task, clock, result)
                drain(block_until=ahead)
            for day in todo:
                assert data is not None
                snapshot = acquire_inputs(plan, day, source=source, sources=data)
                past = select_past([known[d] for d in sorted(known)], day, plan.report_id, snapshot.illustrative)
                analysis = plan.evaluate(snapshot, previous=past.previous_flags)
                record = make_record(plan, analysis, day, clock(), __version__, past, definition)
                if past.previous is not None:  # only the latest snapshot is needed in memory
                    known[past.previous.manifest.briefing_date] = Earlier(past.previous.manifest, _not_kept)
                known[day] = Earlier.in_memory(record.manifest, snapshot)
                job = HtmlJob(plan, analysis, record, first_formats)
                pending[pool.submit(html_task, job)] = partial(published, day, job)
                drain(block_until=ahead)  # bound the documents held in memory
            drain(block_until=0)
            if todo:
                plan.definition_bytes()  # a SpecError if the definition was edited while the dates were built
        except BriefingError as exc:
            exc.args = (
                f"{exc}\nbackfill stopped: {len(result.written)} of {total} briefing(s) written; "
                "run the same command again to continue (archived dates are kept)",
            )
            raise
    try:
        refresh_index(root)
    except OutputError as exc:
        say(f"warning: archive index not updated: {exc}")
    return result


def added_archived(root: Path, day: date, task: PdfTask, clock: Callable[[], datetime], result: BackfillResult,
                   pdf: bytes) -> None:
    if add_pdf(root, day, pdf, task.published, "backfill", clock) is not None:
        result.pdfs.append(day)


def _not_kept() -> Snapshot:
    raise ArchiveError("backfill keeps only the previous briefing's snapshot in memory")
