"""On-demand generation for the web app: one briefing at a time, in a background thread, rate-limited.

The web app never builds a briefing in a request: :meth:`Generator.submit` starts
a worker thread and returns at once with a :class:`Job` whose ``steps`` grow as
the pipeline reports progress; the job page reads them. While a job runs, a new
one is refused (:class:`Busy`, pointing at the running job); after one has
started, the next may start only ``min_interval`` seconds later
(:class:`RateLimited`), so a page reloaded in a loop or a crawler cannot keep
the machine building PDFs.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from generator.errors import BriefingError

if TYPE_CHECKING:
    from generator.serve.workers import Workers

log = logging.getLogger(__name__)

Build = Callable[[date, bool, Callable[[str], None], Callable[[], None]], Any]  # (day, force, progress, published)
State = Literal["running", "done", "failed"]
KEEP_JOBS = 50


@dataclass
class Job:
    """One generation request and what happened to it (read by the job page; written by the worker)."""

    id: str
    date: date
    force: bool
    state: State = "running"
    steps: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime | None = None
    error: str | None = None
    html: bool = False  # the HTML and the manifest are published (the PDF follows)
    version: int = 0  # bumped at every change, so that a page can wait for the next one

    @property
    def seconds(self) -> float:
        end = self.finished or datetime.now(UTC)
        return (end - self.started).total_seconds()


class Busy(Exception):
    def __init__(self, job: Job) -> None:
        super().__init__(f"a briefing for {job.date} is being generated")
        self.job = job


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"generation is limited to one start every interval; retry in {retry_after:.0f} s")
        self.retry_after = retry_after


class Generator:
    """Runs ``build(day, force, progress)`` jobs one at a time in a daemon thread."""

    def __init__(self, build: Build, min_interval: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.build = build
        self.min_interval = min_interval
        self.clock = clock
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.current: Job | None = None
        self.last_start: float | None = None
        self.thread: threading.Thread | None = None

    def submit(self, day: date, force: bool) -> Job:
        with self.lock:
            if self.current is not None and self.current.state == "running":
                raise Busy(self.current)
            now = self.clock()
            if self.last_start is not None and now - self.last_start < self.min_interval:
                raise RateLimited(self.min_interval - (now - self.last_start))
            job = Job(id=secrets.token_urlsafe(12), date=day, force=force)
            self.jobs[job.id] = job
            while len(self.jobs) > KEEP_JOBS:
                self.jobs.popitem(last=False)
            self.current, self.last_start = job, now
            self.thread = threading.Thread(target=self._run, args=(job,), name=f"generate-{day}", daemon=True)
            self.thread.start()
            return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def wait_for_change(self, job: Job, seen: int, timeout: float) -> None:
        """Return once ``job`` has changed since version ``seen`` (or after ``timeout`` seconds)."""
        with self.changed:
            self.changed.wait_for(lambda: job.version != seen or job.state != "running", timeout)

    def wait_until_done(self, job: Job, timeout: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: job.state != "running", timeout)

    def running(self, day: date) -> Job | None:
        """The build of ``day`` if one is running now."""
        with self.lock:
            job = self.current
            return job if job is not None and job.date == day and job.state == "running" else None

    def _run(self, job: Job) -> None:
        def progress(message: str) -> None:
            with self.changed:
                job.steps.append(message)
                job.version += 1
                self.changed.notify_all()

        def published() -> None:
            with self.changed:
                job.html = True
                job.version += 1
                self.changed.notify_all()

        try:
            self.build(job.date, job.force, progress, published)
        except BriefingError as exc:
            self._finish(job, "failed", str(exc))
        except Exception:  # a bug: keep the traceback in the log, show the user no internals
            log.exception("generating %s failed", job.date)
            self._finish(job, "failed", "internal error while generating the briefing (see the server log)")
        else:
            self._finish(job, "done", None)

    def _finish(self, job: Job, state: State, error: str | None) -> None:
        with self.changed:
            job.state, job.error, job.finished = state, error, datetime.now(UTC)
            job.version += 1
            self.changed.notify_all()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running job's thread (tests, shutdown)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


PdfState = Literal["rendering", "done", "failed", "busy"]


class PdfRenders:
    """Pending PDFs rendered on first request: one render per date, at most ``limit`` at once."""

    def __init__(self, render: Callable[[date], Future[Any]], limit: int = 2) -> None:
        self.render = render
        self.limit = limit
        self.lock = threading.Lock()
        self.running: dict[date, Future[Any]] = {}

    def request(self, day: date) -> tuple[PdfState, Future[Any] | None, str]:
        """Start (or follow) the render of ``day``'s PDF: its state, its future while rendering, the error."""
        with self.lock:
            future = self.running.get(day)
            if future is not None and future.done():
                del self.running[day]
                exc = future.exception()
                if exc is None:
                    return "done", None, ""
                if isinstance(exc, BriefingError):
                    return "failed", None, str(exc)
                log.error("rendering the PDF of %s failed", day, exc_info=exc)
                return "failed", None, "internal error while rendering the PDF (see the server log)"
            if future is None:
                if len(self.running) >= self.limit:
                    return "busy", None, ""
                future = self.running[day] = self.render(day)
            return "rendering", future, ""


def pipeline_build(root: Path, source: str, report: Path | None) -> Workers:
    """The real builds: :func:`generator.build_briefing` into the archive ``root``, in worker processes."""
    from generator.serve.workers import Workers

    return Workers(root, source, report)
