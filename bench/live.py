"""A live fetch of every series through the real yfinance and FRED code paths, against a slow loopback service.

The benchmark (the parent) serves Yahoo's and FRED's endpoints on 127.0.0.1
with a fixed latency per response (:mod:`bench.support`); this module's
``main`` runs in a fresh process as ``python -m bench.live --yahoo-url URL ...`` and
fetches the whole report with ``--source live`` into the store at ``--data``,
printing how long the fetch took and what it got. An empty store is a new
user's first run (twelve years of history per series); a filled one is the
usual incremental run.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.live")
    parser.add_argument("--yahoo-url", required=True, help="base URL of the loopback Yahoo service")
    parser.add_argument("--fred-url", required=True, help="base URL of the loopback FRED service")
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    parser.add_argument("--data", type=Path, required=True, help="data folder (store and yfinance caches)")
    parser.add_argument("--report", type=Path, default=Path("reports/small_cap_rotation.toml"))
    parser.add_argument("--fred-key", default=None, help="use FRED's API (XML) instead of the key-less CSV")
    args = parser.parse_args(argv)

    from generator.acquire import SourceSettings, acquire, default_sources
    from generator.sources.http import NetworkSettings
    from generator.spec import load_spec

    spec = load_spec(args.report).spec
    settings = SourceSettings(
        data_dir=args.data,
        network=NetworkSettings(timeout=10.0, retries=1, backoff=0.05),
        fred_api_key=args.fred_key,
        fred_api_root=f"{args.fred_url}/fred",
        fred_csv_url=f"{args.fred_url}/graph/fredgraph.csv",
        yahoo_base_url=args.yahoo_url,
    )
    sources = replace(default_sources(settings), today=lambda: args.date)
    fred = sources.live["fred"]
    fred.today = lambda: args.date  # type: ignore[attr-defined]
    started = time.perf_counter()
    snapshot = acquire(spec, args.date, source="live", sources=sources)
    seconds = time.perf_counter() - started
    fetched = [sid for sid, s in snapshot.series.items() if s.source in ("yahoo", "fred", "fred-csv")]
    result = {
        "seconds": seconds,
        "series": len(spec.series),
        "fetched": len(fetched),
        "failed": sorted(set(spec.series) - set(fetched)),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
