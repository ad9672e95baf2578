"""The ``briefing`` command line: a thin layer over the Python API.

Each command lives in ``generator/commands/<name>.py`` and registers itself
with :func:`register`. A user's mistake (``BriefingError`` or a bad option)
becomes one line on stderr and a non-zero exit; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

# A briefing is a short run: Arrow's own allocator keeps freed arenas for reuse (30+ MiB of peak RSS here);
# the system allocator hands them back. Set before anything imports pyarrow; a user's setting wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

import typer

from generator.errors import BriefingError
from generator.version import __version__

COMMAND_MODULES = [
    "generate", "authoring", "doctor", "data", "list", "compare", "history", "rerender", "backfill", "send", "weekly",
    "serve", "archive",
]

app = typer.Typer(
    name="briefing",
    help="Dated macro-strategy briefings (HTML + PDF) from declared report definitions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"macro-briefing {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what each stage does."),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    # What the archive repaired after an interrupted run is said in one plain line, whatever the command.
    repairs = logging.getLogger("generator.archive.swap")
    if not any(isinstance(h, _Note) for h in repairs.handlers):
        repairs.addHandler(_Note())
    repairs.propagate = False


class _Note(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        print(f"note: {record.getMessage()}", file=sys.stderr)


for _name in COMMAND_MODULES:
    importlib.import_module(f"generator.commands.{_name}").register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    from generator.lifeline import own_tempdir

    own_tempdir()  # temporary files (WeasyPrint's fonts) in a folder removed at exit, or by the next run if killed
    try:
        result = app(args=argv, prog_name="briefing", standalone_mode=False)
    except BriefingError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        for line in lines:
            print(f"error: {line}", file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print("error: interrupted", file=sys.stderr)
        return 130
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.TyperException as exc:  # bad options and arguments, as Typer parses them
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 2))
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
