"""Valuation inputs: the analyst file, Yahoo's quote fields and fund data, and their stored snapshots.

No free machine-readable feed publishes index forward P/E or index weights, so
they come from a file the analyst keeps beside the report definition (see
:mod:`generator.sources.analyst`). What Yahoo does publish is read live through
yfinance, through :class:`~generator.sources.yahoo.YahooSession` (so the same
timeouts, proxy and base URL apply): quote fields such as an ETF's
``trailingPE`` (the quoteSummary and quote endpoints), and fund data, the
holdings' P/E and P/B and the top holdings' weights
(:mod:`generator.sources.yahoo_funds`). Both describe today: they are read only
for a briefing dated today, range-checked because they are sometimes nonsense,
and kept in the local store as dated snapshots, whose history every later
briefing reads point in time (:mod:`generator.sources.snapshots`). Whatever is
unavailable stays unavailable, with the reason in the data-quality box: the
indicators then say "no data".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from generator.model import QualityNote, SeriesData, Snapshot
from generator.sources.analyst import (
    COLUMNS,
    AnalystRow,
    analyst_series,
    check_analyst_file,
    in_range,
    read_analyst_file,
)
from generator.sources.http import redact
from generator.sources.snapshots import SnapshotStore, fresh_only, history, keep
from generator.sources.yahoo_client import YahooClient, unreachable
from generator.sources.yahoo_funds import FundSource, fund_series
from generator.spec import ReportSpec

log = logging.getLogger(__name__)

__all__ = [
    "COLUMNS",
    "AnalystRow",
    "FundSource",
    "QuoteSource",
    "SnapshotStore",
    "YahooQuotes",
    "add_valuation_inputs",
    "analyst_series",
    "quote_series",
    "read_analyst_file",
]


class QuoteSource(Protocol):
    """Live quote fields per symbol: ``{symbol: {field: value}}``, with a reason per symbol that failed."""

    def quote(self, symbols: Sequence[str]) -> tuple[dict[str, dict[str, float]], dict[str, str]]: ...


class YahooQuotes(YahooClient):
    """Yahoo's quote fields through yfinance's ``Ticker.info`` (quoteSummary + v7 quote) on our session."""

    def quote(self, symbols: Sequence[str]) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
        import yfinance as yf

        got: dict[str, dict[str, float]] = {}
        failed: dict[str, str] = {}
        for i, symbol in enumerate(symbols):
            try:
                info = yf.Ticker(symbol, session=self.session).info or {}
            except Exception as exc:  # yfinance raises many kinds; one symbol's failure must not stop the rest
                never_reached = unreachable(exc)
                if never_reached:  # every symbol asks the same host: say it once, plainly, and do not ask again
                    failed.update(dict.fromkeys(symbols[i:], never_reached))
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
        if not in_range(vspec, value):
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


def _live(
    spec: ReportSpec, day: date, quotes: QuoteSource | None, funds: FundSource | None
) -> tuple[dict[str, SeriesData], list[QualityNote]]:
    """Today's quote fields and fund data, asked for at the same time (their network waits overlap)."""
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    jobs: list[Callable[[], tuple[dict[str, SeriesData], list[QualityNote]]]] = []
    if quotes is not None:
        jobs.append(lambda: quote_series(spec, quotes, day, fetched_at))
    if funds is not None:
        jobs.append(lambda: fund_series(spec, funds, day, fetched_at))
    series: dict[str, SeriesData] = {}
    notes: list[QualityNote] = []
    with ThreadPoolExecutor(max_workers=max(1, len(jobs)), thread_name_prefix="valuation") as pool:
        for found, said in pool.map(lambda job: job(), jobs):
            series.update(found)
            notes.extend(said)
    return series, notes


def add_valuation_inputs(
    spec: ReportSpec,
    spec_path: Path,
    snapshot: Snapshot,
    quotes: QuoteSource | None = None,
    today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    *,
    funds: FundSource | None = None,
    store: SnapshotStore | None = None,
) -> Snapshot:
    """The snapshot with the valuation inputs known on its date added as series (and notes on each).

    ``quotes`` and ``funds`` are read only when the snapshot is dated
    ``today()``; what they return is kept in ``store`` (if any) as that day's
    snapshot, and each snapshotted input is then its stored history up to the
    snapshot's date. Never raises for missing or bad data: a problem (offline,
    an error from Yahoo, a value outside its range, a bad row of the analyst
    file, a store that cannot be written) is a note, and what it concerns is
    left out ("no data").
    """
    series: dict[str, SeriesData] = {}
    notes: list[QualityNote] = []
    if spec.valuation.analyst_file:
        path = spec_path.parent / spec.valuation.analyst_file
        if path.is_file():
            # A bad row is left out and said, not fatal: the briefing goes on with the good ones.
            rows, problems = check_analyst_file(path, spec, label=spec.valuation.analyst_file)
            notes.extend(QualityNote("*", "warning", f"analyst file: {p} (row ignored)") for p in problems)
            found, said = analyst_series(rows, snapshot.as_of)
            series.update(found)
            notes.extend(said)
        else:
            notes.append(
                QualityNote(
                    "*",
                    "info",
                    f"no analyst inputs file {spec.valuation.analyst_file}: forward P/E and weights have no data",
                )
            )
    fresh: dict[str, SeriesData] = {}
    if quotes is not None or funds is not None:
        if snapshot.as_of == today():
            fresh, said = _live(spec, snapshot.as_of, quotes, funds)
            notes.extend(said)
        else:
            notes.append(
                QualityNote(
                    "*",
                    "info",
                    (
                        "live quotes and fund data (trailing P/E, holdings' P/E and weights) describe today: "
                        "not used for a past date"
                        + ("; snapshots stored on or before it are" if store is not None else "")
                    ),
                )
            )
    if store is not None:
        notes.extend(keep(store, fresh))
        found, said = history(store, spec, snapshot.as_of, fresh)
        series.update(found)
        notes.extend(said)
    else:
        series.update(fresh_only(spec, fresh))
    if not series and not notes:
        return snapshot
    return replace(snapshot, series={**snapshot.series, **series}, quality=(*snapshot.quality, *notes))
