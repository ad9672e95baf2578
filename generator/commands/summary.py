"""The one-screen summary printed after a briefing is built."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from generator.commands.common import stdout
from generator.pipeline import BriefingResult

_COLOURS = {"green": "green", "amber": "yellow", "red": "red", "unknown": "bright_black"}


def print_summary(result: BriefingResult) -> None:
    analysis = result.analysis
    snap = analysis.snapshot
    stdout.print(f"[bold]Briefing {result.date}[/] written to {result.directory}")
    for name, path in result.files.items():
        stdout.print(f"  {name:<14} {path}")
    if snap.illustrative:
        stdout.print("[bold red]Illustrative data - not market data.[/] Built-in synthetic series were used.")
    stdout.print(f"Stance: [bold]{analysis.stance.label}[/]   data as of {snap.data_as_of}")
    flags = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("flag", "state", "value", "thresholds"):
        flags.add_column(col)
    for f in analysis.flags.values():
        colour = _COLOURS[f.state.value]
        value = "no data" if f.value is None else f"{f.value:,.2f}"
        flags.add_row(f.label, f"[{colour}]{f.state.value}[/]", value, f.threshold_text)
    stdout.print(flags)
    inds = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("indicator", "value", "unit"):
        inds.add_column(col)
    for v in list(analysis.indicators.values())[:12]:
        inds.add_row(v.label, v.formatted(), v.unit)
    stdout.print(inds)
    warnings = [q for q in snap.quality if q.level != "info"]
    if warnings:
        first = warnings[0]
        said = first.message if first.series_id == "*" else f"{first.series_id}: {first.message}"
        stdout.print(f"[yellow]{len(warnings)} data-quality note(s)[/]; first: {escape(said)}")
