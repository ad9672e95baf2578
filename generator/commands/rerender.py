"""``briefing rerender DATE``: rebuild an archived briefing from its own folder, offline."""

from __future__ import annotations

from pathlib import Path

import typer

from generator.commands.common import parse_date, parse_list, stdout
from generator.commands.list import archive_option, read_report_option, reading


def rerender_command(
    day: str = typer.Argument(..., help="Briefing date, YYYY-MM-DD."),
    output: Path = archive_option(),
    to: Path | None = typer.Option(None, "--to", help="Folder for the re-rendered files (default ./rerender-DATE)."),
    formats: str = typer.Option("html,pdf", "--format", help="Comma-separated: html, pdf."),
    report: str | None = read_report_option(),
) -> None:
    """Re-render an archived briefing from its snapshot and definition copy; check the numbers match."""
    from generator.archive.read import find_briefing
    from generator.errors import ArchiveError, OutputError
    from generator.lazy_pdf import add_pdf
    from generator.manifest import MANIFEST_FILE, PDF_FILE, REPORT_FILE
    from generator.pipeline import check_formats
    from generator.rerender import rerender
    from generator.snapshot_io import SNAPSHOT_FILE

    date = parse_date(day, "DATE")
    assert date is not None
    output = reading(output, report)
    briefing = find_briefing(output, date)
    wanted = check_formats(parse_list(formats))
    # What the re-render reads must be what was archived; a damaged document is what it can replace.
    briefing.verify(*(name for name in (SNAPSHOT_FILE, REPORT_FILE) if name in briefing.manifest.files))
    damaged = []
    for name in sorted(set(briefing.manifest.files) - {SNAPSHOT_FILE, REPORT_FILE}):
        try:
            briefing.read_verified(name)
        except ArchiveError as exc:
            damaged.append(str(exc))
    published = (briefing.directory / MANIFEST_FILE).read_bytes()
    result = rerender(briefing, to or Path(f"rerender-{date}"), wanted)
    if PDF_FILE in result.files and briefing.manifest.pdf_state == "pending":
        # The archived briefing's PDF was pending: the one just rendered is that very PDF; the archive gets it.
        try:
            pdf = result.files[PDF_FILE].read_bytes()
            if add_pdf(briefing.directory.parent, date, pdf, published, "rerender") is not None:
                typer.echo(f"note: {date}: its pending PDF was rendered and added to the archive", err=True)
        except (ArchiveError, OutputError) as exc:
            typer.echo(f"warning: {date}: its pending PDF could not be added to the archive: {exc}", err=True)
    for problem in damaged:
        typer.echo(f"warning: {problem}; the re-rendered copy in {result.directory} can replace it", err=True)
    stdout.print(f"Re-rendered {date} from {briefing.directory} into {result.directory}")
    for name, path in result.files.items():
        stdout.print(f"  {name:<17} {path}")
    if result.differences:
        typer.echo(f"warning: {len(result.differences)} number(s) differ from the archived manifest:", err=True)
        for line in result.differences:
            typer.echo(f"  {line}", err=True)
    else:
        stdout.print("Every indicator, flag and the stance match the archived manifest.")


def register(app: typer.Typer) -> None:
    app.command("rerender")(rerender_command)
