"""Locks on one name in a folder (a briefing date, the index page, a re-render target), between processes.

A lock is ``flock`` on a hidden file ``.lock-NAME`` beside what it protects. The
kernel drops it when its holder exits, however it exits (``kill -9`` included),
so a killed run never leaves a date locked. The file is removed on release;
a waiter that gets the lock on a file removed meanwhile notices (the path no
longer names the file it holds) and tries again, so removal is safe.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import OutputError

LOCK_PREFIX = ".lock-"
WAIT_SECONDS = 60.0  # a briefing is written in well under a second; longer means something is stuck


def lock_path(folder: Path, name: str) -> Path:
    return Path(folder) / f"{LOCK_PREFIX}{name}"


def _holds(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (it was not removed and re-created meanwhile)."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino)


def acquire(folder: Path, name: str, timeout: float) -> int | None:
    """Take the lock on ``name`` in ``folder``: its descriptor, or ``None`` if another process still holds it
    after ``timeout`` seconds (0: try once). ``OSError`` if the lock file cannot be created (read-only folder)."""
    path = lock_path(folder, name)
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)
            continue
        except BaseException:
            os.close(fd)
            raise
        if _holds(fd, path):
            return fd
        os.close(fd)  # its holder removed it on release: lock the new file instead


def release(folder: Path, name: str, fd: int) -> None:
    try:
        lock_path(folder, name).unlink(missing_ok=True)
    except OSError:
        pass  # a lock file left behind is harmless: the next holder reuses it
    finally:
        os.close(fd)


@contextmanager
def name_lock(folder: Path, name: str, timeout: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock on ``name`` in ``folder``; :class:`OutputError` if it cannot be had."""
    try:
        fd = acquire(folder, name, timeout)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    if fd is None:
        raise OutputError(
            f"{Path(folder) / name} is being written by another process (still after {timeout:.0f} s); "
            "try again when it has finished"
        )
    try:
        yield
    finally:
        release(folder, name, fd)
