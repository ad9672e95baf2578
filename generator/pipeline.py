"""The Python API: ``build_briefing`` reads top to bottom as the pipeline.

spec -> acquire (sources, store, point in time) -> indicators -> flags -> charts
-> render (HTML, PDF) -> archive. The CLI is a thin layer over this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from generator.acquire import DataSources, acquire
from generator.archive import check_target, write_briefing
from generator.archive.document import Past, Record, history_chart, load_past, make_record, render_files
from generator.archive.index import write_index
from generator.charts import CHART_KINDS, render_charts  # registers the chart kinds without importing matplotlib
from generator.charts.worker import ChartWorker
from generator.errors import OutputError, UsageError
from generator.flags import decide_stance, evaluate_flags
from generator.indicators import FUNCTIONS, evaluate_indicators
from generator.model import Analysis, ChartImage, PreviousFlag, Snapshot
from generator.narrative import write_narrative
from generator.render.pdf import preload as preload_pdf
from generator.sources.valuation import add_valuation_inputs, live_quotes
from generator.spec import DEFAULT_REPORT, LoadedSpec, load_spec
from generator.thesis import CHECKS, evaluate_thesis
from generator.version import __version__

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BriefingResult:
    """What ``build_briefing`` produced: where, and the values behind it."""

    date: date
    directory: Path
    files: dict[str, Path]
    manifest: dict[str, Any]
    analysis: Analysis

    @property
    def illustrative(self) -> bool:
        return self.analysis.snapshot.illustrative


def check_date(day: date | None, today: date | None = None) -> date:
    """The briefing date: today by default; a future date is refused."""
    today = today or datetime.now(UTC).date()
    day = day or today
    if day > today:
        raise UsageError(f"--date {day} is in the future (today is {today}): a briefing can only use published data")
    return day


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown --format '{','.join(unknown) or ''}': expected html, pdf or html,pdf")
    return tuple(dict.fromkeys(formats))


def load_report(report: str | Path = DEFAULT_REPORT) -> LoadedSpec:
    """Load and validate a report definition against the registered functions and chart kinds."""
    kinds = {name: kind.facts for name, kind in CHART_KINDS.items()}
    return load_spec(report, functions=sorted(FUNCTIONS), chart_kinds=kinds, claim_checks=sorted(CHECKS))


def analyse(
    loaded: LoadedSpec,
    snapshot: Snapshot,
    progress: Progress | None = None,
    previous: dict[str, PreviousFlag] | None = None,
    draw_charts: bool = True,
) -> Analysis:
    """Indicators, flags, stance and charts for a snapshot: everything but the document.

    ``previous``: the flags of the previous archived briefing. ``draw_charts=False``
    leaves the charts to be drawn later (backfill draws them in worker processes).
    """
    say = progress or (lambda _m: None)
    spec = loaded.spec
    say("computing indicators and flags")
    indicators = evaluate_indicators(spec, snapshot)
    flags = evaluate_flags(spec, indicators, previous=previous)
    stance = decide_stance(spec.stance, flags)
    thesis = evaluate_thesis(spec, snapshot)
    narrative = write_narrative(spec, snapshot, indicators, flags, stance)
    if not draw_charts:
        return Analysis(
            snapshot=snapshot, indicators=indicators, flags=flags, stance=stance, thesis=thesis, narrative=narrative
        )
    say("drawing charts")
    charts = render_charts(spec, snapshot)
    return Analysis(
        snapshot=snapshot,
        indicators=indicators,
        flags=flags,
        stance=stance,
        charts=charts,
        thesis=thesis,
        narrative=narrative,
    )


def build_briefing(
    date: date | None = None,
    *,
    source: str = "auto",
    formats: Sequence[str] = FORMATS,
    output_dir: str | Path = "output",
    report: str | Path = DEFAULT_REPORT,
    force: bool = False,
    sources: DataSources | None = None,
    progress: Progress | None = None,
    strict: bool = False,
    parallel: bool = True,
) -> BriefingResult:
    """Build the briefing for ``date`` (default today) and archive it under ``output_dir/DATE/``.

    With a PDF to make, the charts (and then the flag-history chart) are drawn in
    a worker process, the only one that imports matplotlib, while this one builds
    the manifest and loads WeasyPrint; ``parallel=False`` draws them here (the
    same charts, more slowly).
    """
    say = progress or (lambda _m: None)
    day = check_date(date)
    wanted = check_formats(formats)
    loaded = load_report(report)
    root = Path(output_dir)
    check_target(root, day, force)
    with ChartWorker(enabled=parallel and "pdf" in wanted) as worker:
        past = load_past(root, day)
        for problem in past.problems:  # an unreadable earlier briefing is skipped, not trusted, and said so
            log.warning("skipping an earlier briefing: %s", problem.message)
        snapshot = acquire(loaded.spec, day, source=source, sources=sources, progress=say, strict=strict)
        snapshot = add_valuation_inputs(
            loaded.spec, loaded.path, snapshot, live_quotes(source, sources), *([sources.today] if sources else [])
        )
        analysis = analyse(loaded, snapshot, say, previous=past.previous_flags, draw_charts=False)
        say("drawing charts")
        charts = worker.draw(loaded.spec, snapshot, phone="html" in wanted)  # only the HTML shows phone charts
        generated_at = datetime.now(UTC).replace(microsecond=0)
        record = make_record(loaded, analysis, day, generated_at, __version__, past)
        flag_history = worker.submit(history_chart, record.manifest)
        if "pdf" in wanted:
            preload_pdf()  # while the charts are drawn
        analysis = replace(analysis, charts=charts())
    # The worker has finished (leaving the block waits for it); its flag-history chart is read when rendering.
    return publish(
        loaded, analysis, day, generated_at, root, wanted, force, past, say, record=record, flag_history=flag_history
    )


def publish(
    loaded: LoadedSpec,
    analysis: Analysis,
    day: date,
    generated_at: datetime,
    root: Path,
    formats: Sequence[str],
    force: bool,
    past: Past,
    progress: Progress | None = None,
    record: Record | None = None,
    flag_history: Callable[[], ChartImage | None] | None = None,
) -> BriefingResult:
    """Render the documents, write the dated folder atomically, then refresh the archive index."""
    say = progress or (lambda _m: None)
    record = record or make_record(loaded, analysis, day, generated_at, __version__, past)
    say("rendering " + " and ".join(f.upper() for f in formats))
    files = render_files(loaded, analysis, record, formats, __version__, flag_history)
    say("writing the archive")
    directory, manifest = write_briefing(root, day, files, record.manifest, force=force)
    try:
        write_index(root)
    except OutputError as exc:  # the briefing itself is complete; only the derived index page is stale
        log.warning("%s", exc)
        say(f"warning: archive index not updated: {exc}")
    written = {name: directory / name for name in [*files, "manifest.json"]}
    return BriefingResult(date=day, directory=directory, files=written, manifest=manifest.as_json(), analysis=analysis)
