"""``python -m bench``: measure the briefing's speed and memory, write the results JSON and the README table.

Every measurement runs in new processes (``bench.measure``), so imports and
first-use costs count as a user feels them. Results go to
``bench/results/latest.json``; ``--readme`` regenerates the table in README.md
from that file (see ``bench.report``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import scenarios
from bench.data import fill_store
from bench.measure import REPO
from bench.report import update_readme

RESULTS = REPO / "bench" / "results" / "latest.json"
TARGETS = {
    "html_ratio": 0.3,  # cold `generate --format html`, as a fraction of QuantStats' tearsheet measured alongside
    "briefing_ratio": 0.6,  # cold full `generate` (HTML + PDF)
    "briefing_rss_mib": 250.0,
    "serve_html_s": 2.0,  # serve: "generate now" to the HTML received, a date not yet archived
    "backfill_wall_s": 40.0,  # 52 weeks, HTML and manifests
    "backfill_pdf_wall_s": 100.0,  # 52 weeks with every PDF
    "memory_growth": 0.10,  # serve's rendering: RSS after 20 builds within 10% of after 2
    "live_wall_s": 1.5,
}


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "templates", "reports", "bench"],
                               cwd=REPO, capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except OSError:
        return "unknown"


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median and spread over them)")
    parser.add_argument("--only", nargs="*", choices=scenarios.NAMES, help="run only these measurements")
    parser.add_argument("--illustrative", action="store_true", help="ignore ../shared/data even when present")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"results JSON (default {RESULTS})")
    parser.add_argument("--readme", action="store_true", help="regenerate the README's benchmark table")
    args = parser.parse_args(argv)
    wanted = args.only or list(scenarios.NAMES)
    started = time.perf_counter()
    at_start = machine()

    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        work = Path(tmp)
        say(f"filling a store in {work}/store")
        dataset = fill_store(work / "store", use_real=not args.illustrative)
        say(f"data: {dataset.description}; briefing date {dataset.day}")
        results: dict[str, Any] = {}
        runners: dict[str, Callable[[], dict[str, Any]]] = {
            "briefing": lambda: scenarios.briefing(dataset, work, args.runs),
            "serve": lambda: scenarios.serve(dataset, work),
            "memory": lambda: scenarios.memory(dataset, work),
            "dask": lambda: scenarios.dask(dataset, work),
            "stages": lambda: scenarios.stages(dataset, work, max(3, args.runs // 2)),
            "backfill": lambda: scenarios.backfill(dataset, work),
            "live": lambda: scenarios.live(dataset, work, max(3, args.runs // 2)),
            "scaling": lambda: scenarios.scaling(dataset, work),
        }
        for name in scenarios.NAMES:
            if name in wanted:
                say(f"measuring {name}")
                results[name] = runners[name]()
                say(json.dumps(results[name])[:300])

    generated_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    machine_now = {**at_start, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
    for section in results.values():  # each section says when, at which commit and under which load it was taken
        section["measured"] = {"generated_at": generated_at, "commit": _commit(),
                               "load_average_at_start": machine_now["load_average_at_start"],
                               "load_average_at_end": machine_now["load_average_at_end"]}
    payload = {
        "generated_at": generated_at,
        "commit": _commit(),
        "machine": machine_now,
        "data": {"description": dataset.description, "briefing_date": dataset.day.isoformat(),
                 "real_series": dataset.real, "illustrative_series": dataset.illustrative,
                 "observations": dataset.observations},
        "targets": TARGETS,
        "results": results,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    if args.only and args.output.exists():  # a partial run updates its sections and keeps the others
        previous = json.loads(args.output.read_text(encoding="utf-8"))
        payload["results"] = {**previous.get("results", {}), **results}
        if set(payload["results"]) - set(results):  # the header still describes the run the others came from
            for key in ("generated_at", "commit", "machine", "bench_seconds"):
                payload[key] = previous.get(key, payload[key])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    say(f"results: {args.output}")
    if args.readme:
        update_readme(payload)
        say("README.md benchmark table regenerated")
    return 0


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
