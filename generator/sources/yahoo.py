"""Yahoo Finance through yfinance: daily adjusted closes (or close, or volume) for all tickers at once.

Why the session is ours: yfinance talks to Yahoo through a ``curl_cffi``
session (browser TLS fingerprint, which Yahoo expects). :class:`YahooSession`
is such a session, so yfinance works unchanged, but it also

* caps every request's timeout at ours (yfinance hard-codes 10 to 30 s for
  its cookie, crumb and time-zone requests);
* carries the configured proxy;
* can send Yahoo's hosts to another base URL (a mirror, a corporate gateway,
  or a recorded-response server in the tests);
* remembers how each ticker's chart request ended (status or network error),
  because ``yf.download`` swallows per-ticker errors into log lines. That is
  how a 429, a 5xx or a timeout is told apart from "no such ticker", so only
  the former are retried, with our backoff (yfinance's own retry setting
  covers neither 429 nor ``YFRateLimitError``).
"""

from __future__ import annotations

import copy
import logging
import math
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import yfinance as yf
from curl_cffi import requests as curl_requests
from yfinance.exceptions import YFRateLimitError

from generator.errors import RateLimitError, SourceError, TransientSourceError
from generator.model import SeriesData
from generator.sources.base import FetchResult, Ready
from generator.sources.crumb import CRUMB_FILE, CrumbCache, cookie_fingerprint
from generator.sources.http import NetworkSettings, redact, retrying
from generator.sources.partial import live_partial
from generator.sources.validate import between, check_series, rejections_between
from generator.spec import SeriesSpec

log = logging.getLogger(__name__)

YAHOO_HOSTS = (
    "https://query1.finance.yahoo.com",
    "https://query2.finance.yahoo.com",
    "https://fc.yahoo.com",
    "https://guce.yahoo.com",
    "https://consent.yahoo.com",
)
COLUMN_FOR_FIELD = {"adjclose": "Adj Close", "close": "Close", "volume": "Volume", "value": "Adj Close"}
_CHART = re.compile(r"/v8/finance/chart/([^/?#]+)")
_CRUMB_PATH = "/v1/test/getcrumb"
_TRANSIENT_ERRORS = ("Timeout", "ConnectionError", "ConnectTimeout", "ReadTimeout", "ProxyError", "SSLError")


class YahooSession(curl_requests.Session):
    """The curl_cffi session yfinance uses, with our timeout cap, proxy, optional base URL and bookkeeping."""

    def __init__(
        self,
        settings: NetworkSettings | None = None,
        base_url: str | None = None,
        crumbs: CrumbCache | None = None,
        **kwargs: Any,
    ) -> None:
        quiet_yfinance_warnings()  # before any thread of the run starts: see there
        self.settings = settings or NetworkSettings()
        kwargs.setdefault("impersonate", "chrome")
        if self.settings.proxies:
            kwargs.setdefault("proxies", self.settings.proxies)
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.crumbs = crumbs  # the crumb kept from an earlier run (see sources/crumb.py)
        self._outcomes: dict[str, int | str] = {}
        self._outcome_lock = threading.Lock()
        # Hosts that did not resolve in this round: offline, every further request would wait for DNS again.
        self._unresolved: dict[str, BaseException] = {}

    def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        asked = kwargs.get("timeout")
        limit = self.settings.timeout
        kwargs["timeout"] = limit if not isinstance(asked, int | float) or asked <= 0 else min(asked, limit)
        if self.base_url:
            for host in YAHOO_HOSTS:
                if url.startswith(host):
                    url = self.base_url + (url[len(host) :] or "/")
                    break
        found = _CHART.search(url)
        symbol = unquote(found.group(1)).upper() if found else None
        parts = urlsplit(url)
        host = parts.hostname or ""
        known_failure = self._unresolved.get(host)
        if known_failure is not None:
            if symbol:
                self._note(symbol, type(known_failure).__name__)
            raise copy.copy(known_failure)
        asks_crumb = self.crumbs is not None and parts.path.endswith(_CRUMB_PATH) and str(method).upper() == "GET"
        cookies = self._cookie_fingerprint() if asks_crumb else None
        if asks_crumb and self.crumbs is not None:
            kept = self.crumbs.get(cookies)
            if kept is not None:
                return _answer(url, kept)
        try:
            response = super().request(method, url, *args, **kwargs)
        except Exception as exc:
            if symbol:
                self._note(symbol, type(exc).__name__)
            if "DNS" in type(exc).__name__ or "resolve host" in str(exc):
                self._unresolved[host] = exc
            raise
        if symbol:
            self._note(symbol, int(response.status_code))
        if self.crumbs is not None:
            if asks_crumb and response.status_code == 200:
                self.crumbs.put(response.text.strip(), cookies)
            sent = (kwargs.get("params") or {}).get("crumb") if isinstance(kwargs.get("params"), dict) else None
            if response.status_code == 401 and sent:
                self.crumbs.drop(sent)  # Yahoo no longer takes it: yfinance's retry asks for a new one
        return response

    def _cookie_fingerprint(self) -> str | None:
        """The cookies this session would send, as :func:`cookie_fingerprint`."""
        return cookie_fingerprint((c.domain, c.name, c.value or "") for c in list(self.cookies.jar))

    def _note(self, symbol: str, outcome: int | str) -> None:
        with self._outcome_lock:
            self._outcomes[symbol] = outcome

    def outcome(self, symbol: str) -> int | str | None:
        """How the last chart request for ``symbol`` ended: an HTTP status or an exception class name."""
        with self._outcome_lock:
            return self._outcomes.get(symbol.upper())

    def forget(self, symbols: Sequence[str]) -> None:
        """Start a new round: clear these symbols' outcomes and the unresolved-host latch."""
        self._unresolved.clear()
        with self._outcome_lock:
            for symbol in symbols:
                self._outcomes.pop(symbol.upper(), None)


def quiet_yfinance_warnings() -> None:
    """Ignore warnings raised from yfinance's modules (its pandas deprecations are not ours to show or fail on).

    Installed for the whole process, once the session exists, and never
    removed: ``warnings.catch_warnings()`` is not thread-safe. It saves the
    process-wide filter list on entry and puts that list back on exit, and
    pandas and pyarrow wrap hundreds of small operations in it, on the store
    and FRED threads that run while Yahoo's download is out. A filter added only
    for the download's duration (as this module once did) was dropped whenever
    such a block had been entered before the download began and was left
    during it: yfinance's warnings then reached the console, and under
    ``-W error`` (the test suite) every ticker parsed after that moment failed
    with a ``Pandas4Warning`` and fell back to stale stored data. A filter that
    is in place before those threads start is in every list they save, so
    none of them can drop it. Idempotent: ``filterwarnings`` replaces an equal
    filter rather than adding a second one.
    """
    warnings.filterwarnings("ignore", module=r"yfinance(\.|$)")


def _answer(url: str, crumb: str) -> curl_requests.Response:
    """The getcrumb response, answered from the crumb kept for the cookies about to be sent."""
    response = curl_requests.Response()
    response.url, response.status_code, response.reason, response.ok = url, 200, "OK", True
    response.headers["Content-Type"] = "text/plain;charset=utf-8"
    response.content = crumb.encode("utf-8")
    return response


class _ErrorLog(logging.Handler):
    """Collects yfinance's per-ticker error lines during one download (it logs instead of raising)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def about(self, symbol: str) -> str | None:
        quoted = f"'{symbol}'"
        for line in self.lines:
            if quoted in line or line.startswith(f"${symbol}:"):
                return line.split(": ", 1)[-1].strip()
        return None


@dataclass
class _Batch:
    """State carried across retry rounds: what is still to fetch and why the rest failed."""

    pending: set[str]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def open_yfinance_caches() -> None:
    """Open yfinance's SQLite caches (time zones, cookie) in this thread, before its download threads do.

    yfinance opens each cache on first use, from whichever thread gets there;
    several download threads opening a new cache file at once (switching it to
    WAL, creating its table) can fail with "database is locked", and the ticker
    that lost the race fails (it is also retried: see ``_reason``). Opened once
    here, the threads only read and write.
    """
    from yfinance import cache

    for get in (cache.get_tz_cache, cache.get_cookie_cache):
        opened = get()
        if getattr(opened, "initialised", None) == -1:
            opened.initialise()


class YahooProvider:
    """Daily series from Yahoo Finance, all tickers in one ``yf.download`` call per round.

    Up to ``max_workers`` tickers are fetched at once (yfinance's own default is
    two per CPU core, which a laptop with 16 threads reaches too); each costs one
    chart request, plus a time-zone probe the first time a ticker is seen
    (yfinance caches time zones and the session cookie in ``cache_dir``; the
    crumb is kept there too, see :mod:`generator.sources.crumb`, so a run with
    a known cookie makes no request before the charts).
    """

    name = "yahoo"
    streams = True  # see sources/base.py

    def __init__(
        self,
        settings: NetworkSettings | None = None,
        *,
        session: YahooSession | None = None,
        base_url: str | None = None,
        cache_dir: str | Path | None = None,
        max_workers: int = 32,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings or NetworkSettings()
        self.now = now or (lambda: datetime.now(UTC))  # the fetch time, which says whether today's bar is final
        crumbs = CrumbCache(Path(cache_dir) / CRUMB_FILE) if cache_dir is not None else None
        self.session = session or YahooSession(self.settings, base_url=base_url, crumbs=crumbs)
        self.max_workers = max(1, max_workers)
        if cache_dir is not None:
            # yfinance keeps ticker time zones and cookies in SQLite files; keep them with our data.
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(cache_dir))  # sets the cookie cache folder too

    def fetch(self, specs: Sequence[SeriesSpec], start: date, end: date, ready: Ready | None = None) -> FetchResult:
        """All tickers in one batch; ``ready`` (if given) gets each series as soon as it is built from it."""
        if not specs:
            return FetchResult()
        quiet_yfinance_warnings()  # again, in case the filters were reset since the session was made
        symbols = sorted({s.provider_symbol.upper() for s in specs})
        batch = _Batch(pending=set(symbols))
        try:
            with _download_lock:  # yfinance keeps process-wide state (session, caches, logger): one batch at a time
                open_yfinance_caches()
                for attempt in retrying(self.settings, f"Yahoo ({len(symbols)} tickers)"):
                    with attempt:
                        self._round(batch, start, end)
        except TransientSourceError:
            pass  # what is still pending has its reason in batch.reasons
        series: dict[str, SeriesData] = {}
        failures: dict[str, str] = {}
        fetched = self.now()
        for spec in specs:
            symbol = spec.provider_symbol.upper()
            frame = batch.frames.get(symbol)
            if frame is None:
                failures[spec.id] = batch.reasons.get(symbol, "no data returned")
                continue
            try:
                series[spec.id] = self._series(spec, frame, start, end, fetched)
            except SourceError as exc:
                failures[spec.id] = str(exc).removeprefix(f"Yahoo {spec.provider_symbol}: ")
                continue
            if ready is not None:
                ready(series[spec.id])
        return FetchResult(series, failures)

    def _round(self, batch: _Batch, start: date, end: date) -> None:
        symbols = sorted(batch.pending)
        self.session.forget(symbols)
        yf.data.YfData.cache_get.cache_clear()  # a cached error response must not answer a retry
        errors = _ErrorLog()
        yf_logger = logging.getLogger("yfinance")
        yf_logger.addHandler(errors)
        # yfinance logs each failed ticker at ERROR; we report failures ourselves (data-quality box,
        # console), so its lines are kept out of the user's console and logged here at DEBUG instead.
        propagate, yf_logger.propagate = yf_logger.propagate, False
        frame: pd.DataFrame | None = None
        failure: str | None = None
        try:
            frame = self._download(symbols, start, end)
        except YFRateLimitError:
            failure = "rate limited (YFRateLimitError)"
        except Exception as exc:  # yfinance failing as a whole: every ticker of the round fails with it
            failure = f"yfinance failed: {type(exc).__name__}: {redact(exc)}"
        finally:
            yf_logger.removeHandler(errors)
            yf_logger.propagate = propagate
        for line in errors.lines:
            log.debug("yfinance: %s", redact(line))
        transient: list[str] = []
        rate_limited = False
        by_ticker = _by_ticker(frame)
        for symbol in symbols:
            data = by_ticker.get(symbol)
            if data is not None:
                batch.frames[symbol] = data
                batch.pending.discard(symbol)
                batch.reasons.pop(symbol, None)
                continue
            reason, is_transient, is_429 = self._classify(symbol, failure, errors)
            batch.reasons[symbol] = reason
            if is_transient:
                transient.append(symbol)
                rate_limited = rate_limited or is_429
            else:
                batch.pending.discard(symbol)
        if transient:
            message = f"Yahoo: {', '.join(transient)}: {batch.reasons[transient[0]]}"
            raise RateLimitError(message) if rate_limited else TransientSourceError(message)

    def _download(self, symbols: list[str], start: date, end: date) -> pd.DataFrame:
        threads = min(self.max_workers, len(symbols))
        _use_thread_pool(threads)
        return yf.download(
            symbols,
            start=start.isoformat(),
            end=(end + timedelta(days=1)).isoformat(),  # yfinance's end is exclusive
            interval="1d",
            auto_adjust=False,
            actions=False,
            repair=False,
            keepna=False,
            progress=False,
            threads=threads,
            timeout=self.settings.timeout,
            session=self.session,
            group_by="column",
            multi_level_index=True,
        )

    def _classify(self, symbol: str, failure: str | None, errors: _ErrorLog) -> tuple[str, bool, bool]:
        """Reason text, whether to retry, and whether it was a rate limit."""
        if failure is not None:
            return failure, "rate limited" in failure, "rate limited" in failure
        outcome = self.session.outcome(symbol)
        said = errors.about(symbol)
        if outcome == 429 or (said and "RateLimit" in said):
            return "HTTP 429 Too Many Requests (rate limited)", True, True
        if isinstance(outcome, int) and outcome >= 500:
            return f"HTTP {outcome} from Yahoo", True, False
        if isinstance(outcome, str):
            if outcome in _TRANSIENT_ERRORS or "Timeout" in outcome:
                text = (f"timed out after {self.settings.timeout:g}s" if "Timeout" in outcome
                        else "could not connect to Yahoo (refused or reset; offline, or set BRIEFING_PROXY)"
                        if outcome == "ConnectionError" else outcome)
                return text, True, False
            if "DNS" in outcome:
                return "cannot resolve Yahoo's host (offline, or set BRIEFING_PROXY)", False, False
            return f"request failed: {outcome}", False, False
        if isinstance(outcome, int) and outcome >= 400:
            return f"HTTP {outcome} from Yahoo" + (f": {said}" if said else ""), False, False
        if said and "database is locked" in said:  # yfinance's SQLite cache, busy with another thread: transient
            return f"yfinance: {redact(said)[:200]}", True, False
        if said:
            return f"yfinance: {redact(said)[:200]}", False, False
        return "no data returned (empty response)", False, False

    def _series(self, spec: SeriesSpec, frame: pd.DataFrame, start: date, end: date, fetched: datetime) -> SeriesData:
        column = COLUMN_FOR_FIELD[spec.field]
        if column not in frame.columns:
            raise SourceError(f"Yahoo {spec.provider_symbol}: response has no '{column}' values")
        raw = frame[column]
        checked = check_series(spec, raw)
        if checked.values is None:
            raise SourceError(f"Yahoo {spec.provider_symbol}: {checked.rejected}")
        values = between(checked.values, start, end)
        notes = checked.notes
        partial = live_partial(values.index[-1].date(), fetched) if not values.empty else None
        if partial is not None:  # today's bar before the close: a quote, never stored or shown as a close
            values = values.iloc[:-1]
            notes = (*notes, f"{partial.day} bar left out as partial: {partial.reason}")
        if values.empty:
            raise SourceError(f"Yahoo {spec.provider_symbol}: no observations between {start} and {end}")
        return SeriesData(spec.id, values, "yahoo", fetched, notes=notes,
                          rejected=rejections_between(checked.rejections, start, end))


_download_lock = threading.Lock()
_pool_lock = threading.Lock()
_pool_size: int | None = None


def _use_thread_pool(threads: int) -> None:
    """Make ``yf.download(threads=N)`` really run N tickers at once.

    yfinance passes N to ``multitasking.set_max_threads``, which only sizes pools
    created later; its task pool was created at import with one thread per CPU
    core, so on a 2-core machine tickers went two at a time whatever N was.
    A pool of the wanted size (made the active one) fixes that.
    """
    global _pool_size
    tasks = getattr(yf.multi, "_multitasking", None)  # the module yfinance schedules with, if it still does
    with _pool_lock:
        if tasks is not None and _pool_size != threads:
            tasks.createPool("macro-briefing-yahoo", threads=max(threads, 2))
            _pool_size = threads


def _by_ticker(frame: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Each ticker's columns from ``yf.download``'s (Price, Ticker) frame, rows without any value dropped.

    A ticker without a single finite value is left out. The frame is converted to one float array once
    (rather than a cross-section and ``dropna`` per ticker): this runs after the download, when nothing
    else is left to overlap with it.
    """
    if frame is None or frame.empty or not isinstance(frame.columns, pd.MultiIndex):
        return {}
    prices = frame.columns.get_level_values("Price")
    tickers = np.asarray(frame.columns.get_level_values("Ticker"), dtype=object)
    try:
        values = frame.to_numpy(dtype="float64")
    except (TypeError, ValueError):  # a column that is not a number (never seen): one ticker at a time
        return {t: data for t in dict.fromkeys(tickers) if (data := _columns(frame, t)) is not None}
    out: dict[str, pd.DataFrame] = {}
    for ticker in dict.fromkeys(tickers):
        cols = np.flatnonzero(tickers == ticker)
        block = values[:, cols]
        rows = ~np.isnan(block).all(axis=1)
        if rows.any() and np.isfinite(block[rows]).any():
            out[ticker] = pd.DataFrame(block[rows], index=frame.index[rows], columns=prices[cols])
    return out


def _columns(frame: pd.DataFrame | None, symbol: str) -> pd.DataFrame | None:
    """One ticker's columns from ``yf.download``'s (Price, Ticker) frame; ``None`` when it has no values."""
    if frame is None or frame.empty or not isinstance(frame.columns, pd.MultiIndex):
        return None
    if symbol not in frame.columns.get_level_values("Ticker"):
        return None
    data = frame.xs(symbol, axis=1, level="Ticker").dropna(how="all")
    if data.empty or not any(math.isfinite(v) for v in data.to_numpy(dtype="float64").ravel()):
        return None
    return data
