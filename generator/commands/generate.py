"""``briefing generate``: build today's (or a past date's) briefing and archive it."""

from __future__ import annotations

from pathlib import Path

import typer

from generator.commands.common import csv_sources, parse_date, parse_list, progress_reporter, stdout
from generator.commands.list import archive_option


def generate(
    date: str | None = typer.Option(None, "--date", help="Briefing date YYYY-MM-DD (default: today)."),
    source: str = typer.Option("auto", "--source", help="auto | live | store | illustrative | csv:DIR"),
    formats: str = typer.Option("html,pdf", "--format", help="Comma-separated: html, pdf."),
    output: Path = archive_option(),
    report: Path | None = typer.Option(None, "--report", help="Report definition (TOML). A path or a packaged report name; default $BRIEFING_REPORT, else small_cap_rotation."),
    force: bool = typer.Option(False, "--force", help="Replace an existing briefing (kept as a revision)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary; print only the folder."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 3) if a required series is missing or stale."),
    date_format: str | None = typer.Option(
        None, "--date-format", help="How --source csv:DIR files write dates, e.g. %d/%m/%Y (needed when ambiguous)."
    ),
) -> None:
    """Build a dated briefing (HTML, PDF, manifest.json) under OUTPUT/YYYY-MM-DD/."""
    from generator.commands.summary import print_summary
    from generator.pipeline import build_briefing

    day = parse_date(date)
    sources = csv_sources(source, date_format)
    with progress_reporter(quiet) as progress:
        result = build_briefing(
            day,
            source=source,
            formats=parse_list(formats),
            output_dir=output,
            report=report,
            force=force,
            progress=progress,
            strict=strict,
            sources=sources,
        )
    if quiet:
        stdout.print(str(result.directory))
    else:
        print_summary(result)


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
