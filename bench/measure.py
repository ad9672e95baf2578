"""Run a command in a new process and record its wall time and peak RSS; summarise repeated runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds, from spawning the process to its exit
    rss_mib: float  # the process's peak resident set size (its largest descendant's, if larger)
    returncode: int
    stdout: str
    stderr: str


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: ours, writing bytecode like an installed package would."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra or {})
    return env


def run(args: Sequence[str], env: Mapping[str, str] | None = None, check: bool = True) -> Sample:
    """Run ``python args...`` from the repository root; wall time and peak RSS from ``wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], cwd=REPO, env=child_env(env), stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        sample = Sample(wall, usage.ru_maxrss / 1024.0, proc.returncode, out.read().decode(), err.read().decode())
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
