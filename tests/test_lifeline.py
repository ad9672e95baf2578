"""Workers die with the process they work for: `kill -9` of a real `generate` or `backfill` leaves no
process behind (chart worker; fork server, resource tracker and rendering workers), and no temporary folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def state(pid: int) -> str | None:
    """The process's state letter (R, S, Z...), or None when it no longer exists."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()[0]


def children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, found, todo = children_of(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def living(pids: set[int]) -> set[int]:
    return {p for p in pids if state(p) not in (None, "Z", "X")}  # a zombie has ended: only its entry is left


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary folder with a short path: the fork server's socket lives under it (AF_UNIX: 108 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="lf-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running(args: list[str], tmp: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The command as a real process, with its temporary folders in ``tmp`` where the test sees them all;
    whatever happens in the test, nothing it started is left running."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", *args], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        yield proc
    finally:
        left = living({proc.pid} | descendants(proc.pid))
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.stderr is not None
        proc.stderr.close()


def wait_for(predicate, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def kill_and_check(proc: subprocess.Popen[bytes], kids: set[int]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    try:
        wait_for(lambda: not living(kids), 15, f"the workers {sorted(living(kids))} to end with their parent")
    finally:
        for pid in living(kids):  # never leave them running, even when the test fails
            os.kill(pid, signal.SIGKILL)


def test_kill_9_of_generate_ends_its_chart_worker(short_tmp: Path) -> None:
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the chart worker runs only with two or more cores")
    args = ["generate", "--date", "2026-11-20", "--source", "illustrative", "--output", str(short_tmp / "out")]
    with running(args, short_tmp) as proc:
        kids = wait_for(lambda: descendants(proc.pid), 60, "the chart worker to start")
        time.sleep(0.5)  # the worker is importing matplotlib or drawing: the moment it was left behind before
        kill_and_check(proc, kids)


def test_kill_9_of_backfill_ends_its_fork_server_tracker_and_workers(short_tmp: Path) -> None:
    args = ["backfill", "--from", "2026-09-04", "--to", "2026-11-20", "--every", "week", "--source", "illustrative",
            "--workers", "2", "--output", str(short_tmp / "out")]  # fmt: skip
    with running(args, short_tmp) as proc:
        # main -> resource tracker and fork server -> two rendering workers
        four = lambda: (lambda d: d if len(d) >= 4 else None)(descendants(proc.pid))  # noqa: E731
        kids = wait_for(four, 120, "the rendering workers")
        time.sleep(1.0)
        kids |= descendants(proc.pid)
        kill_and_check(proc, kids)


def test_backfill_workers_leave_no_temporary_folder_and_clean_after_killed_runs(short_tmp: Path) -> None:
    # What a killed worker left (its pid long gone), and a WeasyPrint folder inside it.
    dead = short_tmp / "macro-briefing-999999999-abcd"
    (dead / "weasyprint-x1").mkdir(parents=True)
    (dead / "weasyprint-x1" / "font").write_bytes(b"\0" * 1000)
    args = ["backfill", "--from", "2026-11-13", "--to", "2026-11-20", "--every", "week", "--source", "illustrative",
            "--workers", "2", "--output", str(short_tmp / "out")]  # fmt: skip
    with running(args, short_tmp) as proc:
        assert proc.wait(300) == 0, proc.stderr.read() if proc.stderr else ""
    assert sorted(p.name for p in (short_tmp / "out").iterdir() if p.name[0].isdigit()) == [
        "2026-11-13", "2026-11-20"
    ]
    assert sorted(p.name for p in short_tmp.iterdir()) == ["out"], "temporary folders left behind"
