"""The Python API: ``build_briefing`` reads top to bottom as the pipeline.

definition -> plan (checked before anything is fetched) -> acquire (sources,
store, point in time, valuation inputs) -> the earlier briefings it compares
with -> ``plan.evaluate`` (derived series, indicators, flags, stance,
narrative) -> charts -> record (manifest) -> render (HTML, PDF) -> archive.
The CLI is a thin layer over this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from generator.acquire import DataSources, acquire_inputs
from generator.archive import check_target, write_briefing
from generator.archive.index import index_rows, write_index
from generator.archive.past import load_past
from generator.charts.history import draw_history
from generator.charts.worker import ChartWorker
from generator.errors import OutputError, UsageError
from generator.model import Analysis, ChartImage
from generator.past import Past, history_now
from generator.plan import Plan, compile_plan
from generator.record import Record, make_record
from generator.render.archive_page import render_index
from generator.render.documents import render_files
from generator.render.pdf import preload as preload_pdf
from generator.reports import archive_root, find_report
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


def load_report(report: str | Path | None = None) -> Plan:
    """Find (``--report``, ``BRIEFING_REPORT``, the packaged default) and compile a report definition."""
    return compile_plan(find_report(report))


def build_briefing(
    date: date | None = None,
    *,
    source: str = "auto",
    formats: Sequence[str] = FORMATS,
    output_dir: str | Path = "output",
    report: str | Path | None = None,
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
    plan = load_report(report)
    root = archive_root(Path(output_dir), plan.report_id)
    check_target(root, day, force)
    with ChartWorker(enabled=parallel and "pdf" in wanted) as worker:
        snapshot = acquire_inputs(plan, day, source=source, sources=sources, progress=say, strict=strict)
        past = load_past(root, day, plan.report_id, snapshot.illustrative)
        for problem in past.problems:  # an unreadable earlier briefing is skipped, not trusted, and said so
            log.warning("skipping an earlier briefing: %s", problem)
        say("computing indicators and flags")
        analysis = plan.evaluate(snapshot, previous=past.previous_flags)
        say("drawing charts")
        labels = {fid: f.label for fid, f in analysis.flags.items()}
        states = {fid: f.state.value for fid, f in analysis.flags.items()}
        flag_history = worker.submit(draw_history, history_now(past, day, analysis.stance.label, states), labels)
        charts = worker.draw(plan.spec, analysis.snapshot, phone="html" in wanted)  # only the HTML shows phone charts
        generated_at = datetime.now(UTC).replace(microsecond=0)
        record = make_record(plan, analysis, day, generated_at, __version__, past)
        if "pdf" in wanted:
            preload_pdf()  # while the charts are drawn
        analysis = replace(analysis, charts=charts())
    # The worker has finished (leaving the block waits for it); its flag-history chart is read when rendering.
    return publish(plan, analysis, day, root, wanted, force, record, flag_history, say)


def publish(
    plan: Plan,
    analysis: Analysis,
    day: date,
    root: Path,
    formats: Sequence[str],
    force: bool,
    record: Record,
    flag_history: Callable[[], ChartImage | None] | None = None,
    progress: Progress | None = None,
) -> BriefingResult:
    """Render the documents, write the dated folder atomically, then refresh the archive index."""
    say = progress or (lambda _m: None)
    say("rendering " + " and ".join(f.upper() for f in formats))
    files = render_files(plan, analysis, record, formats, __version__, flag_history)
    say("writing the archive")
    directory, manifest = write_briefing(root, day, files, record.manifest, force=force)
    try:
        refresh_index(root)
    except OutputError as exc:  # the briefing itself is complete; only the derived index page is stale
        log.warning("%s", exc)
        say(f"warning: archive index not updated: {exc}")
    written = {name: directory / name for name in [*files, "manifest.json"]}
    return BriefingResult(date=day, directory=directory, files=written, manifest=manifest.as_json(), analysis=analysis)


def refresh_index(root: Path) -> Path:
    """Rebuild the archive's overview page: the archive reads its briefings, render fills the page, it writes it."""
    return write_index(root, render_index(*index_rows(root)))


__all__ = ["FORMATS", "BriefingResult", "Past", "build_briefing", "check_date", "check_formats", "load_report"]
