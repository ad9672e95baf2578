"""``briefing functions`` and ``briefing check``: what a definition can call, and a definition checked without a fetch."""

from __future__ import annotations

from pathlib import Path

import typer

from generator.commands.common import stdout


def functions(
    markdown: bool = typer.Option(False, "--markdown", help="Print the reference as Markdown (reports/README.md)."),
) -> None:
    """List every indicator function, series derivation, chart kind and thesis check with its parameters."""
    from generator.plan.catalog import as_markdown, as_text, entries

    typer.echo(as_markdown(entries()) if markdown else as_text(entries()), nl=False)


def check(
    report: Path | None = typer.Argument(None, help="Report definition: a path or a packaged report name."),
) -> None:
    """Compile a report definition and say what it would fetch, without fetching anything."""
    from generator.pipeline import load_report
    from generator.plan.describe import describe

    plan = load_report(report)
    stdout.print(describe(plan), markup=False)


def register(app: typer.Typer) -> None:
    app.command("functions")(functions)
    app.command("check")(check)
