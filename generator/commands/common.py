"""Helpers shared by command modules: option parsing and console progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console, ConsoleDimensions

from generator.errors import OutputError, UsageError

if TYPE_CHECKING:
    from generator.acquire import DataSources



class _Stdout(Console):
    """Standard output: in a terminal, its width; piped to a file or a program, wide enough that a table's row
    stays one line (``briefing compare ... | grep 'Uneven adoption'`` finds the whole label), unless COLUMNS says."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or "COLUMNS" in self._environ:
            return size
        return ConsoleDimensions(max(size.width, PIPED_WIDTH), size.height)


PIPED_WIDTH = 200
stderr = Console(stderr=True, highlight=False)
stdout = _Stdout(highlight=False, soft_wrap=True)


EARLIEST = date(1900, 1, 1)  # a briefing reads a dozen years of history before its date; pandas' dates end in 1677


def parse_date(text: str | None, option: str = "--date") -> date | None:
    """``YYYY-MM-DD`` to a date, with a message that says what was wrong."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a valid date: expected YYYY-MM-DD, e.g. 2026-11-20") from None
    if day < EARLIEST:
        raise UsageError(f"{option} {text} is before {EARLIEST}: no briefing can be built that early")
    return day


def csv_sources(source: str, date_format: str | None) -> DataSources | None:
    """The sources of a ``--source csv:DIR`` run whose files' dates are written as ``--date-format`` says."""
    if date_format is None:
        return None
    from generator.acquire import DataSources, parse_source
    from generator.sources.csvdir import CsvDirProvider
    from generator.sources.dates import check_date_format

    mode, folder = parse_source(source)
    if mode != "csv" or folder is None:
        raise UsageError("--date-format tells how the files of --source csv:DIR write their dates; "
                         f"--source {source} reads no such files")
    return DataSources(csv=CsvDirProvider(folder, check_date_format(date_format)))


def parse_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@contextmanager
def progress_reporter(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A callback that shows the current step as a spinner on stderr (plain lines when not a terminal)."""
    if quiet:
        yield lambda _msg: None
        return
    if not sys.stderr.isatty():
        yield lambda msg: print(f"... {msg}", file=sys.stderr)
        return
    with stderr.status("starting") as status:
        yield lambda msg: status.update(msg)


VIEW_FORMATS = ("table", "json", "html")


def check_view_format(fmt: str) -> str:
    """``--format`` of the archive views (compare, history): table, json or html."""
    if fmt not in VIEW_FORMATS:
        raise UsageError(f"unknown --format '{fmt}': expected one of {', '.join(VIEW_FORMATS)}")
    return fmt


def emit_page(page: str, to: Path | None, name: str = "page") -> None:
    """An HTML view: printed, or written to ``--to`` (a file, replaced atomically; never a folder)."""
    from generator.archive.write import write_atomic

    if to is None:
        typer.echo(page)
        return
    if to.is_dir():
        raise OutputError(f"--to {to} is a folder: name the file to write, e.g. {to / (name + '.html')}")
    write_atomic(to, page.encode("utf-8"))
    stdout.print(f"written {to}")
