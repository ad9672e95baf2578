"""``briefing weekly``: build today's briefing strictly, then email it. Meant for a scheduler.

Exit codes (also in the README): 0 sent to everyone (or everyone already had
it); 2 usage or configuration error; 3 data not fit to send (strict generation
failed, or illustrative/stale data without an override; the briefing, if built,
stays in the archive); 4 output folder not writable; 5 archived briefing missing
or damaged; 6 the mail server could not be used (nothing more sent; run again
later); 7 some recipients rejected or still failing (the others were served; a
re-run sends only to those missing).
"""

from __future__ import annotations

from pathlib import Path

import typer

from generator.commands.common import parse_date, progress_reporter, stdout
from generator.commands.list import archive_option


def weekly(
    date: str | None = typer.Option(None, "--date", help="Briefing date YYYY-MM-DD (default: today)."),
    source: str = typer.Option("auto", "--source", help="auto | live | store | illustrative"),
    output: Path = archive_option(),
    report: Path | None = typer.Option(None, "--report", help="Report definition (TOML). A path or a packaged report name; default $BRIEFING_REPORT, else small_cap_rotation."),
    config: Path | None = typer.Option(None, "--config", help="Delivery configuration file."),
    to: list[str] = typer.Option([], "--to", help="Recipient (repeatable); replaces the configured list."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Build, then write the .eml files instead of sending."),
    allow_illustrative: bool = typer.Option(False, "--allow-illustrative", help="Send illustrative data anyway."),
    allow_stale: bool = typer.Option(False, "--allow-stale", help="Build and send despite stale required series."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing unless something fails."),
) -> None:
    """Generate the briefing (strict about data quality) and email it; re-running resumes an unfinished send."""
    from generator.archive import briefing_dir
    from generator.commands.send import print_report
    from generator.deliver import load_config, send_briefing
    from generator.pipeline import build_briefing, check_date, load_report
    from generator.reports import archive_root

    day = check_date(parse_date(date))
    settings = load_config(config)  # before the slow build: a broken configuration fails at once
    plan = load_report(report)  # and a broken report definition
    root = archive_root(output, plan.report_id)
    existing = briefing_dir(root, day)
    with progress_reporter(quiet) as progress:
        if (existing / "manifest.json").is_file():
            # A re-run (after a mail failure, or twice in a day) sends the briefing already archived, so the
            # ledger in its folder decides who still needs it; regenerating would start a new ledger.
            if not quiet:
                stdout.print(f"Briefing {day} already built in {existing}: sending it")
        else:
            # Strict: required series missing or stale stop the run here (exit 3), before anything is archived.
            build_briefing(
                day, source=source, output_dir=output, report=report, progress=progress, strict=not allow_stale
            )
        result = send_briefing(
            day,
            settings,
            output_dir=root,
            recipients=to or None,
            dry_run=dry_run,
            allow_illustrative=allow_illustrative,
            allow_stale=allow_stale,
            progress=progress,
        )
    print_report(result, quiet)
    result.raise_for_status()


def register(app: typer.Typer) -> None:
    app.command("weekly")(weekly)
