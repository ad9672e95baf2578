"""``briefing data``: put vendor exports and analyst inputs into the local store, and list what it holds.

``briefing data import FILE...`` reads CSV or Parquet files in any layout the
CSV provider understands (one series per file, named after its id), validates
them exactly like live data, and merges them into the store, where
``--source store`` and the fallback chain will find them.
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
) -> None:
    """Validate FILES and merge them into the store (BRIEFING_DATA_DIR)."""
    import difflib
    import errno

    from generator.acquire import SourceSettings
    from generator.errors import BriefingError, OutputError, UsageError
    from generator.sources.csvdir import load_series
    from generator.spec import load_spec
    from generator.store import ParquetStore

    if series_id and len(files) != 1:
        raise UsageError("--id names the series of one file; pass one file with it")
    spec = load_spec(report).spec
    by_lower = {sid.lower(): s for sid, s in spec.series.items()}
    store = ParquetStore(SourceSettings.from_env().data_dir)
    codes: list[int] = []
    for path in files:
        wanted = (series_id or path.stem).lower()
        target = by_lower.get(wanted)
        try:
            if not path.is_file():
                raise UsageError("no such file" if not path.exists() else "not a file")
            if target is None:
                close = difflib.get_close_matches(wanted.upper(), list(spec.series), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise UsageError(
                    f"no series '{series_id or path.stem}' in {report}{hint}; name the file after "
                    "a series id or pass --id"
                )
            data = load_series(path, target, source="csv")
        except BriefingError as exc:
            codes.append(exc.exit_code)
            typer.echo(f"error: {path}: {exc}", err=True)
            continue
        try:
            added = store.write(data)
        except OSError as exc:
            # The store itself cannot be written (read-only, full, not ours): every other file would fail alike.
            why = "no space left on device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise OutputError(f"cannot write the store {store.root}: {why}") from None
        except BriefingError as exc:
            codes.append(exc.exit_code)
            typer.echo(f"error: {path}: {exc}", err=True)
            continue
        typer.echo(
            f"{path.name} -> {target.id}: {len(data.values)} observations {data.first_date}..{data.last_date}, "
            f"{added} new or revised row(s)"
        )
        for note in data.notes:
            typer.echo(f"  note: {note}")
    if len(codes) < len(files):
        typer.echo(f"store: {store.root}")
    if codes:
        raise typer.Exit(max(codes))


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
