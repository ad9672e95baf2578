"""Yahoo provider: the real yfinance code path against Yahoo's chart API served on 127.0.0.1.

The provider's session sends Yahoo's hosts to the loopback base URL, so
yfinance runs unchanged: cookie, crumb, time-zone probe, chart request,
parsing. Responses are real recorded chart JSON (../shared/data/wire/yahoo/)
or ones written in the same format (tests/fixtures/yahoo/).
"""

from __future__ import annotations

import copy
import json
import threading
import time
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pandas as pd
import pytest

from generator.sources.http import NetworkSettings
from generator.sources.yahoo import YahooProvider, YahooSession
from generator.spec import SeriesSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yahoo"
FAST = NetworkSettings(timeout=1.0, retries=2, backoff=0.001, backoff_max=0.005)
JSON = {"Content-Type": "application/json;charset=utf-8"}
CRUMB = "lBVv2pgWbZ4"  # the crumb in the recorded getcrumb response
Reply = tuple[int, dict[str, str], Any]


def spec(sid: str, field: str = "adjclose", symbol: str | None = None, kind: str = "price") -> SeriesSpec:
    return SeriesSpec(
        id=sid,
        provider="yahoo",
        symbol=symbol,
        label=sid,
        frequency="daily",
        kind=kind,
        unit="USD",
        field=field,
        max_staleness_days=5,
    )  # type: ignore[arg-type]


def iwm_body(symbol: str = "IWM", scale: float = 1.0) -> dict[str, Any]:
    body = json.loads((FIXTURES / "chart-IWM-2025-10.json").read_text(encoding="utf-8"))
    result = body["chart"]["result"][0]
    result["meta"]["symbol"] = symbol
    quote = result["indicators"]["quote"][0]
    for key in ("open", "high", "low", "close"):
        quote[key] = [round(v * scale, 2) for v in quote[key]]
    result["indicators"]["adjclose"][0]["adjclose"] = [
        round(v * scale, 6) for v in result["indicators"]["adjclose"][0]["adjclose"]
    ]
    return body


def recorded(shared: Path, name: str) -> dict[str, Any]:
    """The body of a node-yahoo-finance2 recording (stored parsed, under ``bodyJson``)."""
    wrapper = json.loads((shared / "wire" / "yahoo" / "node-yahoo-finance2" / name).read_text(encoding="utf-8"))
    assert wrapper["response"]["status"] == 200
    return wrapper["response"]["bodyJson"]


def serve(loopback, charts: dict[str, Callable[[dict[str, str]], Reply] | dict[str, Any]]) -> None:  # type: ignore[no-untyped-def]
    """Route Yahoo's endpoints: the crumb, and each symbol's chart (a body, or a function of the query)."""
    loopback.route("/v1/test/getcrumb", lambda p, q: (200, {"Content-Type": "text/plain;charset=utf-8"}, CRUMB))

    def chart(path: str, query: dict[str, str]) -> Reply:
        symbol = unquote(path.rsplit("/", 1)[-1])
        answer = charts.get(symbol)
        if answer is None:
            return (
                404,
                JSON,
                json.dumps(
                    {
                        "chart": {
                            "result": None,
                            "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
                        }
                    }
                ),
            )
        if callable(answer):
            return answer(query)
        return 200, JSON, json.dumps(answer)

    loopback.route("/v8/finance/chart/", chart)


@pytest.fixture
def make_provider(loopback, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(settings: NetworkSettings = FAST) -> YahooProvider:
        return YahooProvider(settings, base_url=loopback.url, cache_dir=tmp_path / "yfinance")

    return make


OCT = (date(2025, 10, 1), date(2025, 10, 31))


# ---------------------------------------------------------------- happy paths


def test_recorded_chart_responses_in_one_batch(loopback, make_provider, shared_data: Path) -> None:
    aapl = recorded(shared_data, "chart-AAPL-2020-08-31-to-2020-11-07.json")
    msft = recorded(shared_data, "historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.csv.json")
    serve(loopback, {"AAPL": aapl, "MSFT": msft})
    result = make_provider().fetch([spec("AAPL"), spec("MSFT")], date(2020, 8, 1), date(2022, 1, 31))

    assert result.failures == {}
    for sid, body in (("AAPL", aapl), ("MSFT", msft)):
        raw = body["chart"]["result"][0]
        stamps = pd.to_datetime(raw["timestamp"], unit="s", utc=True).tz_convert("America/New_York")
        expected = pd.Series(raw["indicators"]["adjclose"][0]["adjclose"], index=stamps.tz_localize(None).normalize())
        data = result.series[sid]
        assert data.source == "yahoo"
        pd.testing.assert_series_equal(
            data.values, expected.astype("float64"), check_names=False, check_index_type=False, check_freq=False
        )
    history = [q for p, q in loopback.requests if p.startswith("/v8/finance/chart/") and "period1" in q]
    assert len(history) == 2 and all(q["crumb"] == CRUMB and q["interval"] == "1d" for q in history)


def test_fields_close_volume_and_index_symbol(loopback, make_provider) -> None:
    serve(loopback, {"IWM": iwm_body(), "^VIX": iwm_body("^VIX", scale=0.07)})
    specs = [spec("IWM"), spec("IWM_VOLUME", "volume", "IWM", "level"), spec("VIX", "close", "^VIX", "index")]
    result = make_provider().fetch(specs, *OCT)

    assert result.failures == {}
    raw = iwm_body()["chart"]["result"][0]["indicators"]
    assert list(result.series["IWM"].values) == raw["adjclose"][0]["adjclose"]
    assert list(result.series["IWM_VOLUME"].values) == [float(v) for v in raw["quote"][0]["volume"]]
    assert result.series["VIX"].values.iloc[0] == round(241.52 * 0.07, 2)
    assert result.series["IWM"].last_date == date(2025, 10, 31)


def test_window_is_cut_to_the_requested_dates(loopback, make_provider) -> None:
    serve(loopback, {"IWM": iwm_body()})
    data = make_provider().fetch([spec("IWM")], date(2025, 10, 6), date(2025, 10, 17)).series["IWM"]
    assert data.first_date == date(2025, 10, 6) and data.last_date == date(2025, 10, 17)


# ---------------------------------------------------------------- faults


def test_429_then_success(loopback, make_provider) -> None:
    seen: list[int] = []

    def limited(query: dict[str, str]) -> Reply:
        seen.append(1)
        if len(seen) <= 2:
            return 429, {"Content-Type": "text/html;charset=utf-8"}, "Too Many Requests\r\n"
        return 200, JSON, json.dumps(iwm_body())

    serve(loopback, {"IWM": limited, "SPY": iwm_body("SPY", 2.7)})
    result = make_provider().fetch([spec("IWM"), spec("SPY")], *OCT)

    assert result.failures == {}
    assert len(result.series["IWM"].values) == 22 and len(result.series["SPY"].values) == 22
    assert len(seen) >= 3  # yfinance's own second try, then our retry round


def test_500_forever_fails_that_ticker_only(loopback, make_provider) -> None:
    error = json.dumps(
        {"chart": {"result": None, "error": {"code": "Internal Server Error", "description": "Internal Server Error"}}}
    )
    serve(loopback, {"IWM": lambda q: (500, JSON, error), "SPY": iwm_body("SPY", 2.7)})
    result = make_provider().fetch([spec("IWM"), spec("SPY")], *OCT)

    assert "HTTP 500" in result.failures["IWM"]
    assert "SPY" in result.series
    iwm_calls = [p for p, _ in loopback.requests if p.endswith("/IWM")]
    spy_history = [q for p, q in loopback.requests if p.endswith("/SPY") and "period1" in q]
    assert len(spy_history) == 1  # SPY succeeded in the first round and is not refetched in retry rounds
    assert 2 * (FAST.retries + 1) <= len(iwm_calls) <= 4 * (FAST.retries + 1)  # bounded


def test_timeout_is_retried_then_reported(loopback, make_provider) -> None:
    def hang(query: dict[str, str]) -> Reply:
        time.sleep(1.5)
        return 200, JSON, json.dumps(iwm_body())

    serve(loopback, {"IWM": hang, "SPY": iwm_body("SPY", 2.7)})
    settings = NetworkSettings(timeout=0.25, retries=1, backoff=0.001, backoff_max=0.005)
    started = time.monotonic()
    result = make_provider(settings).fetch([spec("IWM"), spec("SPY")], *OCT)

    assert result.failures["IWM"] == "timed out after 0.25s"
    assert "SPY" in result.series
    assert time.monotonic() - started < 4.0


def test_malformed_json_is_not_retried(loopback, make_provider) -> None:
    serve(loopback, {"IWM": lambda q: (200, JSON, '{"chart":{"result":[{"meta":')})
    result = make_provider().fetch([spec("IWM")], *OCT)
    assert "IWM" in result.failures and "IWM" not in result.series
    assert len([p for p, _ in loopback.requests if p.endswith("/IWM")]) == 1  # the probe failed; no retry round


def test_empty_chart_is_a_failure(loopback, make_provider, shared_data: Path) -> None:
    empty = recorded(shared_data, "chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m.json")
    assert "timestamp" not in empty["chart"]["result"][0]
    serve(loopback, {"AAPL": empty})
    result = make_provider().fetch([spec("AAPL")], date(2025, 1, 1), date(2025, 2, 2))
    assert "AAPL" in result.failures and not result.series


def test_unknown_symbol_is_reported_not_retried(loopback, make_provider) -> None:
    serve(loopback, {"IWM": iwm_body()})
    result = make_provider().fetch([spec("IWM"), spec("NOPE")], *OCT)
    assert "IWM" in result.series
    assert "404" in result.failures["NOPE"] or "delisted" in result.failures["NOPE"]
    # yfinance's own second try with its other cookie strategy, and no retry round of ours
    assert len([p for p, _ in loopback.requests if p == "/v8/finance/chart/NOPE"]) <= 2


def test_a_jump_is_kept_and_marked_in_per_cent(loopback, make_provider) -> None:
    body = iwm_body()
    split = copy.deepcopy(body)
    adj = split["chart"]["result"][0]["indicators"]["adjclose"][0]["adjclose"]
    adj[10:] = [v / 4 for v in adj[10:]]  # an unadjusted 4:1 split
    serve(loopback, {"IWM": split})
    data = make_provider().fetch([spec("IWM")], *OCT).series["IWM"]
    # 238.50927 on 10-15, then 243.191576 / 4 = 60.797894: 60.797894 / 238.50927 - 1 = -74.5 %
    assert "jump kept: 2025-10-16: 238.509 -> 60.7979 (-74.5%)" in data.notes
    assert data.values[pd.Timestamp("2025-10-16")] == pytest.approx(60.797894) and data.rejected == ()


def test_session_caps_timeouts_and_sends_yahoo_hosts_to_the_base_url(loopback) -> None:
    def hang(path: str, query: dict[str, str]) -> Reply:
        time.sleep(1.0)
        return 200, JSON, "{}"

    loopback.route("/v8/finance/chart/", hang)
    session = YahooSession(NetworkSettings(timeout=0.3), base_url=loopback.url)
    started = time.monotonic()
    with pytest.raises(Exception) as info:
        session.get("https://query2.finance.yahoo.com/v8/finance/chart/%5EVIX", timeout=30)
    assert "Timeout" in type(info.value).__name__
    assert time.monotonic() - started < 0.9  # capped at ours, not yfinance's 30 s
    assert [p for p, _ in loopback.requests] == ["/v8/finance/chart/%5EVIX"]
    assert session.outcome("^VIX") == type(info.value).__name__


def test_yfinance_warnings_stay_ignored_while_other_threads_use_catch_warnings(loopback, make_provider) -> None:
    # pandas and pyarrow wrap many operations in warnings.catch_warnings(), which puts back on exit the filter
    # list it saved on entry. Here a thread (as a store read or FRED parse would) enters before the download
    # starts and leaves while it is out: a filter added just for the download would be gone from then on, and
    # under the suite's -W error yfinance's own pandas deprecation warnings would fail the ticker.
    provider = make_provider()
    entered, leave, left = threading.Event(), threading.Event(), threading.Event()
    heard: list[str] = []

    def other_thread() -> None:
        with warnings.catch_warnings():
            entered.set()
            leave.wait(5)
        left.set()

    def chart(query: dict[str, str]) -> Reply:
        leave.set()
        left.wait(5)
        try:  # what a warning from yfinance's code meets now that the other thread is out
            warnings.warn_explicit(
                "deprecated", DeprecationWarning, "yfinance/utils.py", 1, module="yfinance.utils", registry={}
            )
            heard.append("ignored")
        except DeprecationWarning:
            heard.append("raised")
        return 200, JSON, json.dumps(iwm_body())

    serve(loopback, {"IWM": chart})
    worker = threading.Thread(target=other_thread)
    worker.start()
    assert entered.wait(5)
    result = provider.fetch([spec("IWM")], *OCT)
    worker.join(5)
    assert left.is_set() and heard and set(heard) == {"ignored"}
    assert result.failures == {} and len(result.series["IWM"].values) == 22


def test_tickers_split_from_the_batch_frame_as_one_at_a_time() -> None:
    from generator.sources.yahoo import _by_ticker, _columns

    days = pd.date_range("2025-10-01", periods=4, freq="B", name="Date")
    nan = float("nan")
    columns = pd.MultiIndex.from_product(
        [["Adj Close", "Close", "Volume"], ["IWM", "NOPE", "SPY"]], names=["Price", "Ticker"]
    )
    rows = [
        [1.0, nan, 5.0, 1.1, nan, 5.1, 100, nan, 200],
        [nan, nan, 6.0, nan, nan, 6.1, nan, nan, 210],  # IWM has no row that day
        [2.0, nan, 7.0, 2.1, nan, 7.1, 110, nan, 220],
        [3.0, nan, nan, 3.1, nan, nan, 120, nan, nan],
    ]  # SPY has no row that day
    frame = pd.DataFrame(rows, index=days, columns=columns)
    split = _by_ticker(frame)
    assert sorted(split) == ["IWM", "SPY"]  # NOPE has no value at all
    for ticker, data in split.items():
        pd.testing.assert_frame_equal(data, _columns(frame, ticker), check_dtype=False, check_names=False)
    assert list(split["IWM"].index) == [days[0], days[2], days[3]] and list(split["SPY"]["Volume"]) == [200, 210, 220]
    assert _by_ticker(None) == {} and _by_ticker(frame.droplevel("Ticker", axis=1)) == {}


def test_each_series_is_handed_over_as_soon_as_it_is_built(loopback, make_provider) -> None:
    serve(loopback, {"IWM": iwm_body(), "SPY": iwm_body("SPY", 2.7)})
    handed: list[str] = []
    result = make_provider().fetch([spec("IWM"), spec("SPY"), spec("NOPE")], *OCT, ready=lambda d: handed.append(d.id))
    assert handed == ["IWM", "SPY"] and sorted(result.series) == handed and "NOPE" in result.failures


def test_yfinance_caches_are_opened_before_the_download_threads(tmp_path: Path) -> None:
    """A new process with a new cache folder: the caches are opened in the calling thread, then used by many.

    Opened by several download threads at once, a new SQLite cache fails one of them
    with "database is locked" (seen in CI on a fresh clone).
    """
    import threading

    import yfinance as yf
    from yfinance import cache

    from generator.sources.yahoo import open_yfinance_caches

    yf.set_tz_cache_location(str(tmp_path / "fresh"))
    cache._TzCacheManager._tz_cache = None  # as in a new process: nothing opened yet
    cache._CookieCacheManager._Cookie_cache = None
    (tmp_path / "fresh").mkdir()
    open_yfinance_caches()
    assert cache.get_tz_cache().initialised == 1 and cache.get_cookie_cache().initialised == 1
    assert (tmp_path / "fresh" / "tkr-tz.db").is_file() and (tmp_path / "fresh" / "cookies.db").is_file()

    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def use(i: int) -> None:
        try:
            start.wait()
            cache.get_tz_cache().store(f"T{i}", "America/New_York")
            assert cache.get_tz_cache().lookup(f"T{i}") == "America/New_York"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=use, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
