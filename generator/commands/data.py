"""``briefing data``: put vendor exports and analyst inputs into the local store, and list what it holds.

``briefing data import FILE...`` reads CSV or Parquet files in any layout the
CSV provider understands (one series per file, named after its id), validates
them exactly like live data, leaves out a last row that is a partial
(intraday) bar, and merges them into the store, where ``--source store`` and
the fallback chain will find them.

``briefing data import-analyst FILE`` validates a vendor's export of analyst
figures (index forward P/E, index weights) and merges it into the report's
analyst file, where the next briefing reads it.
"""

from __future__ import annotations

from pathlib import Path

import typer

data_app = typer.Typer(help="Import files into the local data store, or list what it holds.", no_args_is_help=True)


@data_app.command("import")
def import_files(
    files: list[Path] = typer.Argument(..., help="CSV or Parquet files, one series each, named ID.csv."),
    series_id: str | None = typer.Option(None, "--id", help="Series id for a single file not named after it."),
    report: Path | None = typer.Option(None, "--report", help="Report definition naming the series. A path or a packaged report name; default $BRIEFING_REPORT, else small_cap_rotation."),
    date_format: str | None = typer.Option(
        None, "--date-format", help="How the files write dates, e.g. %d/%m/%Y (needed when ambiguous)."
    ),
) -> None:
    """Validate FILES and merge them into the store (BRIEFING_DATA_DIR)."""
    import difflib
    import errno

    from generator.acquire import SourceSettings
    from generator.errors import BriefingError, OutputError, UsageError
    from generator.reports import find_report
    from generator.sources.csvdir import file_label, load_file, share_partial_bars
    from generator.sources.dates import check_date_format
    from generator.spec import load_spec
    from generator.store import ParquetStore

    if series_id and len(files) != 1:
        raise UsageError("--id names the series of one file; pass one file with it")
    if date_format is not None:
        check_date_format(date_format)
    report = find_report(report)
    spec = load_spec(report).spec  # every series the definition and its catalogue know
    by_lower = {sid.lower(): s for sid, s in spec.series.items()}
    store = ParquetStore(SourceSettings.from_env().data_dir)
    codes: list[int] = []

    def fail(path: Path, exc: BriefingError) -> None:
        codes.append(exc.exit_code)
        named = str(exc).startswith(file_label(path))  # the reader's errors name the file already
        typer.echo(f"error: {exc}" if named else f"error: {path}: {exc}", err=True)

    loaded = []
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
            loaded.append(load_file(path, target, source="csv", date_format=date_format))
        except BriefingError as exc:
            fail(path, exc)
    # Files imported together were exported together: a partial last bar seen in some is left out of all.
    for item in share_partial_bars(loaded):
        data = item.with_partial_note()
        try:
            added = store.write(data)
        except OSError as exc:
            # The store itself cannot be written (read-only, full, not ours): every other file would fail alike.
            why = "no space left on device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise OutputError(f"cannot write the store {store.root}: {why}") from None
        except BriefingError as exc:
            fail(item.path, exc)
            continue
        typer.echo(
            f"{item.path.name} -> {item.spec.id}: {len(data.values)} observations "
            f"{data.first_date}..{data.last_date}, {added} new or revised row(s)"
        )
        for note in data.notes:
            typer.echo(f"  note: {note}")
    if len(codes) < len(files):
        typer.echo(f"store: {store.root}")
    if codes:
        raise typer.Exit(max(codes))


@data_app.command("import-analyst")
def import_analyst(
    file: Path = typer.Argument(..., help="A vendor's CSV export: input,date,value[,source,note,unit], or date + one column per input."),
    source: str | None = typer.Option(None, "--source", help="Who published the figures, for rows without a source column."),
    report: Path | None = typer.Option(None, "--report", help="Report definition whose analyst file is updated. A path or a packaged report name; default $BRIEFING_REPORT, else small_cap_rotation."),
) -> None:
    """Validate FILE (columns, units, dates, source) and merge its figures into the analyst file."""
    from generator.errors import UsageError
    from generator.reports import find_report
    from generator.sources.analyst import import_rows, parse_vendor_export
    from generator.spec import load_spec

    report = find_report(report)
    loaded = load_spec(report)
    if not loaded.spec.valuation.analyst_file:
        raise UsageError(f"{report} names no analyst file ([valuation] analyst_file)")
    if not file.is_file():
        raise UsageError(f"{file}: file not found")
    rows = parse_vendor_export(file, loaded.spec, default_source=source)
    target = loaded.path.parent / loaded.spec.valuation.analyst_file
    done = import_rows(target, loaded.spec, rows)
    for input_id in sorted({r.input for r in rows}):
        mine = [r for r in rows if r.input == input_id]
        typer.echo(f"{input_id}: {len(mine)} figure(s) {min(r.date for r in mine)}..{max(r.date for r in mine)}")
    typer.echo(f"{loaded.spec.valuation.analyst_file}: {done.added} added, {done.revised} revised, "
               f"{done.unchanged} unchanged; {len(done.rows)} figures in all")


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
