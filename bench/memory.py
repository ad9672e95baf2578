"""Memory of ``briefing serve``'s rendering over many builds: ``python -m bench.memory --store DIR --date D``.

Builds the briefing of one date (HTML and PDF, replacing it each time) ``--builds``
times through the web app's own worker pool (:class:`generator.serve.workers.Workers`,
one process, replaced every ``--jobs-per-worker`` jobs) and records, for each build,
the peak memory of the whole process tree (this process, which stands for the
server, the fork server, the worker and the chart processes it forks; summed as
PSS so that shared pages count once), sampled every 20 ms while it runs, and the
server's own resident memory after it. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from bench.measure import _tree_rss, briefing_args


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class Peak(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib, self.done = 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak_kib = max(self.peak_kib, _tree_rss(os.getpid()))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = briefing_args("bench.memory")
    parser.add_argument("--builds", type=int, default=20)
    parser.add_argument("--jobs-per-worker", type=int, default=0, help="0: the serve default")
    args = parser.parse_args(argv)
    os.environ["BRIEFING_DATA_DIR"] = str(args.store)
    from generator.serve.workers import JOBS_PER_WORKER, Workers

    per_worker = args.jobs_per_worker or JOBS_PER_WORKER
    workers = Workers(args.output, "store", None, jobs_per_worker=per_worker, processes=1)
    server, peaks, seconds, pids = [], [], [], []
    try:
        workers.start()
        for i in range(args.builds):
            sampler = Peak()
            sampler.start()
            began = time.perf_counter()
            workers.build(args.date, i > 0, lambda _m: None)
            seconds.append(round(time.perf_counter() - began, 2))
            sampler.done.set()
            sampler.join()
            peaks.append(round(sampler.peak_kib / 1024.0, 1))
            server.append(round(rss_mib(os.getpid()), 1))
            pids.append(workers.pids())
    finally:
        workers.close()
    result = {"jobs_per_worker": per_worker, "builds": args.builds, "peak_mib": peaks, "server_rss_mib": server,
              "build_s": seconds, "worker_pids": pids}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
