"""Worker processes that die with the process they work for.

A pool worker waits for its next job on a pipe. When the process that made the
pool is killed (``kill -9``, the OOM killer), nothing closes that pipe: the
worker holds its write end too (inherited when it was forked, or sent to it
with the queue), so it never sees end-of-file and would wait, holding its
memory, forever; and while it lives, so do the fork server and resource tracker
that keep a pipe to it. :func:`die_with`, run first in every worker, ends the
worker when that process ends, however it ends:

* on Linux the kernel is asked to kill the worker when its parent exits
  (``prctl(PR_SET_PDEATHSIG, SIGKILL)``): for a worker forked by the process
  itself this is immediate;
* a watcher thread waits on a pidfd of the process the worker serves (which,
  for a worker started by a fork server, is not its parent) and ends the worker
  the moment it exits; where pidfds are missing it checks every half second.

:func:`private_tempdir` gives each worker a temporary folder of its own, removed
after each job and, for workers that were killed, by the next run
(:func:`remove_orphaned_tempdirs`): WeasyPrint leaves a ``weasyprint-*`` font
folder per document, which a worker that ends with ``os._exit`` never removes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

_PR_SET_PDEATHSIG = 1
TEMP_PREFIX = "macro-briefing-"


def die_with(pid: int) -> None:
    """In a worker: end this process as soon as process ``pid`` (the one it works for) has ended."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    try:
        fd: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)  # gone before this worker even started
    except (AttributeError, OSError):
        fd = None  # not Linux 5.3+: poll instead
    threading.Thread(target=_watch, args=(pid, fd), name="lifeline", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(pid: int, fd: int | None) -> None:
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has exited
    else:
        while _alive(pid):
            threading.Event().wait(0.5)
    os._exit(1)


def private_tempdir() -> Path:
    """Make this process's temporary files go to a folder of its own (named after its pid); return it.

    Called again in the same process, it returns the same folder.
    """
    current = tempfile.tempdir
    if current and Path(current).name.startswith(f"{TEMP_PREFIX}{os.getpid()}-"):
        return Path(current)
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=tempfile.gettempdir()))
    tempfile.tempdir = str(folder)
    return folder


def own_tempdir() -> Path:
    """In a command's process: remove what killed runs left, and keep this run's temporary files in a folder
    of its own, removed when the process exits."""
    remove_orphaned_tempdirs()
    already = tempfile.tempdir
    folder = private_tempdir()
    if already != str(folder):
        _remove_at_exit(folder)
    return folder


def _remove_at_exit(folder: Path) -> None:
    # After everything else at exit, multiprocessing's own clean-up included (its temporary folder, which
    # may be inside this one, is removed at priority -100).
    from multiprocessing.util import Finalize

    Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-101)


def start_worker(pid: int) -> None:
    """Pool initializer of a rendering worker: die with ``pid``; temporary files in a folder of its own,
    removed when the worker ends (a worker leaves through ``os._exit``, which skips ``atexit``)."""
    die_with(pid)
    _remove_at_exit(private_tempdir())


def empty_tempdir() -> None:
    """Remove what the jobs of this worker left in its private temporary folder (WeasyPrint's font folders)."""
    folder = tempfile.tempdir
    if folder and Path(folder).name.startswith(TEMP_PREFIX):
        for entry in Path(folder).iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def remove_orphaned_tempdirs(root: str | None = None) -> list[Path]:
    """Remove the private temporary folders of workers that no longer run (killed runs); return them."""
    base = Path(root or tempfile.gettempdir())
    removed = []
    for entry in base.glob(f"{TEMP_PREFIX}*"):
        pid_text = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed
