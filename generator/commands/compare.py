"""``briefing compare DATE_A DATE_B``: two archived briefings side by side (table, JSON or HTML)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from generator.commands.common import check_view_format, emit_page, parse_date, stdout
from generator.commands.list import archive_option, read_report_option, reading

_LIGHT = {"green": "green", "amber": "yellow", "red": "red", "unknown": "bright_black"}


def _state(state: str | None, missing: str) -> str:
    return f"[{_LIGHT[state]}]{state}[/]" if state else f"[italic]{missing}[/]"


def compare_command(
    date_a: str = typer.Argument(..., help="One briefing date, YYYY-MM-DD."),
    date_b: str = typer.Argument(..., help="The other briefing date, YYYY-MM-DD."),
    fmt: str = typer.Option("table", "--format", help="table | json | html"),
    output: Path = archive_option(),
    to: Path | None = typer.Option(None, "--to", help="With --format html: the file to write (default: print it)."),
    report: str | None = read_report_option(),
) -> None:
    """Compare two archived briefings: every indicator, flag and macro release, across definition changes."""
    from generator.views import compare_dates

    check_view_format(fmt)
    a = parse_date(date_a, "DATE_A")
    b = parse_date(date_b, "DATE_B")
    assert a is not None and b is not None
    result = compare_dates(reading(output, report), a, b, charts=fmt == "html")
    cmp = result.comparison
    if fmt == "json":
        typer.echo(json.dumps(cmp.model_dump(mode="json"), indent=2))
        return
    if fmt == "html":
        from generator.render.html import environment

        page = environment().get_template("compare.html.j2").render(cmp=cmp, charts=result.charts)
        emit_page(page, to, "compare")
        return
    stdout.print(f"[bold]Briefing {cmp.before} vs {cmp.after}[/]   stance {cmp.stance_before} -> {cmp.stance_after}")
    for note in cmp.notes:
        stdout.print(f"note: {note}", markup=False)
    flags = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("flag", str(cmp.before), str(cmp.after), ""):
        flags.add_column(col)
    for f in cmp.flags:
        flags.add_row(
            f.label, _state(f.before, "not defined"), _state(f.after, "removed"), "changed" if f.changed else ""
        )
    stdout.print(flags)
    inds = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col, justify in (
        ("indicator", "left"),
        (str(cmp.before), "right"),
        (str(cmp.after), "right"),
        ("change", "right"),
        ("unit", "left"),
        ("sd", "right"),
    ):
        inds.add_column(col, justify=justify)  # type: ignore[arg-type]
    for m in cmp.indicators:
        label = m.label + (
            "  [green](added)[/]" if m.presence == "added" else "  [red](removed)[/]" if m.presence == "removed" else ""
        )
        inds.add_row(
            label,
            "-" if m.before is None else f"{m.before:,.{m.decimals}f}",
            "-" if m.after is None else f"{m.after:,.{m.decimals}f}",
            "-" if m.change is None else f"{m.change:+,.{m.decimals}f}",
            m.unit,
            "n/a" if m.sd_change is None else f"{m.sd_change:+.1f}",
        )
    stdout.print(inds)
    changed = cmp.series_changed
    if changed:
        series = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for col in ("series", "what changed", "detail"):
            series.add_column(col)
        for u in changed:
            detail = []
            if u.new_dates:
                detail.append(f"{len(u.new_dates)} new, latest {u.new_dates[-1]}")
            if u.revisions:
                detail.append(
                    f"{len(u.revisions)} revised: "
                    + ", ".join(f"{r.date} {r.before:,.2f} -> {r.after:,.2f}" for r in u.revisions[-3:])
                )
            series.add_row(u.id, u.what, "; ".join(detail))
        stdout.print(series)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_command)
