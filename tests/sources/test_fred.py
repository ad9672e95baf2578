"""FRED provider: fredapi and the key-less CSV, over real HTTP on 127.0.0.1, in FRED's wire formats.

The API responses are FRED's XML (what fredapi asks for): hand-written ones in
tests/fixtures/fred/ and ones rendered from the real recorded JSON responses in
../shared/data/wire/fred/ (same observations, FRED's documented XML shape).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import traceback
from datetime import date
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd
import pytest

from generator.errors import SourceError
from generator.pointintime import known_on
from generator.sources.fred import BoundedFred, FredProvider, latest_per_date
from generator.sources.http import NetworkSettings, RateLimiter, requests_session
from generator.spec import SeriesSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fred"
KEY = "f00dcafe0123456789abcdef9876abcd"
FAST = NetworkSettings(timeout=0.5, retries=2, backoff=0.001, backoff_max=0.005)
XML = {"Content-Type": "text/xml; charset=UTF-8"}
CSV = {"Content-Type": "text/csv"}


def spec(sid: str, frequency: str = "daily", lag: int = 1, kind: str = "rate") -> SeriesSpec:
    return SeriesSpec(id=sid, provider="fred", label=sid, frequency=frequency, kind=kind, unit="%",
                      publication_lag_days=lag, max_staleness_days=400)


def observations_xml(rows: list[dict[str, str]]) -> str:
    """FRED's documented ``series/observations`` XML for the given observation attributes."""
    body = "\n".join(
        "  <observation " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in row.items()) + "/>" for row in rows
    )
    return (
        '<?xml version="1.0" encoding="utf-8" ?>\n'
        f'<observations realtime_start="2024-06-27" realtime_end="2024-06-27" units="lin" output_type="1" '
        f'file_type="xml" order_by="observation_date" sort_order="asc" count="{len(rows)}" offset="0" '
        f'limit="100000">\n{body}\n</observations>\n'
    )


def cassette_observations(shared: Path, name: str, series_id: str) -> list[dict[str, str]]:
    """The observations of a recorded FRED JSON response (vcrpy cassette, gzip body)."""
    yaml = pytest.importorskip("yaml")
    import gzip

    path = shared / "wire" / "fred" / "openbb_fred_cassettes" / name
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    cassette = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    for interaction in cassette["interactions"]:
        uri = interaction["request"]["uri"]
        if "series/observations" in uri and re.search(rf"series_id={series_id}(&|$)", uri):
            body = interaction["response"]["body"]["string"]
            raw = gzip.decompress(body) if isinstance(body, bytes) else body.encode()
            return json.loads(raw)["observations"]
    raise AssertionError(f"{name} has no observations for {series_id}")


def provider(loopback, key: str | None = KEY, today: date = date(2026, 11, 20), **kw) -> FredProvider:  # type: ignore[no-untyped-def]
    return FredProvider(key, settings=kw.pop("settings", FAST), api_root=f"{loopback.url}/fred",
                        csv_url=f"{loopback.url}/graph/fredgraph.csv", today=lambda: today, **kw)


# ---------------------------------------------------------------- happy paths


def test_api_path_parses_recorded_observations(loopback, shared_data: Path) -> None:
    rows = cassette_observations(shared_data, "test_fred_federal_funds_rate_fetcher_urllib3_v2.yaml", "DFF")
    loopback.route("/fred/series/observations", lambda p, q: (200, XML, observations_xml(rows)))
    result = provider(loopback, today=date(2023, 6, 6)).fetch([spec("DFF")], date(2023, 1, 1), date(2023, 6, 6))

    assert result.failures == {}
    data = result.series["DFF"]
    assert data.source == "fred" and data.known_since is None
    expected = pd.Series({pd.Timestamp(r["date"]): float(r["value"]) for r in rows if r["value"] != "."})
    pd.testing.assert_series_equal(data.values, expected, check_names=False, check_index_type=False,
                                   check_freq=False)
    (query,) = loopback.hits("/fred/series/observations")
    assert query["series_id"] == "DFF" and query["api_key"] == KEY
    assert query["observation_start"] == "2023-01-01" and query["observation_end"] == "2023-06-06"


def test_yield_curve_cassette_full_history_with_missing_dots(loopback, shared_data: Path) -> None:
    rows = cassette_observations(shared_data, "test_fred_yield_curve_fetcher_urllib3_v2.yaml", "DGS2")
    loopback.route("/fred/series/observations", lambda p, q: (200, XML, observations_xml(rows)))
    result = provider(loopback, today=date(2026, 6, 1)).fetch([spec("DGS2")], date(1976, 1, 1), date(2026, 6, 1))
    data = result.series["DGS2"]
    dots = sum(r["value"] == "." for r in rows)
    assert dots > 0 and len(data.values) == len(rows) - dots
    assert data.values.index.is_monotonic_increasing and data.notes == ()


@pytest.mark.parametrize("fixture", ["DGS10_fredgraph_2024.csv", "DGS10_fredgraph_2025.csv"])
def test_keyless_csv_accepts_old_and_new_headers(loopback, fixture: str) -> None:
    body = (FIXTURES / fixture).read_bytes()
    loopback.route("/graph/fredgraph.csv", lambda p, q: (200, CSV, body))
    result = provider(loopback, key=None).fetch([spec("DGS10")], date(2024, 1, 1), date(2025, 12, 31))
    data = result.series["DGS10"]
    assert data.source == "fred-csv"
    assert len(data.values) == 5  # the holiday ('.' or empty) is FRED's missing value, dropped quietly
    assert data.notes == ()
    (query,) = loopback.hits("/graph/fredgraph.csv")
    assert query == {"id": "DGS10", "cosd": "2024-01-01", "coed": "2025-12-31"}


def test_keyless_csv_on_real_downloads(loopback, shared_data: Path) -> None:
    files = {"DFF": shared_data / "macro/fred_csv_misc/DFF.csv",
             "SAHMREALTIME": shared_data / "macro/fred_csv_misc/SAHMREALTIME.csv"}
    loopback.route("/graph/fredgraph.csv", lambda p, q: (200, CSV, files[q["id"]].read_bytes()))
    result = provider(loopback, key=None).fetch(
        [spec("DFF"), spec("SAHMREALTIME", "monthly", 37, "percent")], date(1950, 1, 1), date(2026, 8, 6)
    )
    assert result.failures == {}
    assert len(result.series["DFF"].values) == 1827
    assert result.series["SAHMREALTIME"].values.index[0] == pd.Timestamp("1959-12-01")


# ---------------------------------------------------------------- point in time (ALFRED)


def test_alfred_keeps_latest_vintage_per_date_and_first_release(loopback) -> None:
    body = (FIXTURES / "CPIAUCSL_all_releases.xml").read_bytes()
    loopback.route("/fred/series/observations", lambda p, q: (200, XML, body))
    cpi = spec("CPIAUCSL", "monthly", 45, "index")
    result = provider(loopback).fetch([cpi], date(2020, 1, 1), date(2024, 8, 20))

    data = result.series["CPIAUCSL"]
    assert data.source == "alfred"
    (query,) = loopback.hits("/fred/series/observations")
    assert query["realtime_start"] == "1776-07-04" and query["realtime_end"] == "9999-12-31"
    # July was published on 2024-08-14: known on 08-20, in its first-release value; August is not.
    assert data.values.index[-1] == pd.Timestamp("2024-07-01")
    assert data.values[pd.Timestamp("2024-07-01")] == 313.534
    assert data.values[pd.Timestamp("2024-01-01")] == 309.685  # not the February 2025 revision
    assert data.known_since[pd.Timestamp("2024-07-01")] == pd.Timestamp("2024-08-14")
    # January predates ALFRED's first vintage in this file: its publication is the declared lag.
    assert data.known_since[pd.Timestamp("2024-01-01")] == pd.Timestamp("2024-02-15")


def test_point_in_time_never_shows_a_later_release() -> None:
    releases = pd.DataFrame(
        [
            {"date": "2024-06-01", "realtime_start": "2024-07-11", "value": 313.049},
            {"date": "2024-06-01", "realtime_start": "2025-02-12", "value": 313.131},
            {"date": "2024-07-01", "realtime_start": "2024-08-14", "value": 313.534},
            {"date": "2024-07-01", "realtime_start": "2025-02-12", "value": 313.566},
        ]
    )
    cpi = spec("CPIAUCSL", "monthly", 45, "index")
    critical = pd.to_datetime(["2024-08-13", "2024-08-14", "2025-02-11", "2025-02-12"])
    for as_of in pd.date_range("2024-07-01", "2025-03-01", freq="7D").union(critical):
        values, known = latest_per_date(releases, as_of.date(), 45)
        assert (known <= as_of).all()
        if as_of < pd.Timestamp("2025-02-12"):
            assert 313.131 not in values.to_numpy() and 313.566 not in values.to_numpy()
        if as_of < pd.Timestamp("2024-08-14"):
            assert pd.Timestamp("2024-07-01") not in values.index
    # The same series without vintages: the declared lag hides July until 08-15.
    from generator.model import SeriesData

    latest = SeriesData("CPIAUCSL", pd.Series([313.131, 313.566], index=pd.to_datetime(["2024-06-01", "2024-07-01"])),
                        "fred-csv")
    assert known_on(latest, cpi, date(2024, 8, 14)).last_date == date(2024, 6, 1)
    assert known_on(latest, cpi, date(2024, 8, 15)).last_date == date(2024, 7, 1)


# ---------------------------------------------------------------- faults


def test_timeout_is_retried_then_reported(loopback) -> None:
    def slow(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        return 200, XML, observations_xml([])

    loopback.route("/fred/series/observations", slow)
    started = time.monotonic()
    result = provider(loopback, settings=NetworkSettings(timeout=0.2, retries=1, backoff=0.001)).fetch(
        [spec("DGS10")], date(2024, 1, 1), date(2026, 11, 20)
    )
    assert "timed out after 0.2s" in result.failures["DGS10"]
    assert len(loopback.hits("/fred/series/observations")) == 2
    assert time.monotonic() - started < 2.0


def test_429_then_success(loopback) -> None:
    calls: list[int] = []

    def flaky(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) <= 2:
            return 429, {"Content-Type": "application/xml", "Retry-After": "0"}, (
                '<?xml version="1.0" encoding="utf-8" ?>\n<error code="429" message="Too Many Requests.  '
                'Exceeded Rate Limit"/>')
        return 200, XML, observations_xml([{"realtime_start": "2026-11-20", "realtime_end": "2026-11-20",
                                            "date": "2026-11-19", "value": "4.12"}])

    loopback.route("/fred/series/observations", flaky)
    result = provider(loopback).fetch([spec("DGS10")], date(2026, 1, 1), date(2026, 11, 20))
    assert result.failures == {}
    assert result.series["DGS10"].values.iloc[-1] == 4.12
    assert len(calls) == 3


def test_500_forever_gives_up_after_bounded_retries(loopback) -> None:
    loopback.route("/fred/series/observations", lambda p, q: (500, {"Content-Type": "text/html"}, "<html>oops</html>"))
    result = provider(loopback).fetch([spec("DGS10"), spec("DGS2")], date(2026, 1, 1), date(2026, 11, 20))
    assert set(result.failures) == {"DGS10", "DGS2"}
    assert "HTTP 500" in result.failures["DGS10"]
    assert len(loopback.hits("/fred/series/observations")) == 2 * (FAST.retries + 1)


def test_malformed_xml_is_rejected_without_retry(loopback) -> None:
    loopback.route("/fred/series/observations", lambda p, q: (200, XML, "<observations><observation date="))
    result = provider(loopback).fetch([spec("DGS10")], date(2026, 1, 1), date(2026, 11, 20))
    assert "malformed XML" in result.failures["DGS10"]
    assert len(loopback.hits("/fred/series/observations")) == 1


def test_malformed_csv_is_rejected(loopback) -> None:
    page = "<!DOCTYPE html><html><body>Series not found</body></html>"
    loopback.route("/graph/fredgraph.csv", lambda p, q: (200, {"Content-Type": "text/html"}, page))
    result = provider(loopback, key=None).fetch([spec("NOPE")], date(2026, 1, 1), date(2026, 11, 20))
    assert "no date column" in result.failures["NOPE"]


def test_non_numeric_value_in_csv_is_flagged_not_charted(loopback) -> None:
    body = "observation_date,DGS10\n2026-11-16,4.10\n2026-11-17,n/a?\n2026-11-18,4.15\n"
    loopback.route("/graph/fredgraph.csv", lambda p, q: (200, CSV, body))
    data = provider(loopback, key=None).fetch([spec("DGS10")], date(2026, 1, 1), date(2026, 11, 20)).series["DGS10"]
    assert list(data.values) == [4.10, 4.15]
    assert any("non-numeric" in n for n in data.notes)


@pytest.mark.parametrize("key", [KEY, None])
def test_empty_series_is_a_failure(loopback, key: str | None) -> None:
    empty_xml = (FIXTURES / "empty_observations.xml").read_bytes()
    loopback.route("/fred/series/observations", lambda p, q: (200, XML, empty_xml))
    loopback.route("/graph/fredgraph.csv", lambda p, q: (200, CSV, "observation_date,DGS10\n"))
    result = provider(loopback, key=key).fetch([spec("DGS10")], date(2026, 1, 1), date(2026, 11, 20))
    assert "empty response" in result.failures["DGS10"]


def test_fetch_respects_the_rate_limit() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(3, 60.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(7):
        limiter.acquire()
        now[0] += 1.0
    assert len(slept) == 2 and slept[0] == pytest.approx(57.0)


# ---------------------------------------------------------------- the key never leaks


def test_key_never_in_logs_or_errors(loopback, caplog: pytest.LogCaptureFixture) -> None:
    error_xml = (FIXTURES / "error_400_api_key.xml").read_bytes()
    loopback.route("/fred/series/observations/", lambda p, q: (200, XML, observations_xml([])))
    loopback.route(
        "/fred/series/observations",
        lambda p, q: {"BAD": (400, XML, error_xml), "DOWN": (503, {"Content-Type": "text/plain"}, f"echo {q}"),
                      "JUNK": (200, XML, f"<x>{q}")}[q["series_id"]],
    )
    caplog.set_level(logging.DEBUG)
    result = provider(loopback).fetch([spec("BAD"), spec("DOWN"), spec("JUNK")], date(2026, 1, 1), date(2026, 11, 20))
    # and a connection refused, whose requests/urllib3 text carries the whole URL
    dead = FredProvider(KEY, settings=FAST, api_root="http://127.0.0.1:9/fred", today=lambda: date(2026, 11, 20))
    result_dead = dead.fetch([spec("DGS10")], date(2026, 1, 1), date(2026, 11, 20))

    assert "api_key is not registered" in result.failures["BAD"]
    assert set(result.failures) == {"BAD", "DOWN", "JUNK"} and "DGS10" in result_dead.failures
    texts = [*result.failures.values(), *result_dead.failures.values()]
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert any("api_key=***" in r.getMessage() for r in caplog.records)  # urllib3's request lines, redacted
    for text in texts:
        assert KEY not in text

    client = BoundedFred(KEY, requests_session(FAST), FAST, root_url="http://127.0.0.1:9/fred")
    with pytest.raises(SourceError) as info:
        client.get_series("DGS10")
    rendered = "".join(traceback.format_exception(info.value))
    assert KEY not in str(info.value) and KEY not in rendered


def test_retry_after_is_honoured_within_the_cap() -> None:
    from generator.errors import RateLimitError
    from generator.sources.http import retrying

    slept: list[float] = []
    calls: list[int] = []
    settings = NetworkSettings(retries=2, backoff=0.001, backoff_max=0.05)

    for attempt in retrying(settings, "test", sleep=slept.append):
        with attempt:
            calls.append(1)
            if len(calls) < 3:
                raise RateLimitError("HTTP 429", retry_after=30.0 if len(calls) == 1 else None)
    assert len(calls) == 3
    assert slept[0] == 0.05  # Retry-After 30 s, capped at backoff_max
    assert slept[1] < 0.01  # plain exponential backoff with jitter


def test_network_settings_from_environment() -> None:
    s = NetworkSettings.from_env({"BRIEFING_HTTP_TIMEOUT": "7.5", "BRIEFING_HTTP_RETRIES": "5",
                                  "HTTPS_PROXY": "http://proxy.internal:3128"})
    assert (s.timeout, s.retries, s.proxy) == (7.5, 5, "http://proxy.internal:3128")
    assert NetworkSettings.from_env({}).proxies is None


def test_a_whole_report_of_series_is_in_flight_at_once(loopback) -> None:
    # Each answer waits until all of them have arrived: the fetch succeeds only if every request is out at once.
    ids = [f"S{i:02d}" for i in range(24)]
    everyone = threading.Barrier(len(ids), timeout=2)

    def csv(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        everyone.wait()
        return 200, CSV, f"observation_date,{query['id']}\n2026-11-18,4.1\n2026-11-19,4.2\n"

    loopback.route("/graph/fredgraph.csv", csv)
    patient = NetworkSettings(timeout=5.0, retries=0)  # no retry may add a late request to the barrier
    fred = provider(loopback, key=None, settings=patient)
    result = fred.fetch([spec(sid) for sid in ids], date(2026, 11, 1), date(2026, 11, 19))
    assert result.failures == {} and sorted(result.series) == ids


# ---------------------------------------------------------------- release dates recorded with a key

# Core CPI as FRED served it on 2025-08-20, and ALFRED's initial releases (BLS release days of 2025).
CORE = {"2025-04-01": 326.430, "2025-05-01": 326.854, "2025-06-01": 327.600, "2025-07-01": 328.656}
RELEASED = {"2025-04-01": "2025-05-13", "2025-05-01": "2025-06-11", "2025-06-01": "2025-07-15",
            "2025-07-01": "2025-08-12"}


def serve_core_cpi(loopback, release_status: int = 200) -> None:  # type: ignore[no-untyped-def]
    latest = observations_xml([{"realtime_start": "2025-08-20", "realtime_end": "2025-08-20", "date": d,
                                "value": str(v)} for d, v in CORE.items()])
    initial = observations_xml([{"realtime_start": RELEASED[d], "realtime_end": "9999-12-31", "date": d,
                                 "value": str(v)} for d, v in CORE.items()])

    def answer(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        if query.get("output_type") == "4":
            if release_status != 200:
                return release_status, {"Content-Type": "text/plain"}, "Service Unavailable"
            return 200, XML, initial
        return 200, XML, latest

    loopback.route("/fred/series/observations", answer)


def test_a_keyed_run_brings_alfreds_release_dates(loopback) -> None:
    serve_core_cpi(loopback)
    core = spec("CPILFESL", "monthly", 45, "index")
    data = provider(loopback, today=date(2025, 8, 20)).fetch([core], date(2025, 4, 1), date(2025, 8, 20)).series[
        "CPILFESL"]
    assert data.source == "fred" and list(data.values) == list(CORE.values())
    assert data.known_since is not None
    assert list(data.known_since.dt.strftime("%Y-%m-%d")) == list(RELEASED.values())
    latest, initial = sorted(loopback.hits("/fred/series/observations"), key=lambda q: q.get("output_type", ""))
    assert "output_type" not in latest and latest["observation_start"] == "2025-04-01"
    assert initial == {"series_id": "CPILFESL", "realtime_start": "1776-07-04", "realtime_end": "9999-12-31",
                       "observation_start": "2025-04-01", "observation_end": "2025-08-20", "output_type": "4",
                       "api_key": KEY}
    # a daily series published the next business day asks for no release dates
    loopback.requests.clear()
    provider(loopback, today=date(2025, 8, 20)).fetch([spec("DGS2")], date(2025, 4, 1), date(2025, 8, 20))
    assert [q.get("output_type") for q in loopback.hits("/fred/series/observations")] == [None]


def test_without_release_dates_the_values_stand_and_the_lag_is_said(loopback) -> None:
    serve_core_cpi(loopback, release_status=503)
    core = spec("CPILFESL", "monthly", 45, "index")
    result = provider(loopback, today=date(2025, 8, 20)).fetch([core], date(2025, 4, 1), date(2025, 8, 20))
    data = result.series["CPILFESL"]
    assert result.failures == {} and data.known_since is None and list(data.values) == list(CORE.values())
    assert data.notes == ("release dates not available (HTTP 503 Service Unavailable): the declared publication "
                          "lag is used",)


def test_first_releases_leave_out_alfreds_own_start() -> None:
    from generator.sources.fred import first_releases

    rows = pd.DataFrame({"date": ["1990-01-01", "2024-07-01", "2024-07-01"],
                         "realtime_start": ["1996-12-04", "2024-08-14", "2025-02-12"]})
    # 1990's first vintage is ALFRED starting to record, years after the 45-day lag: not a publication date
    assert first_releases(rows, 45).to_dict() == {pd.Timestamp("2024-07-01"): pd.Timestamp("2024-08-14")}
