"""A backfill on a Dask cluster against the same backfill run locally: ``python -m bench.dask_backfill``.

Eight weekly dates from the store, HTML and manifests (the default), first with
the local pool of two worker processes, then on a ``dask.distributed.LocalCluster``
of two worker processes (one thread each) started here, as a stand-in for a
real cluster on this machine. Both runs use one pinned clock, so that their
manifests and HTML can be compared byte for byte. Prints one JSON object.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.measure import briefing_args


def pinned() -> datetime:
    return datetime(2025, 9, 27, 6, 0, tzinfo=UTC)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = briefing_args("bench.dask_backfill")
    parser.add_argument("--dates", type=int, default=8)
    args = parser.parse_args(argv)
    os.environ["BRIEFING_DATA_DIR"] = str(args.store)
    logging.getLogger("distributed").setLevel(logging.ERROR)
    from distributed import LocalCluster

    from generator.backfill import backfill

    first = args.date - timedelta(weeks=args.dates - 1)
    common: dict[str, Any] = dict(source="store", today=args.date, clock=pinned)
    began = time.perf_counter()
    backfill(first, args.date, "week", output_dir=args.output / "local", workers=2, **common)
    local_s = time.perf_counter() - began
    began = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      local_directory=str(args.output / "dask-workers")) as cluster:
        started_s = time.perf_counter() - began
        executor = cluster.scheduler_address.replace("tcp://", "dask://")
        began = time.perf_counter()
        backfill(first, args.date, "week", output_dir=args.output / "dask", executor=executor, **common)
        dask_s = time.perf_counter() - began
    same = all(
        (args.output / "local" / d.name / name).read_bytes() == (args.output / "dask" / d.name / name).read_bytes()
        for d in (args.output / "local").iterdir() if d.is_dir()
        for name in ("manifest.json", "briefing.html")
    )
    result = {"dates": args.dates, "local_s": round(local_s, 2), "dask_s": round(dask_s, 2),
              "cluster_start_s": round(started_s, 2), "identical": same}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
