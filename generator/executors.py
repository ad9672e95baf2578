"""Where a backfill's per-date tasks run: ``--executor local`` (default) or ``--executor dask://HOST:PORT``.

Both are :class:`concurrent.futures.Executor`\\s, so the backfill submits and
waits for tasks the same way whatever runs them:

* ``local``: a pool of worker processes forked from a fork server that imported
  the rendering code once, each replaced after ``RENDERS_PER_WORKER`` tasks
  (WeasyPrint's memory grows with every PDF), ending with this process even
  when it is killed (:mod:`generator.lifeline`); ``workers=0`` runs the tasks
  here, one after another;
* ``dask://HOST:PORT``: an existing Dask distributed cluster (the optional
  extra, ``pip install 'macro-briefing[dask]'``), through its scheduler's
  ``concurrent.futures`` executor. Dask schedules; nothing here queues. Its
  workers need this package, at the client's version, installed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from generator.errors import ExecutorError, UsageError
from generator.lifeline import forkserver_context, remove_orphaned_tempdirs, start_worker

T = TypeVar("T")
RENDERS_PER_WORKER = 12  # a local worker is replaced after this many tasks (WeasyPrint's memory grows)
# Imported once by the local fork server, so every (recycled) worker starts with them loaded.
WORKER_PRELOAD = ["generator.backfill", "generator.tasks", "generator.charts.render", "matplotlib.figure",
                  "weasyprint"]
CONNECT_TIMEOUT = "10s"  # how long a Dask client tries to reach the scheduler before giving up
_DASK = re.compile(r"^dask://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class ExecutorSpec:
    kind: str  # "local" or "dask"
    address: str = ""  # the scheduler's, for Dask: tcp://HOST:PORT

    def __str__(self) -> str:
        return "local" if self.kind == "local" else self.address.replace("tcp://", "dask://")


def parse_executor(text: str) -> ExecutorSpec:
    """``local`` or ``dask://HOST:PORT``; anything else is a usage error naming both forms."""
    if text == "local":
        return ExecutorSpec("local")
    found = _DASK.match(text.strip())
    if found is None or not 0 < int(found["port"]) < 65536:
        raise UsageError(f"--executor {text!r}: expected local or dask://HOST:PORT (a Dask scheduler's address)")
    return ExecutorSpec("dask", f"tcp://{found['host']}:{found['port']}")


class InProcess(Executor):
    """Runs each task at once, here (``--workers 0``)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, as a pool would
            future.set_exception(exc)
        return future


class Wrapped(Executor):
    """``inner``, each task run through ``wrapper(fn, *args)`` in the worker."""

    def __init__(self, inner: Executor, wrapper: Callable[..., Any]) -> None:
        self.inner, self.wrapper = inner, wrapper

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self.inner.submit(self.wrapper, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if isinstance(self.inner, ProcessPoolExecutor):
            self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
        else:  # Dask's executor cancels what is pending itself
            self.inner.shutdown(wait=wait)


class OnCluster(Wrapped):
    """A Dask client's executor, each task wrapped by :func:`generator.tasks.on_cluster`."""


@contextlib.contextmanager
def open_executor(spec: ExecutorSpec, workers: int) -> Iterator[Executor]:
    """The executor for ``spec``; shut down (pending tasks cancelled) when the block ends."""
    if spec.kind == "dask":
        with _dask(spec.address) as executor:
            yield executor
        return
    if workers <= 0:
        yield InProcess()
        return
    from generator.tasks import in_worker

    remove_orphaned_tempdirs()  # what workers of a killed run left
    pool = Wrapped(
        ProcessPoolExecutor(
            max_workers=workers,
            mp_context=forkserver_context(WORKER_PRELOAD),
            max_tasks_per_child=RENDERS_PER_WORKER,
            initializer=start_worker,  # workers end with this process, even killed (generator/lifeline.py)
            initargs=(os.getpid(),),
        ),
        in_worker,
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask(address: str) -> Iterator[Executor]:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            f"--executor {address.replace('tcp://', 'dask://')}: needs Dask: pip install 'macro-briefing[dask]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(
            f"--executor {address.replace('tcp://', 'dask://')}: cannot reach the Dask scheduler ({exc}); "
            "start it with `dask scheduler` and its workers with `dask worker ADDRESS`"
        ) from None
    try:
        from generator.tasks import on_cluster

        executor = OnCluster(client.get_executor(pure=False), on_cluster)
        try:
            yield executor
        finally:
            executor.shutdown(wait=True)
    finally:
        client.close()


def worker_count(spec: ExecutorSpec, executor: Executor, workers: int) -> int:
    """How many tasks can run at once: the local pool's size, or the Dask cluster's worker threads."""
    if isinstance(executor, OnCluster):
        client = getattr(executor.inner, "_client", None)
        try:
            info = client.scheduler_info() if client is not None else {}
            return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))
        except Exception:  # a scheduler that does not say: as many as asked locally
            return max(1, workers)
    return max(1, workers)
