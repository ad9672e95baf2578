"""``briefing history INDICATOR``: an indicator's value as published in each archived briefing."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from generator.commands.common import check_view_format, emit_page, stdout
from generator.commands.list import archive_option, read_report_option, reading


def history_command(
    indicator: str = typer.Argument(..., help="Indicator id, e.g. iwm_spy_rel_3m (see manifest.json)."),
    fmt: str = typer.Option("table", "--format", help="table | json | html (a chart and the table)"),
    output: Path = archive_option(),
    to: Path | None = typer.Option(None, "--to", help="With --format html: the file to write (default: print it)."),
    report: str | None = read_report_option(),
) -> None:
    """Show what each archived briefing said an indicator was: the published record, not today's data."""
    from generator.views import indicator_over_time

    check_view_format(fmt)
    h = indicator_over_time(reading(output, report), indicator)
    for problem in h.skipped:  # the history is incomplete: say where
        typer.echo(
            f"warning: skipped the briefing of {problem.directory.name}, which cannot be read: {problem.message}",
            err=True,
        )
    if fmt == "json":
        typer.echo(json.dumps(h.as_json(), indent=2))
        return
    if fmt == "html":
        from generator.render.html import environment

        page = environment().get_template("history.html.j2").render(h=h, chart=h.chart())
        emit_page(page, to, "history")
        return
    stdout.print(f"[bold]{h.label}[/] ({h.unit}), as published")
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("date")
    table.add_column("value", justify="right")
    table.add_column("")
    values = [r.value for r in h.rows if r.value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    for r in reversed(h.rows):
        bar = ""
        if r.value is not None and high > low:
            bar = "#" * (1 + round(29 * (r.value - low) / (high - low)))
        table.add_row(str(r.date), r.formatted, bar)
    stdout.print(table)
    if h.absent:
        stdout.print(f"not in the definition of {len(h.absent)} briefing(s): {', '.join(map(str, h.absent))}")


def register(app: typer.Typer) -> None:
    app.command("history")(history_command)
