"""Valuation inputs: analyst figures from a CSV, and Yahoo's quote fields (trailing P/E, market cap).

No free machine-readable feed publishes index forward P/E or index weights, so
they come from a file the analyst keeps beside the report definition (one
dated row per figure, each with its source). Yahoo's ``trailingPE`` for ETFs is
read live through yfinance (the quoteSummary and quote endpoints, through
:class:`~generator.sources.yahoo.YahooSession`, so the same timeouts, proxy and
base URL apply), range-checked because it is sometimes nonsense, and recorded
in the manifest so a history builds up in the archive. Quotes describe today,
so they are used only for a briefing dated today. Whatever is unavailable
stays unavailable: the indicators then say "no data".
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from generator.errors import SpecError
from generator.model import QualityNote, SeriesData, Snapshot
from generator.sources.http import NetworkSettings, redact
from generator.spec import ReportSpec, ValuationInputSpec

log = logging.getLogger(__name__)

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


def _in_range(spec: ValuationInputSpec, value: float) -> bool:
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
        if not _in_range(analyst[input_id], value):
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


class QuoteSource(Protocol):
    """Live quote fields per symbol: ``{symbol: {field: value}}``, with a reason per symbol that failed."""

    def quote(self, symbols: Sequence[str]) -> tuple[dict[str, dict[str, float]], dict[str, str]]: ...


class YahooQuotes:
    """Yahoo's quote fields through yfinance's ``Ticker.info`` (quoteSummary + v7 quote) on our session."""

    def __init__(
        self,
        settings: NetworkSettings | None = None,
        base_url: str | None = None,
        session: Any | None = None,
        cache_dir: str | Path | None = None,
    ) -> None:
        from generator.sources.crumb import CRUMB_FILE, CrumbCache
        from generator.sources.yahoo import YahooSession

        self.settings = settings or NetworkSettings()
        crumbs = CrumbCache(Path(cache_dir) / CRUMB_FILE) if cache_dir is not None else None  # shared with prices
        self.session = session or YahooSession(self.settings, base_url=base_url, crumbs=crumbs)

    def quote(self, symbols: Sequence[str]) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
        import yfinance as yf

        got: dict[str, dict[str, float]] = {}
        failed: dict[str, str] = {}
        for i, symbol in enumerate(symbols):
            try:
                info = yf.Ticker(symbol, session=self.session).info or {}
            except Exception as exc:  # yfinance raises many kinds; one symbol's failure must not stop the rest
                if "DNS" in type(exc).__name__ or "resolve host" in str(exc):
                    # Every symbol asks the same host: say it once, plainly, and do not ask again.
                    failed.update(
                        dict.fromkeys(symbols[i:], "cannot resolve Yahoo's host (offline, or set BRIEFING_PROXY)")
                    )
                    break
                failed[symbol] = redact(f"{type(exc).__name__}: {exc}")[:200]
                continue
            fields = {k: float(v) for k, v in info.items() if isinstance(v, int | float) and not isinstance(v, bool)}
            if fields:
                got[symbol] = fields
            else:
                failed[symbol] = "no numeric quote fields in Yahoo's answer"
        return got, failed


def quote_series(
    spec: ReportSpec, quotes: QuoteSource, day: date, fetched_at: datetime
) -> tuple[dict[str, SeriesData], list[QualityNote]]:
    """One-observation series (dated ``day``) for each ``yahoo_quote`` input, range-checked."""
    wanted = {k: v for k, v in spec.valuation_inputs.items() if v.origin == "yahoo_quote"}
    if not wanted:
        return {}, []
    symbols = sorted({v.symbol for v in wanted.values() if v.symbol})
    got, failed = quotes.quote(symbols)
    out: dict[str, SeriesData] = {}
    notes: list[QualityNote] = []
    for input_id, vspec in wanted.items():
        assert vspec.symbol is not None and vspec.field is not None
        value = got.get(vspec.symbol, {}).get(vspec.field)
        if value is None:
            why = failed.get(vspec.symbol, f"no {vspec.field} in the quote")
            notes.append(QualityNote(input_id, "warning", f"Yahoo {vspec.symbol} {vspec.field}: {why}"))
            continue
        if not _in_range(vspec, value):
            low, high = vspec.valid_range or (0, 0)
            notes.append(
                QualityNote(
                    input_id,
                    "warning",
                    f"Yahoo {vspec.symbol} {vspec.field} = {value:g} is outside {low:g} to {high:g}: ignored as nonsense",
                )
            )
            continue
        said = f"Yahoo {vspec.symbol} {vspec.field} {value:g} on {day} ({vspec.basis})"
        values = pd.Series([value], index=pd.DatetimeIndex([pd.Timestamp(day)], name="date"))
        out[input_id] = SeriesData(input_id, values, "yahoo-quote", fetched_at=fetched_at, notes=(said,))
        notes.append(QualityNote(input_id, "info", said))
    return out, notes


def live_quotes(source: str, sources: object | None) -> QuoteSource | None:
    """The quote source a run may use: the one in ``sources`` if given, Yahoo from the environment for live modes."""
    if source not in ("auto", "live"):
        return None
    if sources is not None:
        return getattr(sources, "quotes", None)
    import os

    return YahooQuotes(NetworkSettings.from_env(), base_url=os.environ.get("BRIEFING_YAHOO_BASE_URL") or None)


def add_valuation_inputs(
    spec: ReportSpec,
    spec_path: Path,
    snapshot: Snapshot,
    quotes: QuoteSource | None = None,
    today: Callable[[], date] = lambda: datetime.now(UTC).date(),
) -> Snapshot:
    """The snapshot with the valuation inputs known on its date added as series (and notes on each)."""
    series: dict[str, SeriesData] = {}
    notes: list[QualityNote] = []
    if spec.valuation.analyst_file:
        path = spec_path.parent / spec.valuation.analyst_file
        if path.is_file():
            found, said = analyst_series(read_analyst_file(path, spec), snapshot.as_of)
            series.update(found)
            notes.extend(said)
        else:
            notes.append(
                QualityNote("*", "info", f"no analyst inputs file {path}: forward P/E and weights have no data")
            )
    if quotes is not None:
        if snapshot.as_of == today():
            found, said = quote_series(spec, quotes, snapshot.as_of, datetime.now(UTC).replace(microsecond=0))
            series.update(found)
            notes.extend(said)
        else:
            notes.append(
                QualityNote("*", "info", "live quotes (trailing P/E) describe today: not used for a past date")
            )
    if not series and not notes:
        return snapshot
    return replace(snapshot, series={**snapshot.series, **series}, quality=(*snapshot.quality, *notes))
