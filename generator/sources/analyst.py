"""The analyst file: dated figures no free feed publishes (index forward P/E, index weights), each with its source.

One row per figure (``input,date,value,source,note``) in a CSV beside the
report definition; an input is one of ``[valuation_inputs]`` with
``origin = "analyst"``. A figure is used only by briefings dated on or after
its date.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from generator.errors import SpecError
from generator.model import QualityNote, SeriesData
from generator.spec import ReportSpec, ValuationInputSpec

COLUMNS = ("input", "date", "value", "source", "note")


@dataclass(frozen=True)
class AnalystRow:
    """One dated figure from the analyst file, with where it came from."""

    input: str
    date: date
    value: float
    source: str
    note: str
    line: int


def in_range(spec: ValuationInputSpec, value: float) -> bool:
    return spec.valid_range is None or spec.valid_range[0] <= value <= spec.valid_range[1]


def check_analyst_file(path: Path, spec: ReportSpec, label: str | None = None) -> tuple[list[AnalystRow], list[str]]:
    """The analyst file's good rows, and one ``file:line: column: ...`` line per bad one (``label`` names the file).

    A wrong header makes every row bad (nothing is read).
    """
    name = label or str(path)
    text = path.read_text(encoding="utf-8")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        return [], []
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    header = [h.strip() for h in next(reader)]
    if tuple(header) != COLUMNS:
        return [], [f"{name}:{lines[0][0]}: header: expected {','.join(COLUMNS)}, got {','.join(header)}"]
    analyst = {k: v for k, v in spec.valuation_inputs.items() if v.origin == "analyst"}
    rows: list[AnalystRow] = []
    problems: list[str] = []
    for (lineno, _), cells in zip(lines[1:], reader, strict=True):
        where = f"{name}:{lineno}"
        if len(cells) != len(COLUMNS):
            problems.append(f"{where}: expected {len(COLUMNS)} columns ({','.join(COLUMNS)}), got {len(cells)}")
            continue
        input_id, day, raw, source, note = (c.strip() for c in cells)
        if input_id not in analyst:
            problems.append(
                f"{where}: input: '{input_id}' is not an analyst input of {', '.join(analyst) or 'the report'}"
            )
            continue
        try:
            when = date.fromisoformat(day)
        except ValueError:
            problems.append(f"{where}: date: expected YYYY-MM-DD, got {day!r}")
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.append(f"{where}: value: expected a number, got {raw!r}")
            continue
        if not in_range(analyst[input_id], value):
            low, high = analyst[input_id].valid_range or (0, 0)
            problems.append(
                f"{where}: value: {value:g} is outside the plausible range {low:g} to {high:g} for {input_id}"
            )
            continue
        if not source:
            problems.append(f"{where}: source: every figure needs its source")
            continue
        rows.append(AnalystRow(input_id, when, value, source, note, lineno))
    return rows, problems


def read_analyst_file(path: Path, spec: ReportSpec) -> list[AnalystRow]:
    """Parse and check the analyst file; one :class:`SpecError` lists every bad row as ``file:line: column: ...``."""
    rows, problems = check_analyst_file(path, spec)
    if problems:
        raise SpecError("\n".join(problems))
    return rows


def analyst_series(rows: Sequence[AnalystRow], as_of: date) -> tuple[dict[str, SeriesData], list[QualityNote]]:
    """Each input's rows dated on or before ``as_of`` as a series, and a note naming the latest figure's source."""
    out: dict[str, SeriesData] = {}
    notes: list[QualityNote] = []
    for input_id in sorted({r.input for r in rows}):
        known = sorted((r for r in rows if r.input == input_id and r.date <= as_of), key=lambda r: r.date)
        if not known:
            continue
        values = pd.Series(
            [r.value for r in known], index=pd.DatetimeIndex([pd.Timestamp(r.date) for r in known], name="date")
        )
        values = values[~values.index.duplicated(keep="last")]
        last = known[-1]
        said = f"analyst input {last.value:g} dated {last.date} from {last.source}" + (
            f" ({last.note})" if last.note else ""
        )
        out[input_id] = SeriesData(input_id, values, "analyst", notes=(said,))
        notes.append(QualityNote(input_id, "info", said))
    return out, notes


# ---------------------------------------------------------------- importing a vendor export

# Header names vendors use, by the analyst file's column they mean (compared lower-case, spaces and dashes as "_").
ALIASES = {
    "input": ("input", "id", "input_id", "series", "series_id", "metric"),
    "date": ("date", "as_of", "asof", "as_of_date", "period_end", "observation_date"),
    "value": ("value", "val", "figure"),
    "source": ("source", "vendor", "publisher"),
    "note": ("note", "notes", "comment", "basis"),
    "unit": ("unit", "units"),
}
PERCENT = ("%", "percent", "pct")
TIMES = ("x", "times")


@dataclass(frozen=True)
class Imported:
    """What an import did to the analyst file."""

    rows: list[AnalystRow]  # every row now in the file, sorted by input and date
    added: int
    revised: int
    unchanged: int


def _key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Where each known column is (long layout), and the headers no alias names."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    for i, name in enumerate(header):
        key = _key(name)
        column = next((c for c, names in ALIASES.items() if key in names), None)
        if column is None or column in found:
            unknown.append(name.strip())
        else:
            found[column] = i
    return found, unknown


def _value(raw: str, unit: str, vspec: ValuationInputSpec) -> tuple[float | None, str]:
    """The figure in the input's own unit, or ``None`` and the problem (as ``column: message``)."""
    text = raw.strip().replace(",", "")
    unit = unit.strip().lower()
    if text.endswith("%"):
        text, unit = text[:-1].strip(), unit or "%"
    elif text.lower().endswith("x"):
        text, unit = text[:-1].strip(), unit or "x"
    try:
        value = float(text)
    except ValueError:
        return None, f"value: expected a number, got {raw.strip()!r}"
    if not math.isfinite(value):
        return None, f"value: expected a finite number, got {raw.strip()!r}"
    if vspec.unit == "fraction":
        if unit in PERCENT:
            value /= 100.0
        elif unit not in ("", "fraction"):
            return None, f"unit: {vspec.id} is a fraction (0.071 for 7.1%); got unit {unit!r}"
        elif vspec.valid_range is not None and value > vspec.valid_range[1] and value / 100.0 <= vspec.valid_range[1]:
            return None, (
                f"value: {value:g} looks like a percent, but {vspec.id} is a fraction: "
                f"write {value / 100.0:g}, or give the unit % (a unit column or '{value:g}%')"
            )
    elif vspec.unit == "x":
        if unit not in ("", *TIMES):
            return None, f"unit: {vspec.id} is a multiple (x, e.g. 14.2); got unit {unit!r}"
    elif unit and unit != vspec.unit.lower():
        return None, f"unit: {vspec.id} is in {vspec.unit}; got unit {unit!r}"
    return value, ""


def _whole_rows(body: Sequence[tuple[int, list[str]]], width: int, name: str,
                problems: list[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """The rows with as many cells as the header; each other row is a problem naming its line."""
    for lineno, record in body:
        if len(record) != width:
            problems.append((lineno, f"{name}:{lineno}: expected {width} columns, got {len(record)}"))
            continue
        yield lineno, record


def parse_vendor_export(
    path: Path, spec: ReportSpec, default_source: str | None = None, today: date | None = None
) -> list[AnalystRow]:
    """Validated rows from a vendor's CSV export; one :class:`SpecError` lists every bad row as ``file:row: column: ...``.

    Two layouts: long (one figure per row: input, date, value, and optionally
    source, note, unit, under any of the header names in ``ALIASES``) and wide
    (a date column and one column per analyst input id). Values are converted
    to the input's unit: a weight given in percent (a unit column saying %, or
    ``7.1%``) becomes a fraction, a multiple may carry an ``x``; a weight that
    is plainly a percent without saying so is refused rather than guessed.
    Dates are ``YYYY-MM-DD`` and not after ``today``. Every figure needs a
    source: its own column, or ``default_source`` (``--source``).
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel's CSV export starts with a byte-order mark
    except UnicodeDecodeError:
        raise SpecError(f"{name}: not UTF-8 text (export the file as CSV UTF-8)") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise SpecError(f"{name}: no header and no rows")
    analyst = {k: v for k, v in spec.valuation_inputs.items() if v.origin == "analyst"}
    records = list(csv.reader(io.StringIO("\n".join(line for _, line in lines))))
    header, body = records[0], list(zip((n for n, _ in lines[1:]), records[1:], strict=True))
    found, unknown = _columns(header)
    wide = [i for i, h in enumerate(header) if h.strip() in analyst]
    problems: list[tuple[int, str]] = []  # (row, message): reported in row order
    cells: list[tuple[int, dict[str, str], dict[str, int]]] = []  # row number, cells by column, where each came from
    if "date" not in found:
        raise SpecError(f"{name}:{lines[0][0]}: header: no date column (one of {', '.join(ALIASES['date'])})")
    if {"input", "value"} <= set(found):
        if unknown:
            raise SpecError(f"{name}:{lines[0][0]}: header: unknown column(s) {', '.join(unknown)}; "
                            f"known: {', '.join(c for c in ALIASES)}")
        for lineno, record in _whole_rows(body, len(header), name, problems):
            row = {c: record[i].strip() for c, i in found.items()}
            cells.append((lineno, row, {c: i + 1 for c, i in found.items()}))
    elif wide:
        extra = [header[i].strip() for i in range(len(header))
                 if i not in wide and i not in found.values()]
        if extra:
            raise SpecError(f"{name}:{lines[0][0]}: header: {', '.join(extra)} is not an analyst input "
                            f"({', '.join(analyst)}) nor a known column")
        for lineno, record in _whole_rows(body, len(header), name, problems):
            shared = {c: record[i].strip() for c, i in found.items()}
            for i in wide:
                if record[i].strip():
                    row = {**shared, "input": header[i].strip(), "value": record[i].strip()}
                    cells.append((lineno, row, {**{c: j + 1 for c, j in found.items()}, "value": i + 1}))
    else:
        raise SpecError(
            f"{name}:{lines[0][0]}: header: expected columns input, date, value (and source, note, unit), or a date "
            f"column and one column per analyst input ({', '.join(analyst)}); got {', '.join(h.strip() for h in header)}"
        )
    today = today or datetime.now(UTC).date()
    rows: list[AnalystRow] = []
    for lineno, row, _ in cells:
        where = f"{name}:{lineno}"
        input_id = row.get("input", "")
        vspec = analyst.get(input_id)
        if vspec is None:
            problems.append((lineno, f"{where}: input: '{input_id}' is not an analyst input of {', '.join(analyst)}"))
            continue
        day = row.get("date", "")
        try:
            when = date.fromisoformat(day)
        except ValueError:
            problems.append((lineno, f"{where}: date: expected YYYY-MM-DD, got {day!r}"))
            continue
        if when > today:
            problems.append((lineno, f"{where}: date: {when} is in the future"))
            continue
        value, why = _value(row.get("value", ""), row.get("unit", ""), vspec)
        if value is None:
            problems.append((lineno, f"{where}: {why}"))
            continue
        if not in_range(vspec, value):
            low, high = vspec.valid_range or (0, 0)
            problems.append((lineno, f"{where}: value: {value:g} is outside the plausible range {low:g} to {high:g} for {input_id}"))
            continue
        source = row.get("source") or (default_source or "").strip()
        if not source:
            problems.append((lineno, f"{where}: source: every figure needs its source (a source column, or --source NAME)"))
            continue
        rows.append(AnalystRow(input_id, when, value, source, row.get("note", ""), lineno))
    if problems:
        raise SpecError("\n".join(m for _, m in sorted(problems, key=lambda p: p[0])))
    if not rows:
        raise SpecError(f"{name}: no figures to import")
    seen: dict[tuple[str, date], int] = {}
    for r in rows:
        if (r.input, r.date) in seen:
            problems.append((r.line, f"{name}:{r.line}: {r.input} on {r.date} is also on row {seen[(r.input, r.date)]}"))
        seen.setdefault((r.input, r.date), r.line)
    if problems:
        raise SpecError("\n".join(m for _, m in sorted(problems, key=lambda p: p[0])))
    return rows


def _cell(text: str) -> str:
    """One CSV cell, quoted only when it must be (an empty one stays empty)."""
    if not text:
        return ""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([text])
    return out.getvalue()


def import_rows(analyst_path: Path, spec: ReportSpec, new: Sequence[AnalystRow]) -> Imported:
    """Merge ``new`` into the analyst file (a row for an input and date already there is revised), atomically.

    The file's comment lines are kept; rows are written sorted by input and
    date. The existing file is validated first, so a broken one is reported,
    not overwritten.
    """
    existing = read_analyst_file(analyst_path, spec) if analyst_path.is_file() else []
    comments = [line for line in analyst_path.read_text(encoding="utf-8").splitlines() if line.startswith("#")] \
        if analyst_path.is_file() else []
    merged = {(r.input, r.date): r for r in existing}
    added = revised = unchanged = 0
    for r in new:
        old = merged.get((r.input, r.date))
        if old is None:
            added += 1
        elif (old.value, old.source, old.note) == (r.value, r.source, r.note):
            unchanged += 1
        else:
            revised += 1
        merged[(r.input, r.date)] = r
    rows = sorted(merged.values(), key=lambda r: (r.input, r.date))
    lines = [*comments, ",".join(COLUMNS)]
    lines += [",".join([r.input, r.date.isoformat(), repr(r.value), _cell(r.source), _cell(r.note)]) for r in rows]
    tmp = analyst_path.with_name(f".{analyst_path.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, analyst_path)
    return Imported(rows, added, revised, unchanged)
