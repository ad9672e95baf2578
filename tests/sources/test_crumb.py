"""Yahoo's crumb kept between runs: reused while its cookie is, dropped and fetched anew when Yahoo refuses it.

The runs go through the real yfinance code against the loopback Yahoo service
(bench/support/market.py), reached as ``yahoo.localhost`` so that yfinance
keeps the session cookie on disk as it does for Yahoo's own hosts.
"""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest
import yfinance as yf

from bench.support.market import CRUMB, Market
from generator.sources.crumb import CRUMB_FILE, CrumbCache, cookie_fingerprint
from generator.sources.http import NetworkSettings, redact
from generator.sources.yahoo import YahooProvider
from generator.spec import SeriesSpec

FAST = NetworkSettings(timeout=2.0, retries=1, backoff=0.001, backoff_max=0.005)
SPECS = [SeriesSpec(id=s, provider="yahoo", label=s, frequency="daily", kind="price", unit="USD")
         for s in ("SPY", "IWM", "QQQ")]
WEEK = (date(2026, 11, 9), date(2026, 11, 20))


def new_process() -> None:
    """What a new process starts with: yfinance holds the cookie and crumb in a process-wide object."""
    data = yf.data.YfData()
    with data._cookie_lock:
        data._cookie, data._crumb, data._cookie_strategy = None, None, "basic"


def run(loopback, folder: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One run's Yahoo fetch; the crumb each chart request carried, by symbol (the last one)."""
    new_process()
    loopback.requests.clear()
    provider = YahooProvider(FAST, base_url=loopback.url.replace("127.0.0.1", "yahoo.localhost"),
                             cache_dir=folder, max_workers=4)
    result = provider.fetch(SPECS, *WEEK)
    assert result.failures == {} and sorted(result.series) == ["IWM", "QQQ", "SPY"]
    return {p.rsplit("/", 1)[-1]: q.get("crumb", "") for p, q in loopback.requests if "period1" in q}


def crumb_requests(loopback) -> int:  # type: ignore[no-untyped-def]
    return len(loopback.hits("/v1/test/getcrumb"))


def test_crumb_is_reused_by_the_next_run_and_refetched_when_refused(loopback, tmp_path: Path) -> None:
    market = Market({s.id: s for s in SPECS})
    market.serve(loopback)
    market.check_crumb = True
    folder = tmp_path / "yfinance"

    assert set(run(loopback, folder).values()) == {CRUMB}
    assert crumb_requests(loopback) == 1  # a first run asks for it
    kept = folder / CRUMB_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    entry = json.loads(kept.read_text(encoding="utf-8"))
    assert entry["crumb"] == CRUMB and "AQABBBENCHMARK" not in kept.read_text(encoding="utf-8")  # no cookie

    assert set(run(loopback, folder).values()) == {CRUMB}
    assert crumb_requests(loopback) == 0  # the next run sends the kept crumb without asking

    market.crumb = "n3wCrumbAfterRotation"  # Yahoo no longer honours the kept crumb
    sent = run(loopback, folder)
    assert set(sent.values()) == {"n3wCrumbAfterRotation"}  # every ticker got through with the new one
    assert crumb_requests(loopback) == 1  # asked once, after the 401
    refused = [q for p, q in loopback.requests if p.startswith("/v8/finance/chart/") and q.get("crumb") == CRUMB]
    assert refused  # the kept crumb was tried first and refused
    assert json.loads(kept.read_text(encoding="utf-8"))["crumb"] == "n3wCrumbAfterRotation"

    run(loopback, folder)
    assert crumb_requests(loopback) == 0
    assert redact("https://query1.finance.yahoo.com/v8/finance/chart/SPY?crumb=n3wCrumbAfterRotation") == (
        "https://query1.finance.yahoo.com/v8/finance/chart/SPY?crumb=***")


def test_cache_answers_only_for_the_same_cookies_and_age(tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = CrumbCache(tmp_path / CRUMB_FILE, max_age=3600.0, clock=lambda: now[0])
    mine = cookie_fingerprint([(".yahoo.com", "A3", "d=AQAB")])
    assert mine == cookie_fingerprint([("yahoo.com", "A3", "d=AQAB")])  # a leading dot is the same domain
    cache.put("abcDEF123", mine)
    assert cache.get(mine) == "abcDEF123"
    assert cache.get(cookie_fingerprint([(".yahoo.com", "A3", "d=OTHER")])) is None  # another cookie
    assert cache.get(None) is None
    now[0] += 3601
    assert cache.get(mine) is None  # too old
    now[0] -= 7200
    assert cache.get(mine) is None  # saved "in the future": a clock went back, do not trust it

    cache.put("abcDEF123", None)  # no cookie, nothing kept
    cache.put("<html>Too Many Requests</html>", mine)  # not a crumb
    assert json.loads((tmp_path / CRUMB_FILE).read_text(encoding="utf-8"))["crumb"] == "abcDEF123"

    now[0] = 1_000_000.0
    cache.drop("someOtherCrumb")  # a refusal of an older crumb leaves a newer one alone
    assert cache.get(mine) == "abcDEF123"
    cache.drop("abcDEF123")
    assert cache.get(mine) is None and not (tmp_path / CRUMB_FILE).exists()

    (tmp_path / CRUMB_FILE).write_text("{not json", encoding="utf-8")
    assert cache.get(mine) is None  # a damaged file costs one request, nothing more


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid"), reason="POSIX permissions")
def test_unwritable_folder_only_costs_the_request(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    cache = CrumbCache(blocker / CRUMB_FILE)
    mine = cookie_fingerprint([("yahoo.com", "A3", "v")])
    cache.put("abcDEF123", mine)  # cannot be written: no error, nothing kept
    assert cache.get(mine) is None
