"""Yahoo- and FRED-shaped services with deterministic histories for any ticker or series id.

They answer for the dates asked (Yahoo's ``period1``/``period2``, FRED's
``cosd``/``coed`` or ``observation_start``/``observation_end``) like the real
services, in their wire formats: Yahoo's chart JSON (built on a recorded
response), FRED's key-less ``fredgraph.csv`` and the API's observations XML.
The providers reach them through their configurable base URL and roots, so
their real code (yfinance included) runs end to end.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd

from bench.support.loopback import Loopback, Reply
from generator.spec import SeriesSpec

CHART_TEMPLATE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "yahoo" / "chart-IWM-2025-10.json"
CRUMB = "lBVv2pgWbZ4"  # the crumb in the recorded getcrumb response
FRED_STEP = {"daily": "B", "weekly": "W-FRI", "monthly": "MS", "quarterly": "QS"}


class Market:
    """Deterministic histories for any symbol; ``factor`` scales adjusted closes (a dividend re-bases them).

    ``series``: the report's series (frequency and publication lag of FRED ids).
    ``latency``: seconds each answer waits (on the server's request thread).
    ``fail``: symbol or series id -> HTTP status to answer with.
    ``crumb``: the crumb ``getcrumb`` issues; with ``check_crumb`` a chart request carrying any other
    crumb is refused with 401 "Invalid Crumb", as Yahoo refuses a crumb it no longer honours.
    """

    def __init__(
        self,
        series: Mapping[str, SeriesSpec],
        *,
        first: str = "2012-01-02",
        last: str = "2026-12-31",
        macro_first: str = "2012-01-01",
        today: str = "2026-11-20",
        latency: float = 0.0,
    ) -> None:
        self.series = series
        self.calendar = pd.bdate_range(first, last)
        self.macro_first, self.today = pd.Timestamp(macro_first), pd.Timestamp(today)
        self.latency = latency
        self.factor = 0.98
        self.fail: dict[str, int] = {}
        self.crumb = CRUMB
        self.check_crumb = False
        self.template = json.loads(CHART_TEMPLATE.read_text(encoding="utf-8"))
        self._cache: dict[tuple[Any, ...], str] = {}
        self._cache_lock = threading.Lock()

    def serve(self, loopback: Loopback) -> None:
        """Route Yahoo's crumb and chart endpoints and FRED's CSV and observations on ``loopback``."""
        loopback.route("/", self.cookie, exact=True)
        loopback.route("/v1/test/getcrumb", self.getcrumb)
        loopback.route("/v8/finance/chart/", self.chart)
        loopback.route("/graph/fredgraph.csv", self.fredgraph)
        loopback.route("/fred/series/observations", self.observations)

    # ------------------------------------------------------------ values

    def closes(self, symbol: str) -> pd.Series:
        rng = np.random.default_rng(zlib.crc32(symbol.encode()))
        steps = rng.normal(0.0003, 0.01, len(self.calendar))
        return pd.Series(50.0 + 50.0 * np.exp(np.cumsum(steps)), index=self.calendar).round(4)

    def macro(self, sid: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
        """A FRED series' observations published by ``end``, dated from ``start`` (its declared lag applies)."""
        spec = self.series[sid]
        days = pd.date_range(self.macro_first, self.today, freq=FRED_STEP[spec.frequency])
        lag = pd.Timedelta(days=spec.publication_lag_days)
        days = days[(days >= start) & (days + lag <= end + lag)]
        rng = np.random.default_rng(zlib.crc32(sid.encode()))
        return pd.Series(np.round(2 + np.cumsum(rng.normal(0, 0.02, len(days))), 3), index=days)

    def _cached(self, key: tuple[Any, ...], build: Any) -> str:
        with self._cache_lock:
            body = self._cache.get(key)
        if body is None:
            body = build()
            with self._cache_lock:
                self._cache[key] = body
        return body

    # ------------------------------------------------------------ endpoints

    def _wait(self) -> None:
        if self.latency:
            time.sleep(self.latency)

    def cookie(self, path: str, query: dict[str, str]) -> Reply:
        """fc.yahoo.com: a 404 that sets the A3 session cookie yfinance keeps (reached as ``yahoo.localhost``)."""
        self._wait()
        expires = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=365)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        cookie = f"A3=d=AQABBBENCHMARK&S=AQAAAbench; Expires={expires}; Max-Age=31557600; Path=/; HttpOnly"
        return 404, {"Content-Type": "text/html", "Set-Cookie": cookie}, "<html>Not Found</html>"

    def getcrumb(self, path: str, query: dict[str, str]) -> Reply:
        self._wait()
        return 200, {"Content-Type": "text/plain"}, self.crumb

    def chart(self, path: str, query: dict[str, str]) -> Reply:
        self._wait()
        if self.check_crumb and query.get("crumb") != self.crumb:
            refused = {"chart": {"result": None, "error": {"code": "Unauthorized", "description": "Invalid Crumb"}}}
            return 401, {"Content-Type": "application/json"}, json.dumps(refused)
        symbol = unquote(path.rsplit("/", 1)[-1])
        if symbol in self.fail:
            return self.fail[symbol], {"Content-Type": "text/plain"}, "error"
        key = ("chart", symbol, query.get("period1"), query.get("period2"), self.factor)
        return 200, {"Content-Type": "application/json"}, self._cached(key, lambda: self._chart(symbol, query))

    def _chart(self, symbol: str, query: dict[str, str]) -> str:
        closes = self.closes(symbol)
        if "period1" in query:
            lo = pd.Timestamp(int(query["period1"]), unit="s").normalize()
            hi = pd.Timestamp(int(query["period2"]), unit="s")
            closes = closes[(closes.index >= lo) & (closes.index < hi)]
        else:  # yfinance's time-zone probe (range=1d): the latest bar
            closes = closes[closes.index <= self.today].iloc[-1:]
        body = json.loads(json.dumps(self.template))
        result = body["chart"]["result"][0]
        result["meta"]["symbol"] = symbol
        result["timestamp"] = [int((d + pd.Timedelta(hours=14, minutes=30)).timestamp()) for d in closes.index]
        values = [float(v) for v in closes]
        result["indicators"]["quote"] = [{"open": values, "high": values, "low": values, "close": values,
                                          "volume": [1_000_000] * len(values)}]
        result["indicators"]["adjclose"] = [{"adjclose": [round(v * self.factor, 6) for v in values]}]
        return json.dumps(body)

    def fredgraph(self, path: str, query: dict[str, str]) -> Reply:
        self._wait()
        sid = query["id"]
        if sid in self.fail:
            return self.fail[sid], {"Content-Type": "text/html"}, "<html>error</html>"
        key = ("csv", sid, query["cosd"], query["coed"])

        def build() -> str:
            values = self.macro(sid, pd.Timestamp(query["cosd"]), pd.Timestamp(query["coed"]))
            lines = ["observation_date," + sid] + [f"{d.date()},{v}" for d, v in values.items()]
            return "\n".join(lines) + "\n"

        return 200, {"Content-Type": "text/csv"}, self._cached(key, build)

    def observations(self, path: str, query: dict[str, str]) -> Reply:
        """FRED's ``series/observations`` XML (the latest release: realtime dates are today)."""
        self._wait()
        sid = query.get("series_id", "")
        if sid in self.fail:
            return self.fail[sid], {"Content-Type": "text/xml"}, '<error code="500" message="Internal error"/>'
        start = pd.Timestamp(query.get("observation_start") or self.macro_first)
        end = pd.Timestamp(query.get("observation_end") or self.today)
        key = ("xml", sid, start, end)

        def build() -> str:
            values = self.macro(sid, start, end)
            now = self.today.date().isoformat()
            rows = "\n".join(f'  <observation realtime_start="{now}" realtime_end="{now}" date="{d.date()}" '
                             f'value="{v}"/>' for d, v in values.items())
            return ('<?xml version="1.0" encoding="utf-8" ?>\n'
                    f'<observations realtime_start="{now}" realtime_end="{now}" count="{len(values)}" offset="0" '
                    f'limit="100000">\n{rows}\n</observations>\n')

        return 200, {"Content-Type": "text/xml; charset=UTF-8"}, self._cached(key, build)
