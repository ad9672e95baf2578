"""``briefing archive split``: give each report its own folder in a shared archive."""

from __future__ import annotations

from pathlib import Path

import typer

from generator.commands.common import stdout
from generator.commands.list import archive_option

archive_app = typer.Typer(help="Maintain the archive.", no_args_is_help=True)


@archive_app.command("split")
def split(output: Path = archive_option()) -> None:
    """Move briefings kept directly under the archive root into ROOT/<report-id>/ (before adding a second report)."""
    from generator.reports import split_archive

    moved = split_archive(output)
    if not moved:
        stdout.print(f"{output}: no briefings at the top level; nothing to move")
    for report_id, count in moved.items():
        stdout.print(f"moved {count} briefing(s) of '{report_id}' to {output / report_id}/")


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")
