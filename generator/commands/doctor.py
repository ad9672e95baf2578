"""``briefing doctor``: check the set-up (key, sources, store, PDF engine, output folder), one line each."""

from __future__ import annotations

from pathlib import Path

import typer

from generator.commands.list import archive_option


def doctor(
    output: Path = archive_option("Archive root folder to check."),
    offline: bool = typer.Option(False, "--offline", help="Skip the network checks."),
) -> int:
    """Check that briefings can be built here; each problem comes with its fix. Exit 1 if any check fails."""
    from generator.doctor import run_checks

    checks = run_checks(output_dir=output, offline=offline, report=lambda c: typer.echo(c.line()))
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        typer.echo(f"{len(failed)} check(s) failed", err=True)
        raise typer.Exit(1)
    return 0


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
