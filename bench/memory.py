"""Memory of ``briefing serve``'s rendering over many builds: ``python -m bench.memory --store DIR --date D``.

Builds the briefing of one date (HTML and PDF, replacing it each time) ``--builds``
times through the web app's own worker pool (:class:`generator.serve.workers.Workers`,
one process, replaced every ``--jobs-per-worker`` jobs) and records after each
build the resident memory (VmRSS) of this process, which stands for the server,
and of the worker. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--builds", type=int, default=20)
    parser.add_argument("--jobs-per-worker", type=int, default=0, help="0: the serve default")
    args = parser.parse_args(argv)
    os.environ["BRIEFING_DATA_DIR"] = str(args.store)
    from generator.serve.workers import JOBS_PER_WORKER, Workers

    per_worker = args.jobs_per_worker or JOBS_PER_WORKER
    workers = Workers(args.output, "store", None, jobs_per_worker=per_worker, processes=1)
    server, worker, seconds = [], [], []
    try:
        workers.start()
        for i in range(args.builds):
            began = time.perf_counter()
            workers.build(args.date, i > 0, lambda _m: None)
            seconds.append(round(time.perf_counter() - began, 2))
            time.sleep(0.3)  # a worker at the end of its jobs is replaced after handing its result over
            pids = workers.pids()
            server.append(round(rss_mib(os.getpid()), 1))
            worker.append(round(sum(rss_mib(p) for p in pids), 1))
    finally:
        workers.close()
    result = {"jobs_per_worker": per_worker, "builds": args.builds, "server_rss_mib": server,
              "worker_rss_mib": worker, "build_s": seconds}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
