"""The web app's rendering, in worker processes that are replaced before they grow.

``briefing serve`` runs for weeks; WeasyPrint's memory grows with every PDF a
process lays out (about 20 MiB a briefing, never given back). So the server
process never renders: builds and PDFs run in a pool of worker processes forked
from a fork server that imported the pipeline once, and each worker is replaced
after :data:`JOBS_PER_WORKER` jobs (``max_tasks_per_child``), before its growth
matters. Workers end with the server, even when it is killed
(:mod:`generator.lifeline`).

A build publishes the HTML first, then adds the PDF; its progress lines and the
moment the HTML is published travel back on a queue that every worker is given
when it starts, so the job page can link the HTML while the PDF is being laid
out. A briefing whose PDF is pending (a backfill's, or one whose build was
killed) gets it on the first request: :meth:`Workers.render_pdf`.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from generator.lifeline import empty_tempdir, forkserver_context, remove_orphaned_tempdirs, start_worker

log = logging.getLogger(__name__)
T = TypeVar("T")

JOBS_PER_WORKER = 3  # a worker lays out at most this many PDFs: RSS within 10% of a fresh one's (bench: memory)
PROCESSES = 2  # a build and an on-demand PDF side by side, one per core
PRELOAD = ["generator.serve.workers", "generator.pipeline", "generator.lazy_pdf", "generator.charts.render",
           "matplotlib.figure", "weasyprint"]

Event = tuple[str, str, str]  # (job token, "step" | "html", text)

_events: Any = None  # in a worker: the queue back to the server


def _start(parent: int, events: Any) -> None:
    """Pool initializer: die with the server, temporary files of its own, the queue for progress."""
    global _events
    start_worker(parent)
    _events = events


def _send(token: str, kind: str, text: str = "") -> None:
    if _events is not None:
        _events.put((token, kind, text))


def _ready() -> int:
    return os.getpid()


def build_task(root: str, source: str, report: str | None, day: date, force: bool, token: str) -> None:
    """In a worker: build the briefing of ``day`` into the archive ``root``, HTML first, then the PDF."""
    from generator.pipeline import build_briefing

    try:
        build_briefing(
            day,
            source=source,
            output_dir=Path(root),
            report=Path(report) if report else None,
            force=force,
            progress=lambda message: _send(token, "step", message),
            published=lambda result: _send(token, "html", str(result.directory)),
            chart_processes=2,  # from this warm worker, two forked processes draw every other chart each
            by="serve",
        )
    finally:
        empty_tempdir()


def pdf_task(root: str, day: date) -> int:
    """In a worker: render the pending PDF of ``root/DAY`` and add it to the folder; the worker's pid."""
    from generator.lazy_pdf import complete_pdf

    try:
        complete_pdf(Path(root), day, "serve")
    finally:
        empty_tempdir()
    return os.getpid()


class Workers:
    """The pool (started on first use, or by :meth:`start`) and the thread that reads the workers' events."""

    def __init__(self, root: Path, source: str, report: Path | None, jobs_per_worker: int = JOBS_PER_WORKER,
                 processes: int = PROCESSES) -> None:
        self.root, self.source, self.report = Path(root), source, report
        self.jobs_per_worker, self.processes = jobs_per_worker, processes
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._events: Any = None
        self._reader: threading.Thread | None = None
        self._listeners: dict[str, Callable[[str, str], None]] = {}

    def start(self) -> None:
        """Start the fork server and the workers now (they import the pipeline once), not at the first click."""
        pool = self._ensure()
        for future in [pool.submit(_ready) for _ in range(self.processes)]:
            future.result()

    def _ensure(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                remove_orphaned_tempdirs()  # what workers of a killed server left
                context = forkserver_context(PRELOAD)
                if self._events is None:  # kept when a broken pool is replaced: its reader goes on reading it
                    self._events = context.SimpleQueue()  # put() writes at once: events precede the task's result
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=context,
                    max_tasks_per_child=self.jobs_per_worker,
                    initializer=_start,
                    initargs=(os.getpid(), self._events),
                )
                if self._reader is None:
                    self._reader = threading.Thread(target=self._read, args=(self._events,), name="serve-events",
                                                    daemon=True)
                    self._reader.start()
            return self._pool

    def _read(self, events: Any) -> None:
        while True:
            try:
                item = events.get()
            except (EOFError, OSError):
                return
            if item is None:
                return
            token, kind, text = item
            with self._lock:
                listener = self._listeners.get(token)
            if listener is not None:
                listener(kind, text)

    def build(self, day: date, force: bool, progress: Callable[[str], None],
              published: Callable[[], None] | None = None) -> None:
        """Build in a worker and wait for it; ``progress`` gets its steps, ``published`` is called when the HTML
        is in the archive (before the PDF)."""
        token = secrets.token_hex(8)

        def listen(kind: str, text: str) -> None:
            if kind == "step":
                progress(text)
            elif kind == "html" and published is not None:
                published()

        with self._lock:
            self._listeners[token] = listen
        try:
            report = str(self.report) if self.report is not None else None
            self._submit(build_task, str(self.root), self.source, report, day, force, token).result()
        finally:
            self._drain(token)

    def _drain(self, token: str) -> None:
        # Events travel on their own pipe, written before the task returned: a marker written now comes after
        # them, so once it is read every event of the job has been handled.
        done = threading.Event()
        marker = f"done-{token}"

        def listen(kind: str, text: str) -> None:
            done.set()

        with self._lock:
            self._listeners[marker] = listen
            events = self._events
        if events is not None:
            events.put((marker, "done", ""))
            done.wait(5)
        with self._lock:
            self._listeners.pop(token, None)
            self._listeners.pop(marker, None)

    def render_pdf(self, day: date) -> Future[int]:
        """Start rendering the pending PDF of ``day`` in a worker."""
        return self._submit(pdf_task, str(self.root), day)

    def _submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        try:
            return self._ensure().submit(fn, *args)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool for the jobs to come
            log.warning("a rendering worker died; starting new ones")
            with self._lock:
                broken, self._pool = self._pool, None
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            return self._ensure().submit(fn, *args)

    def pids(self) -> list[int]:
        """The worker processes alive now (tests, bench)."""
        pool = self._pool
        processes = getattr(pool, "_processes", None) or {}
        return sorted(p.pid for p in processes.values() if p.is_alive() and p.pid is not None)

    def close(self) -> None:
        with self._lock:
            pool, events, reader = self._pool, self._events, self._reader
            self._pool, self._events, self._reader = None, None, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if events is not None:
            events.put(None)
            if reader is not None:
                reader.join(5)
            events.close()


__all__ = ["JOBS_PER_WORKER", "Workers"]
