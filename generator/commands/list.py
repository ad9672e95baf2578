"""``briefing list``: the archived briefings, newest first, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from generator.commands.common import stdout
from generator.errors import ArchiveError, UsageError

ARCHIVE_ENV = "BRIEFING_OUTPUT"
_COLOURS = {"Supportive": "green", "Mixed": "yellow", "Fragile": "red"}


def archive_path(value: str | Path) -> Path:
    """``--output`` as given; empty is refused (it would mean the current folder)."""
    if not str(value).strip():
        raise UsageError("--output is empty: name the archive folder (default: output)")
    return Path(value)


def archive_option(help: str = "Archive root folder.") -> Path:
    return typer.Option(Path("output"), "--output", envvar=ARCHIVE_ENV, help=help, parser=archive_path)


def read_report_option() -> str | None:
    return typer.Option(None, "--report", help="Under an archive root of several reports, the one to read: its "
                        "name (e.g. rates_credit_cycle) or definition; default $BRIEFING_REPORT, else the only one.")


def reading(output: Path, report: str | None) -> Path:
    """The folder of the briefings a reading command reads (``generator.reports.reading_root``)."""
    from generator.reports import reading_root

    return reading_root(output, report)


def list_briefings(
    output: Path = archive_option(),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    report: str | None = read_report_option(),
) -> None:
    """List archived briefings: date, stance, flag counts, data source, revisions."""
    from generator.archive.index import list_rows

    if not output.is_dir():
        raise ArchiveError(f"no archive at {output}: check --output (or {ARCHIVE_ENV})")
    output = reading(output, report)
    rows, problems = list_rows(output)
    for p in problems:
        typer.echo(f"warning: {p.message}", err=True)
    if as_json:
        payload = {"archive": str(output), "briefings": [r.as_json() for r in rows]}
        payload["unreadable"] = [{"folder": str(p.directory), "error": p.message} for p in problems]
        typer.echo(json.dumps(payload, indent=2))
        return
    if not rows:
        stdout.print(f"No briefings in {output}.")
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col, justify in (
        ("date", "left"),
        ("stance", "left"),
        ("red", "right"),
        ("amber", "right"),
        ("green", "right"),
        ("unknown", "right"),
        ("data", "left"),
        ("revisions", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        data = f"[red]{r.source}[/]" if r.illustrative else r.source
        table.add_row(
            r.date,
            f"[{_COLOURS[r.stance]}]{r.stance}[/]",
            str(r.red),
            str(r.amber),
            str(r.green),
            str(r.unknown),
            data,
            str(r.revisions),
        )
    stdout.print(table)
    stdout.print(f"{len(rows)} briefing(s) in {output}; index: {Path(output) / 'index.html'}")


def register(app: typer.Typer) -> None:
    app.command("list")(list_briefings)
