"""Draw the charts in another process while this one carries on: two cores, two things at once.

Drawing a briefing's charts with matplotlib takes about a second of CPU; so
does importing WeasyPrint and building the manifest. On a machine with two or
more cores, :class:`ChartWorker` draws the charts in a separate process while
the caller goes on with the rest, and hands back exactly what
:func:`~generator.charts.render.render_charts` would have returned in-process
(the same function runs in the worker on the same snapshot).

The worker is forked when the object is made, early in a run: it starts with
the chart code already imported (a spawned interpreter would spend a second of
CPU importing pandas and matplotlib again, and would re-run the caller's main
script) and before this run has started any thread of its own. Forking is
only safe where it is the platform's norm, so this is Linux only. Elsewhere,
with one core, or with ``enabled=False``, the charts are drawn in-process
when asked for: the straightforward path, with the same result.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import TypeVar

from generator.lifeline import die_with
from generator.model import ChartImage, Snapshot
from generator.spec import ReportSpec

log = logging.getLogger(__name__)

Charts = dict[str, ChartImage]
T = TypeVar("T")


def _ready() -> None:
    # Importing matplotlib is the worker's start-up cost: pay it before the snapshot comes, while the
    # caller (which never imports it) loads the data.
    import matplotlib.backends.backend_svg
    import matplotlib.figure  # noqa: F401

    from generator.charts.style import load_matplotlib

    load_matplotlib()


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # plain text: it crosses a process boundary
        record.exc_info = None
        self.records.append(record)


def _draw_charts(spec: ReportSpec, snapshot: Snapshot, phone: bool = True) -> Charts:
    from generator.charts import render_charts

    return render_charts(spec, snapshot, phone)


def _logged(func: Callable[..., T], *args: object) -> tuple[T, list[logging.LogRecord]]:
    """In the worker: ``func(*args)``, and what the chart code logged (re-logged by the caller)."""
    keep = _Keep()
    root = logging.getLogger("generator")
    root.addHandler(keep)
    root.setLevel(logging.DEBUG)
    try:
        return func(*args), keep.records
    finally:
        root.removeHandler(keep)


def _relog(result: tuple[T, list[logging.LogRecord]]) -> T:
    value, records = result
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
    return value


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ChartWorker:
    """``draw(spec, snapshot)`` returns a callable giving the charts; use as a context manager."""

    def __init__(self, enabled: bool = True) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if enabled and usable_cores() > 1 and sys.platform == "linux":
            # The worker ends with this process, even when it is killed (generator/lifeline.py).
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=die_with,
                initargs=(os.getpid(),),
            )
            # The garbage collector writes to every object it visits: in the child, that would copy every
            # page the two processes share. Frozen objects are never visited.
            gc.freeze()
            try:
                self._pool.submit(_ready)  # forks the worker now
            finally:
                gc.unfreeze()

    def draw(self, spec: ReportSpec, snapshot: Snapshot, phone: bool = True) -> Callable[[], Charts]:
        """Start drawing; the returned function waits for the charts (drawn here if there is no worker).

        ``phone=False``: without the phone renditions, which only the HTML shows.
        """
        return self.submit(_draw_charts, spec, snapshot, phone)

    def submit(self, func: Callable[..., T], *args: object) -> Callable[[], T]:
        """Run the chart function ``func(*args)`` in the worker; the returned function waits for its result.

        Jobs run in order. Without a worker, ``func`` runs here and now, so the serial path draws in the
        pipeline's order (charts before the record and the documents). ``func`` must be importable by name
        (it crosses a process boundary).
        """
        if self._pool is None:
            result = func(*args)
            return lambda: result
        future: Future[tuple[T, list[logging.LogRecord]]] = self._pool.submit(_logged, func, *args)
        return lambda: _relog(future.result())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ChartWorker:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
