"""Run a command in a new process and record its wall time and peak RSS; summarise repeated runs."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds, from spawning the process to its exit
    rss_mib: float  # peak resident set size of the largest single process (kernel's count, from wait4)
    tree_rss_mib: float  # peak of the summed PSS of the process and its children (sampled every 10 ms)
    cpu: float  # user + system CPU seconds of the process and its children (see ``run``)
    returncode: int
    stdout: str
    stderr: str
    seen: float | None = None  # seconds from the start until the watched path existed (``run(watch=...)``)


def _memory_kib(pid: int) -> int:
    """The process's proportional set size (shared pages split between their users), else its RSS."""
    for name, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(name, encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used so far (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _tree_rss(pid: int, cpu: dict[int, float] | None = None) -> int:
    """Memory (kB) of ``pid`` and its descendants, from /proc (0 where /proc is not there).

    Summed as PSS: a forked worker shares most of its pages with its parent, and
    adding up plain RSS would count them twice. ``cpu`` gets each process's CPU
    seconds so far.
    """
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += _memory_kib(p)
            if cpu is not None:
                cpu[p] = max(cpu.get(p, 0.0), _cpu_s(p))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


class _TreeSampler(threading.Thread):
    """Samples the process tree's summed memory until stopped: workers' memory counts too."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib = pid, 0
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds when last seen
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            self.peak_kib = max(self.peak_kib, _tree_rss(self.pid, self.cpu))


def briefing_args(module: str) -> argparse.ArgumentParser:
    """The arguments every measured script takes: the store to read, the briefing date, the archive to write."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    parser.add_argument("--output", type=Path, required=True)
    return parser


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: ours, writing bytecode like an installed package would."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra or {})
    return env


class _Watcher(threading.Thread):
    """Notes when a path first exists (e.g. the manifest the HTML is published with), checking every 5 ms."""

    def __init__(self, path: Path, started: float) -> None:
        super().__init__(daemon=True)
        self.path, self.started, self.seen = path, started, None
        self.done = threading.Event()

    def run(self) -> None:
        while self.seen is None and not self.done.wait(0.005):
            if self.path.exists():
                self.seen = time.perf_counter() - self.started


def run(args: Sequence[str], env: Mapping[str, str] | None = None, check: bool = True, tree: bool = True,
        watch: Path | None = None) -> Sample:
    """Run ``python args...`` from the repository root; wall time and peak RSS from ``wait4``.

    ``tree=False`` skips sampling the process tree's memory (for timed runs, and for a command that starts
    no workers: its peak RSS is wait4's): reading
    ``/proc/PID/smaps_rollup`` every 10 ms walks the child's page tables under its memory-map lock and
    costs the measuring process CPU (the live fetch's loopback services run in it), which slowed the
    measured live fetch by about 0.2 s (1.76 s against 1.53 s, same code, same machine).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], cwd=REPO, env=child_env(env), stdout=out, stderr=err)
        sampler = _TreeSampler(proc.pid)
        if tree:
            sampler.start()
        watcher = _Watcher(watch, started) if watch is not None else None
        if watcher is not None:
            watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if watcher is not None:
            watcher.done.set()
            watcher.join()
        if tree:
            sampler.done.set()
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss / 1024.0
        tree = sampler.peak_kib / 1024.0 or peak  # no /proc: the kernel's figure alone
        # wait4 counts the process and the children it waited for; workers forked by a fork server are
        # the server's children, which nobody waits for, so the sampled per-process figures count them.
        cpu = max(usage.ru_utime + usage.ru_stime, sum(sampler.cpu.values()))
        sample = Sample(wall, peak, tree, cpu, proc.returncode, out.read().decode(), err.read().decode(),
                        watcher.seen if watcher is not None else None)
    if check and sample.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {sample.returncode}:\n{sample.stderr[-2000:]}")
    return sample


def summary(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """Median and spread (min, max, standard deviation) of repeated measurements."""
    vals = [float(v) for v in values]
    return {
        "median": round(statistics.median(vals), digits),
        "min": round(min(vals), digits),
        "max": round(max(vals), digits),
        "stdev": round(statistics.stdev(vals), digits) if len(vals) > 1 else 0.0,
        "runs": len(vals),
    }
