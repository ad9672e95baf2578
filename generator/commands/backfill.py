"""``briefing backfill --from DATE --to DATE [--every week|month]``: point-in-time briefings for past dates."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from generator.commands.common import parse_date, parse_list, stdout
from generator.commands.list import archive_option
from generator.errors import UsageError


def backfill_command(
    start: str = typer.Option(..., "--from", help="First briefing date, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last briefing date, YYYY-MM-DD (not after today)."),
    every: str = typer.Option("week", "--every", help="week | month"),
    source: str = typer.Option("auto", "--source", help="auto | live | store | illustrative | csv:DIR"),
    formats: str = typer.Option("html,pdf", "--format", help="Comma-separated: html, pdf."),
    output: Path = archive_option(),
    report: Path | None = typer.Option(None, "--report", help="Report definition (TOML). A path or a packaged report name; default $BRIEFING_REPORT, else small_cap_rotation."),
    force: bool = typer.Option(False, "--force", help="Rebuild dates already archived (old ones kept as revisions)."),
    workers: int = typer.Option(2, "--workers", min=0, help="Rendering processes (0: render in this process)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Build a briefing for every week (or month) in a past range, each seeing only data known on its date."""
    from generator.backfill import backfill

    first = parse_date(start, "--from")
    last = parse_date(end, "--to")
    assert first is not None and last is not None
    if every not in ("week", "month"):
        raise UsageError(f"unknown --every '{every}': expected week or month")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workers > 2 * cores:
        raise UsageError(
            f"--workers {workers}: at most {2 * cores} (twice the {cores} CPU core(s) here); "
            "each worker needs about 250 MiB"
        )
    began = time.monotonic()

    def say(message: str) -> None:
        if not quiet:
            typer.echo(message, err=True)

    result = backfill(
        first,
        last,
        every,  # type: ignore[arg-type]
        source=source,
        formats=parse_list(formats),
        output_dir=output,
        report=report,
        force=force,
        workers=workers,
        progress=say,
    )
    seconds = time.monotonic() - began
    stdout.print(
        f"Backfill {first} to {last} every {every}: {len(result.written)} written, "
        f"{len(result.kept)} already archived, in {seconds:.1f} s. Index: {Path(output) / 'index.html'}"
    )


def register(app: typer.Typer) -> None:
    app.command("backfill")(backfill_command)
