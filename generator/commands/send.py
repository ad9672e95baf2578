"""``briefing send``: email an archived briefing to the configured recipients, each once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from generator.commands.common import parse_date, progress_reporter, stdout
from generator.commands.list import archive_option, read_report_option, reading

if TYPE_CHECKING:
    from generator.deliver import DeliveryReport

_STYLE = {
    "sent": "green",
    "already sent": "bright_black",
    "dry run": "cyan",
    "rejected": "red",
    "failed": "yellow",
    "in doubt": "yellow",
    "not tried": "yellow",
}


def print_report(report: DeliveryReport, quiet: bool = False) -> None:
    """One line per recipient: what happened and why."""
    from rich.markup import escape

    if quiet:
        return
    for line in report.overrides:
        stdout.print(f"[yellow]override:[/] sending although {escape(line)}")
    for line in report.notes:
        stdout.print(f"note: {escape(line)}")
    stdout.print(f"[bold]{escape(report.subject)}[/]")
    for r in report.results:
        detail = f"  {escape(r.detail)}" if r.detail else ""
        stdout.print(f"  [{_STYLE[r.result]}]{r.result:<12}[/] {escape(r.address)}{detail}")


def send(
    date: str | None = typer.Option(None, "--date", help="Briefing date YYYY-MM-DD (default: today)."),
    to: list[str] = typer.Option([], "--to", help="Recipient (repeatable); replaces the configured list."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write each exact message as .eml; send nothing."),
    allow_illustrative: bool = typer.Option(
        False, "--allow-illustrative", help="Send even if built on illustrative (synthetic) data."
    ),
    allow_stale: bool = typer.Option(False, "--allow-stale", help="Send even if required series are stale."),
    resend: bool = typer.Option(False, "--resend", help="Send again to the --to addresses even if already served."),
    output: Path = archive_option(),
    config: Path | None = typer.Option(
        None, "--config", help="Delivery configuration (default: $BRIEFING_DELIVERY_CONFIG or reports/delivery.toml)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing unless something fails."),
    report_name: str | None = read_report_option(),
) -> None:
    """Email the briefing of DATE from the archive: HTML summary, charts, the PDF attached."""
    from generator.deliver import load_config, send_briefing
    from generator.pipeline import check_date

    day = check_date(parse_date(date))
    folder = reading(output, report_name)
    settings = load_config(config)
    with progress_reporter(quiet) as progress:
        report = send_briefing(
            day,
            settings,
            output_dir=folder,
            recipients=to or None,
            dry_run=dry_run,
            allow_illustrative=allow_illustrative,
            allow_stale=allow_stale,
            resend=resend,
            progress=progress,
        )
    print_report(report, quiet)
    report.raise_for_status()


def register(app: typer.Typer) -> None:
    app.command("send")(send)
