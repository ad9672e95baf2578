"""Yahoo's fund data through yfinance (``Ticker.funds_data``): holdings' P/E and P/B, top-holding weights.

yfinance reads it from Yahoo's quoteSummary endpoint
(``/v10/finance/quoteSummary/SYMBOL?modules=quoteType,summaryProfile,topHoldings,fundProfile``),
through our :class:`~generator.sources.yahoo.YahooSession`, so the same
timeouts, proxy, base URL and kept crumb apply as for prices. Two of its parts
are used:

* ``topHoldings.equityHoldings``: the fund's equity holdings' average
  price/earnings, price/book, price/sales and price/cash-flow. Yahoo has sent
  them in two forms: the ratio itself (QQQ's P/E 34.82 in a February 2021
  answer) and, more recently, its inverse, the earnings or book *yield* (QQQ's
  ``priceToEarnings`` 0.02938 in February 2025, i.e. P/E 34.04, next to a
  ``trailingPE`` of 34.29 in the same answer). yfinance passes the number on
  unchanged, so each value is read both ways and kept in the form that falls
  inside the input's ``valid_range``; a value that fits both ways or neither is
  rejected with a note. Zero is Yahoo's "not reported".
* ``topHoldings.holdings``: the top holdings (ten, for SPY) with their weights
  as fractions of the fund. An input sums the weights of its ``holdings``
  (e.g. GOOGL and GOOG); if one of them is not among the listed holdings the
  sum is not known, and is not guessed.

Fund data describe today: it is fetched only for a briefing dated today, and
snapshotted into the store (see :mod:`generator.sources.snapshots`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import pandas as pd

from generator.errors import TransientSourceError
from generator.model import QualityNote, SeriesData
from generator.sources.http import redact, retrying
from generator.sources.yahoo_client import YahooClient, unreachable
from generator.spec import FUND_RATIO_FIELDS, ReportSpec, ValuationInputSpec

log = logging.getLogger(__name__)

# yfinance's row labels in ``funds_data.equity_holdings``, by Yahoo's JSON key.
RATIO_ROWS = {
    "priceToEarnings": "Price/Earnings",
    "priceToBook": "Price/Book",
    "priceToSales": "Price/Sales",
    "priceToCashflow": "Price/Cashflow",
}


@dataclass(frozen=True)
class FundData:
    """What Yahoo says about one fund: its equity holdings' ratios as sent, and its top holdings' weights."""

    symbol: str
    quote_type: str
    ratios: dict[str, float]  # Yahoo's JSON key -> number as sent (maybe inverted: see the module docstring)
    holdings: dict[str, float]  # top holding's symbol -> weight, a fraction of the fund


class FundSource(Protocol):
    """Fund data per symbol, with a reason per symbol that failed."""

    def funds(self, symbols: Sequence[str]) -> tuple[dict[str, FundData], dict[str, str]]: ...


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool) or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _http_reason(exc: Exception) -> str | None:
    """``HTTP 404 from Yahoo: <Yahoo's own description>`` for an HTTP error raised by yfinance, else ``None``."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if not isinstance(status, int):
        return None
    said = ""
    try:
        error = (response.json().get("quoteSummary") or {}).get("error") or {}  # type: ignore[union-attr]
        said = str(error.get("description") or "")
    except Exception:  # not JSON: the status alone says enough
        said = ""
    return f"HTTP {status} from Yahoo" + (f": {said}" if said else "")


class YahooFunds(YahooClient):
    """Fund data through yfinance's ``Ticker.funds_data``, on our session; the funds are asked for at once."""

    def funds(self, symbols: Sequence[str]) -> tuple[dict[str, FundData], dict[str, str]]:
        got: dict[str, FundData] = {}
        failed: dict[str, str] = {}
        if not symbols:
            return got, failed
        # One request per fund; they wait on the network together (a live run gains no more than one round trip).
        with ThreadPoolExecutor(max_workers=len(symbols), thread_name_prefix="yahoo-funds") as pool:
            for symbol, (data, why) in zip(symbols, pool.map(self._one, symbols), strict=True):
                if data is not None:
                    got[symbol] = data
                else:
                    failed[symbol] = why
        return got, failed

    def _one(self, symbol: str) -> tuple[FundData | None, str]:
        """One fund; a 429, a 5xx or a timeout is retried with our backoff, anything else is final."""
        try:
            for attempt in retrying(self.settings, f"Yahoo fund data {symbol}"):
                with attempt:
                    return self._ask(symbol)
        except TransientSourceError as exc:
            return None, str(exc)
        return None, "no answer"  # not reached: the loop returns or raises

    def _ask(self, symbol: str) -> tuple[FundData | None, str]:
        import yfinance as yf

        try:
            fund = yf.Ticker(symbol, session=self.session).funds_data
            # The first property fetches and parses everything; the others are then read from memory.
            equity = fund.equity_holdings
            if equity is None:  # yfinance logged and swallowed a parse failure
                return None, "Yahoo's fund data could not be read (yfinance parsed nothing)"
            top = fund.top_holdings
            kind = str(fund.quote_type() or "")
        except Exception as exc:  # yfinance raises many kinds; one fund's failure must not stop the others
            name = type(exc).__name__
            never_reached = unreachable(exc)
            if never_reached:
                return None, never_reached
            reason = _http_reason(exc) or f"{name}: {exc}"
            if "No Fund data found" in str(exc):
                reason = "Yahoo has no fund data for it (not a fund?)"
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if "RateLimit" in name or status == 429 or (isinstance(status, int) and status >= 500) or "Timeout" in name:
                raise TransientSourceError(redact(reason)[:200]) from None
            return None, redact(reason)[:200]
        return self._read(symbol, kind, equity, top), ""

    @staticmethod
    def _read(symbol: str, kind: str, equity: object, top: object) -> FundData:
        ratios: dict[str, float] = {}
        if isinstance(equity, pd.DataFrame) and not equity.empty:
            column = equity.iloc[:, 0]  # the fund's own column; the second is its category's average
            for key, row in RATIO_ROWS.items():
                value = _number(column.get(row))
                if value is not None:
                    ratios[key] = value
        holdings: dict[str, float] = {}
        if isinstance(top, pd.DataFrame) and "Holding Percent" in top.columns:
            for held, weight in top["Holding Percent"].items():
                value = _number(weight)
                if value is not None:
                    holdings[str(held).upper()] = holdings.get(str(held).upper(), 0.0) + value
        return FundData(symbol, kind, ratios, holdings)


def _range_text(spec: ValuationInputSpec) -> str:
    low, high = spec.valid_range or (0.0, 0.0)
    return f"{low:g} to {high:g}"


def read_ratio(spec: ValuationInputSpec, raw: float | None) -> tuple[float | None, str]:
    """The ratio Yahoo meant by ``raw`` (sent as the ratio or as its inverse), or ``None`` and why not.

    ``raw`` is read as x and as 1/x; the reading inside ``valid_range`` is the
    value. None of them inside is nonsense, both inside is ambiguous: either way
    nothing is kept.
    """
    assert spec.valid_range is not None and spec.field is not None
    if raw is None or raw <= 0:
        return None, f"Yahoo reports no {spec.field} for {spec.symbol}" + ("" if raw is None else f" ({raw:g})")
    low, high = spec.valid_range
    readings = [v for v in (raw, 1.0 / raw) if low <= v <= high]
    what = f"Yahoo {spec.symbol} {spec.field} = {raw:g} (as sent {raw:g}x, inverted {1 / raw:.4g}x)"
    if not readings:
        return None, f"{what} is outside {_range_text(spec)} either way: ignored as nonsense"
    if len(readings) == 2:
        return None, f"{what} fits {_range_text(spec)} either way: ignored as ambiguous"
    return readings[0], ""


def read_weight(spec: ValuationInputSpec, fund: FundData) -> tuple[float | None, str]:
    """The summed weight of ``spec.holdings`` in the fund, or ``None`` and why not."""
    assert spec.holdings is not None
    wanted = [h.upper() for h in spec.holdings]
    absent = [h for h in wanted if h not in fund.holdings]
    if absent:
        return None, (
            f"{', '.join(absent)} not among the {len(fund.holdings)} top holdings Yahoo lists for {spec.symbol}: "
            "the weight is not known"
        )
    total = sum(fund.holdings[h] for h in wanted)
    low, high = spec.valid_range or (-math.inf, math.inf)
    if not low <= total <= high:
        return (
            None,
            f"Yahoo {spec.symbol} weight of {'+'.join(wanted)} = {total:.4g} is outside {_range_text(spec)}: ignored as nonsense",
        )
    return total, ""


def fund_series(
    spec: ReportSpec, funds: FundSource, day: date, fetched_at: datetime
) -> tuple[dict[str, SeriesData], list[QualityNote]]:
    """One-observation series (dated ``day``) for each ``yahoo_fund`` input, read and range-checked."""
    wanted = {k: v for k, v in spec.valuation_inputs.items() if v.origin == "yahoo_fund"}
    if not wanted:
        return {}, []
    symbols = sorted({v.symbol for v in wanted.values() if v.symbol})
    got, failed = funds.funds(symbols)
    out: dict[str, SeriesData] = {}
    notes: list[QualityNote] = []
    for input_id, vspec in wanted.items():
        assert vspec.symbol is not None and vspec.field is not None
        fund = got.get(vspec.symbol)
        if fund is None:
            why = failed.get(vspec.symbol, "no answer")
            notes.append(QualityNote(input_id, "warning", f"Yahoo fund data {vspec.symbol}: {why}"))
            continue
        if vspec.field in FUND_RATIO_FIELDS:
            value, why = read_ratio(vspec, fund.ratios.get(vspec.field))
        else:
            value, why = read_weight(vspec, fund)
        if value is None:
            notes.append(QualityNote(input_id, "warning", why))
            continue
        said = f"Yahoo fund data {vspec.symbol} {vspec.field} {value:.4g} on {day} ({vspec.basis})"
        values = pd.Series([value], index=pd.DatetimeIndex([pd.Timestamp(day)], name="date"))
        out[input_id] = SeriesData(input_id, values, "yahoo-fund", fetched_at=fetched_at, notes=(said,))
        notes.append(QualityNote(input_id, "info", said))
    return out, notes
