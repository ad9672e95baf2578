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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from generator.errors import BriefingError

log = logging.getLogger(__name__)

Build = Callable[[date, bool, Callable[[str], None]], Any]
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

    def _run(self, job: Job) -> None:
        def progress(message: str) -> None:
            with self.lock:
                job.steps.append(message)

        try:
            self.build(job.date, job.force, progress)
        except BriefingError as exc:
            self._finish(job, "failed", str(exc))
        except Exception:  # a bug: keep the traceback in the log, show the user no internals
            log.exception("generating %s failed", job.date)
            self._finish(job, "failed", "internal error while generating the briefing (see the server log)")
        else:
            self._finish(job, "done", None)

    def _finish(self, job: Job, state: State, error: str | None) -> None:
        with self.lock:
            job.state, job.error, job.finished = state, error, datetime.now(UTC)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running job's thread (tests, shutdown)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


def pipeline_build(root: Path, source: str, report: Path | None) -> Build:
    """The real build: :func:`generator.build_briefing` into the archive ``root``."""

    def build(day: date, force: bool, progress: Callable[[str], None]) -> Any:
        from generator.pipeline import build_briefing

        return build_briefing(day, source=source, output_dir=root, report=report, force=force, progress=progress)

    return build
