"""One briefing, stage by stage, in a fresh process: ``python -m bench.stages --store DIR --date D``.

Prints one JSON object: seconds per stage and the process's peak RSS after it
(the high-water mark so far, in MiB). Stages follow the pipeline: imports,
load (the local store, point in time), indicators and flags, charts, manifest,
HTML render, PDF render (WeasyPrint layout and PDF/A writing), archive write.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bench.measure import briefing_args

T = TypeVar("T")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.rss: dict[str, float] = {}

    def run(self, name: str, func: Callable[[], T]) -> T:
        started = time.perf_counter()
        out = func()
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        self.rss[name] = round(peak_mib(), 1)
        return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # as the CLI does (generator/cli.py)
    parser = briefing_args("bench.stages")
    parser.add_argument("--report", type=Path, default=Path("reports/small_cap_rotation.toml"))
    args = parser.parse_args(argv)
    timer = Timer()

    def imports() -> None:
        import generator.pipeline
        import generator.render.documents  # noqa: F401
        from generator.render.pdf import preload

        preload()  # the PDF stage's WeasyPrint import is counted here, with the others

    timer.run("imports", imports)

    from generator.acquire import DataSources, acquire_inputs
    from generator.archive.past import load_past
    from generator.archive.write import write_briefing
    from generator.charts import render_charts
    from generator.model import Snapshot
    from generator.pipeline import load_report
    from generator.record import make_record
    from generator.render.documents import render_files
    from generator.store import ParquetStore
    from generator.version import __version__

    loaded = load_report(args.report)
    sources = DataSources(store=ParquetStore(args.store))

    def load() -> Snapshot:
        return acquire_inputs(loaded, args.date, source="store", sources=sources)

    snapshot = timer.run("load", load)
    past = load_past(args.output, args.date, loaded.report_id, snapshot.illustrative)
    analysis = timer.run("indicators and flags", lambda: loaded.evaluate(snapshot, past.previous_flags))
    charts = timer.run("charts", lambda: render_charts(loaded.spec, analysis.snapshot))
    analysis = replace(analysis, charts=charts)
    generated = datetime.now(UTC).replace(microsecond=0)
    record = timer.run("manifest", lambda: make_record(loaded, analysis, args.date, generated, __version__, past))
    html = timer.run("HTML render", lambda: render_files(loaded, analysis, record, ("html",), __version__))
    files = timer.run("PDF render", lambda: render_files(loaded, analysis, record, ("pdf",), __version__))
    files.update(html)
    timer.run("archive write", lambda: write_briefing(args.output, args.date, files, record.manifest, force=True))
    result = {
        "seconds": timer.seconds,
        "rss_mib": timer.rss,
        "series": len(snapshot.series),
        "observations": sum(len(s.values) for s in snapshot.series.values()),
        "charts": len(charts),
        "pdf_bytes": len(files["briefing.pdf"]),
        "html_bytes": len(files["briefing.html"]),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
