"""Run as a process by ``test_kill_swap.py``: write a briefing, and SIGKILL the writing process just before
its Nth file-system step (each file written, journal, rename, exchange, unlink, mkdir, rmdir), as a crash would.

    python kill_child.py MANIFEST

reads lines ``ROOT VERSION KILL_AT EXCHANGE`` on stdin and, for each, forks a process (this one has imported
the archive code once, so each run costs milliseconds) that writes version VERSION of the briefing of
2026-11-20 under ROOT (with ``force``), using MANIFEST for the rest of the manifest; it answers one line:
``killed`` when the process died of SIGKILL, else ``done N`` with the number of steps it took. KILL_AT 0
never kills. EXCHANGE 0 makes the archive use two renames instead of one atomic exchange.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

DAY = date(2026, 11, 20)


def files(version: int) -> dict[str, bytes]:
    return {
        "briefing.html": f"<html>version {version}</html>".encode() * 2000,
        "briefing.pdf": b"%PDF-1.7 " + bytes([version]) * 50_000,
        "snapshot.parquet": b"PAR1" + bytes([version]) * 20_000,
    }


def write(root: Path, manifest_path: Path, version: int, limit: int, use_exchange: bool) -> int:
    import generator.archive.swap as swap
    from generator.archive.write import write_briefing, write_file
    from generator.manifest import read_manifest

    swap.exchange_supported = use_exchange
    count = {"n": 0}

    def step() -> None:
        count["n"] += 1
        if count["n"] == limit:
            os.kill(os.getpid(), signal.SIGKILL)

    def counted(func: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            step()
            return func(*args, **kwargs)

        return run

    for name in ("rename", "replace", "unlink", "mkdir", "rmdir"):
        setattr(os, name, counted(getattr(os, name)))
    swap.exchange = counted(swap.exchange)
    swap.write_journal = counted(swap.write_journal)

    def writer(path: Path, data: bytes) -> None:
        step()
        with open(path, "wb") as handle:  # half the bytes first: a kill now leaves a file cut short
            handle.write(data[: len(data) // 2])
            handle.flush()
        step()
        write_file(path, data)

    manifest = read_manifest(manifest_path).model_copy(update={"briefing_date": DAY})
    write_briefing(root, DAY, files(version), manifest, force=True, writer=writer)
    return count["n"]


def main() -> None:
    manifest = Path(sys.argv[1])
    import generator.archive.write  # noqa: F401  (once, here: every forked run starts with it)

    for line in sys.stdin:
        root, version, kill_at, use_exchange = line.split()
        read, written = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                steps = write(Path(root), manifest, int(version), int(kill_at), use_exchange == "1")
                os.write(written, str(steps).encode())
                code = 0
            except BaseException as exc:
                os.write(written, repr(exc).encode())
                code = 1
            os._exit(code)
        os.close(written)
        answer = b""
        while chunk := os.read(read, 4096):
            answer += chunk
        os.close(read)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            print("killed", flush=True)
        else:
            print(f"done {answer.decode()}" if os.WEXITSTATUS(status) == 0 else f"failed {answer.decode()}", flush=True)


if __name__ == "__main__":
    main()
