"""``briefing data``: put vendor exports and analyst inputs into the local store, and list what it holds.

``briefing data import FILE...`` reads CSV or Parquet files in any layout the
CSV provider understands (one series per file, named after its id), validates
them exactly like live data, leaves out a last row that is a partial
(intraday) bar, and merges them into the store, where ``--source store`` and
the fallback chain will find them.
"""

from __future__ import annotations

from pathlib import Path

import typer

from generator.spec import DEFAULT_REPORT

data_app = typer.Typer(help="Import files into the local data store, or list what it holds.", no_args_is_help=True)


@data_app.command("import")
def import_files(
    files: list[Path] = typer.Argument(..., help="CSV or Parquet files, one series each, named ID.csv."),
    series_id: str | None = typer.Option(None, "--id", help="Series id for a single file not named after it."),
    report: Path = typer.Option(DEFAULT_REPORT, "--report", help="Report definition naming the series."),
    date_format: str | None = typer.Option(
        None, "--date-format", help="How the files write dates, e.g. %d/%m/%Y (needed when ambiguous)."
    ),
) -> None:
    """Validate FILES and merge them into the store (BRIEFING_DATA_DIR)."""
    import difflib

    from generator.acquire import SourceSettings
    from generator.errors import BriefingError, UsageError
    from generator.sources.csvdir import file_label, load_file, share_partial_bars
    from generator.sources.dates import check_date_format
    from generator.spec import load_spec
    from generator.store import ParquetStore

    if series_id and len(files) != 1:
        raise UsageError("--id names the series of one file; pass one file with it")
    if date_format is not None:
        check_date_format(date_format)
    spec = load_spec(report).spec
    by_lower = {sid.lower(): s for sid, s in spec.series.items()}
    store = ParquetStore(SourceSettings.from_env().data_dir)
    failures = 0

    def fail(path: Path, exc: BriefingError) -> None:
        nonlocal failures
        failures += 1
        named = str(exc).startswith(file_label(path))  # the reader's errors name the file already
        typer.echo(f"error: {exc}" if named else f"error: {path}: {exc}", err=True)

    loaded = []
    for path in files:
        wanted = (series_id or path.stem).lower()
        target = by_lower.get(wanted)
        try:
            if target is None:
                close = difflib.get_close_matches(wanted.upper(), list(spec.series), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise UsageError(
                    f"no series '{series_id or path.stem}' in {report}{hint}; name the file after "
                    "a series id or pass --id"
                )
            if not path.is_file():
                raise UsageError("file not found")
            loaded.append(load_file(path, target, source="csv", date_format=date_format))
        except BriefingError as exc:
            fail(path, exc)
    # Files imported together were exported together: a partial last bar seen in some is left out of all.
    for item in share_partial_bars(loaded):
        data = item.with_partial_note()
        try:
            added = store.write(data)
        except BriefingError as exc:
            fail(item.path, exc)
            continue
        typer.echo(
            f"{item.path.name} -> {item.spec.id}: {len(data.values)} observations "
            f"{data.first_date}..{data.last_date}, {added} new or revised row(s)"
        )
        for note in data.notes:
            typer.echo(f"  note: {note}")
    typer.echo(f"store: {store.root}")
    if failures:
        raise typer.Exit(1)


@data_app.command("list")
def list_store() -> None:
    """One line per stored series: observations, date range, last fetch."""
    from generator.acquire import SourceSettings
    from generator.store import ParquetStore

    store = ParquetStore(SourceSettings.from_env().data_dir)
    listed = store.list()
    for s in listed:
        fetched = s.fetched_at.strftime("%Y-%m-%d %H:%M UTC") if s.fetched_at else "?"
        typer.echo(f"{s.id:<14} {s.observations:>6} obs  {s.first}..{s.last}  fetched {fetched}  ({s.rows} rows)")
    typer.echo(f"{len(listed)} series in {store.root}")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
