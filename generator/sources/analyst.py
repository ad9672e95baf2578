"""The analyst file: dated figures no free feed publishes (index forward P/E, index weights), each with its source.

One row per figure (``input,date,value,source,note``) in a CSV beside the
report definition; an input is one of ``[valuation_inputs]`` with
``origin = "analyst"``. A figure is used only by briefings dated on or after
its date.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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


def read_analyst_file(path: Path, spec: ReportSpec) -> list[AnalystRow]:
    """Parse and check the analyst file; one :class:`SpecError` lists every bad row as ``file:line: column: ...``."""
    text = path.read_text(encoding="utf-8")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        return []
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    header = [h.strip() for h in next(reader)]
    if tuple(header) != COLUMNS:
        raise SpecError(f"{path}:{lines[0][0]}: header: expected {','.join(COLUMNS)}, got {','.join(header)}")
    analyst = {k: v for k, v in spec.valuation_inputs.items() if v.origin == "analyst"}
    rows: list[AnalystRow] = []
    problems: list[str] = []
    for (lineno, _), cells in zip(lines[1:], reader, strict=True):
        where = f"{path}:{lineno}"
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
