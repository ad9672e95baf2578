"""The CSV/Parquet folder provider (``--source csv:DIR``) and the table reader behind ``data import``.

One file per series, named after its id (``IWM.csv``, ``CPILFESL.parquet``),
in any of the layouts users actually have:

* plain ``date,value``;
* FRED's download: ``DATE`` (before late 2024) or ``observation_date`` (since),
  then a column named after the series; missing values as ``.`` or empty;
* Yahoo/yfinance exports: ``Date,Open,High,Low,Close,Adj Close,Volume`` (``Adj
  Close`` preferred over ``Close`` for adjusted prices), yfinance's lowercase
  ``Date,close,high,low,open,volume``, vendor files with ``timestamp`` and
  newest-first rows.

The reader finds the date and value columns and reads the dates without
guessing (:mod:`dates`: a column that reads both day-first and month-first is
refused unless ``--date-format`` says which); :mod:`validate` then applies
exactly the checks live data gets.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from generator.errors import SourceError
from generator.model import SeriesData, SourceKind
from generator.sources.base import FetchResult
from generator.sources.dates import read_dates
from generator.sources.partial import PartialBar, file_partial
from generator.sources.validate import between, check_series, rejections_between
from generator.spec import SeriesSpec

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".parquet", ".pq")
DATE_COLUMNS = ("date", "observation_date", "timestamp", "datetime", "time", "day")
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "adjclose": ("adj close", "adj_close", "adjclose", "adjusted_close", "adjusted close", "close", "value"),
    "close": ("close", "value", "adj close", "adj_close", "adjclose"),
    "volume": ("volume", "value"),
    "value": ("value",),
}


@dataclass(frozen=True)
class Table:
    """A file reduced to raw observations: dates as read, values as text or numbers."""

    raw: pd.Series
    column: str
    notes: tuple[str, ...] = ()
    volume: pd.Series | None = None  # the file's volume column, when it has one beside the values


def _norm(name: object) -> str:
    return str(name).strip().lower()


def file_label(path: Path) -> str:
    """How notes and errors name a file: its kind and name, never the folder (no local path in any output)."""
    kind = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    return f"{kind} file {path.name}"


def _load(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
            if isinstance(frame.index, pd.DatetimeIndex) or frame.index.name is not None:
                frame = frame.reset_index()
            return frame
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise SourceError(f"{file_label(path)}: cannot read ({type(exc).__name__})") from None


def _pick_value_column(columns: list[str], field: str, series_id: str) -> tuple[str | None, str | None]:
    """The column holding the series' values, and a note when a fallback was taken."""
    by_norm = {_norm(c): c for c in columns}
    ids = {series_id.lower(), series_id.lower().lstrip("^")}
    for name in ids:
        if name in by_norm:
            return by_norm[name], None
    preferred = FIELD_COLUMNS[field]
    for name in preferred:
        if name in by_norm:
            if field == "adjclose" and name == "close" and "value" not in by_norm:
                return by_norm[name], "no Adj Close column: used Close (adjusted only if the exporter adjusted it)"
            return by_norm[name], None
    others = [c for c in columns if _norm(c) not in DATE_COLUMNS and not _norm(c).startswith("unnamed")]
    if len(others) == 1:
        return others[0], None
    return None, None


def read_table(
    path: str | Path, series_id: str | None = None, field: str = "value", date_format: str | None = None
) -> Table:
    """Read ``path`` in any supported layout; raise ``SourceError`` naming the columns when it cannot tell.

    ``date_format`` (``--date-format``) reads the date column exactly so; without it, dates that read
    both day-first and month-first are refused (``UsageError``, see :mod:`generator.sources.dates`).
    """
    path = Path(path)
    return table_from_frame(_load(path), series_id or path.stem, field, file_label(path), date_format)


def parse_csv(content: bytes | str, series_id: str, field: str = "value", origin: str = "response") -> Table:
    """The same as :func:`read_table` for CSV text received over the network (FRED's key-less download)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as exc:
        raise SourceError(f"{origin}: malformed CSV ({str(exc).splitlines()[0][:120]})") from None
    return table_from_frame(frame, series_id, field, origin)


def table_from_frame(
    frame: pd.DataFrame, series_id: str, field: str, origin: str, date_format: str | None = None
) -> Table:
    """Find the date and value columns of a parsed file, and read its dates without guessing."""
    if frame.shape[1] == 0:
        raise SourceError(f"{origin}: empty file (no header)")
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    date_col = next((c for c in columns if _norm(c) in DATE_COLUMNS), None)
    if date_col is None:
        shown = ", ".join(c[:40] for c in columns[:8])
        raise SourceError(f"{origin}: no date column (looked for {', '.join(DATE_COLUMNS)}); columns are {shown}")
    value_col, note = _pick_value_column([c for c in columns if c != date_col], field, series_id)
    if value_col is None:
        raise SourceError(
            f"{origin}: cannot tell which column holds {series_id}'s values among "
            f"{', '.join(c for c in columns if c != date_col)}; name it 'value' or '{series_id}'"
        )
    dates = read_dates(frame[date_col], origin, date_col, date_format)
    index = dates.index if dates.index is not None else pd.Index(frame[date_col].to_numpy())
    raw = pd.Series(frame[value_col].to_numpy(), index=index, name=series_id)
    notes = tuple(n for n in (dates.note, note) if n)
    volume_col = next((c for c in columns if _norm(c) == "volume" and c != value_col), None)
    volume = None if volume_col is None else pd.Series(frame[volume_col].to_numpy(), index=index, name="volume")
    return Table(raw=raw, column=value_col, notes=notes, volume=volume)


def find_file(directory: Path, spec: SeriesSpec) -> Path | None:
    """``ID.csv``/``ID.parquet`` (or the provider symbol, without a leading ``^``), case-insensitively."""
    if not directory.is_dir():
        return None
    wanted = {spec.id.lower(), spec.provider_symbol.lower(), spec.provider_symbol.lower().lstrip("^")}
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() in SUFFIXES and path.stem.lower() in wanted and path.is_file():
            return path
    return None


@dataclass(frozen=True)
class Loaded:
    """One file read and validated; ``partial`` is its last row, when that was left out as a partial bar."""

    path: Path
    spec: SeriesSpec
    data: SeriesData
    partial: PartialBar | None = None

    @property
    def label(self) -> str:
        return file_label(self.path)

    def with_partial_note(self) -> SeriesData:
        if self.partial is None:
            return self.data
        note = f"{self.label}: last row {self.partial.day} left out as a partial bar: {self.partial.reason}"
        return replace(self.data, notes=(*self.data.notes, note))


def _is_market_bar(spec: SeriesSpec) -> bool:
    """Daily exchange data, where a file may end on a bar taken before the close."""
    return spec.provider == "yahoo" and spec.frequency == "daily"


def load_file(
    path: Path, spec: SeriesSpec, source: SourceKind = "csv", date_format: str | None = None
) -> Loaded:
    """Read and validate one file as ``spec``'s series, its partial last bar left out; ``SourceError`` if unusable."""
    label = file_label(path)
    table = read_table(path, spec.id, spec.field, date_format)
    checked = check_series(spec, table.raw)
    notes = (*table.notes, *checked.notes)
    if checked.values is None:
        raise SourceError(f"{label}: {checked.rejected}" + (f" ({'; '.join(notes)})" if notes else ""))
    values = checked.values
    partial = None
    if _is_market_bar(spec):
        volume = values if spec.field == "volume" else None
        if table.volume is not None and volume is None:
            volume = check_series(spec.model_copy(update={"field": "volume", "kind": "level"}), table.volume).values
        partial = file_partial(values, volume, prices=spec.field != "volume" and spec.kind in ("price", "index"))
        if partial is not None:
            values = values.iloc[:-1]
    fetched = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    data = SeriesData(
        id=spec.id,
        values=values,
        source=source,
        fetched_at=fetched,
        notes=tuple(f"{label}: {n}" for n in notes),
        rejected=checked.rejections,
    )
    return Loaded(path, spec, data, partial)


def load_series(
    path: Path, spec: SeriesSpec, source: SourceKind = "csv", date_format: str | None = None
) -> SeriesData:
    """:func:`load_file`'s series, with a note when its partial last bar was left out."""
    return load_file(path, spec, source, date_format).with_partial_note()


def share_partial_bars(loaded: Sequence[Loaded]) -> list[Loaded]:
    """Files exported together end on the same partial day: where some show it, the others' last row goes too.

    Files of one folder (or one import) written at the same moment all end on
    that moment's quotes, but only some show it (a sub-cent close, a thin
    volume); a quote that happens to be a whole number of cents is no close
    either. So a daily market file whose last row is dated on a day other
    files end on a detected partial bar loses that row as well, and says why.
    """
    days: dict[date, list[str]] = {}
    for item in loaded:
        if item.partial is not None:
            days.setdefault(item.partial.day, []).append(item.spec.id)
    out: list[Loaded] = []
    for item in loaded:
        last = item.data.last_date
        if item.partial is None and _is_market_bar(item.spec) and last in days and len(item.data.values) > 1:
            others = ", ".join(days[last])
            reason = f"other files exported with it end on a partial bar that day ({others})"
            item = replace(item, data=replace(item.data, values=item.data.values.iloc[:-1]),
                           partial=PartialBar(last, reason))
        out.append(item)
    return out


class CsvDirProvider:
    """Serves series from one folder of files; the same validation as the live providers.

    Failures and notes name each file (``csv file IWM.csv``), never the folder: they reach the
    briefing's data-quality box and manifest, which show no local path.
    """

    name = "csv"

    def __init__(self, directory: str | Path, date_format: str | None = None) -> None:
        self.directory = Path(directory).expanduser()
        self.date_format = date_format  # --date-format: how every file's dates are written

    def fetch(self, specs: Sequence[SeriesSpec], start: date, end: date) -> FetchResult:
        series: dict[str, SeriesData] = {}
        failures: dict[str, str] = {}
        if not self.directory.is_dir():
            return FetchResult({}, {s.id: "the csv folder does not exist" for s in specs})
        loaded: list[Loaded] = []
        for spec in specs:
            path = find_file(self.directory, spec)
            if path is None:
                failures[spec.id] = f"no csv file {spec.id}.csv (or {spec.id}.parquet) in the csv folder"
                continue
            try:
                loaded.append(load_file(path, spec, date_format=self.date_format))
            except SourceError as exc:
                failures[spec.id] = str(exc)
        for item in share_partial_bars(loaded):
            # A partial bar dated after the window is cut with it: nothing to say about it.
            data = item.with_partial_note() if item.partial is not None and item.partial.day <= end else item.data
            window = between(data.values, start, end)
            if window.empty:
                failures[item.spec.id] = f"{item.label}: no observations between {start} and {end}"
                continue
            series[item.spec.id] = replace(data, values=window,
                                           rejected=rejections_between(data.rejected, start, end))
        return FetchResult(series, failures)
