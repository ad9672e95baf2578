"""Valuation inputs: the analyst file (checked row by row), and Yahoo's quote fields over a loopback server."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from report_copies import report_copy

from generator.errors import SpecError
from generator.indicators import evaluate_indicators
from generator.model import Snapshot
from generator.pipeline import load_report
from generator.sources.http import NetworkSettings
from generator.sources.valuation import YahooQuotes, add_valuation_inputs, quote_series, read_analyst_file
from generator.thesis import evaluate_thesis

REPORT = Path(__file__).resolve().parents[2] / "reports" / "small_cap_rotation.toml"
HEADER = "input,date,value,source,note\n"
FAST = NetworkSettings(timeout=2.0, retries=0, backoff=0.001, backoff_max=0.005)
JSON = {"Content-Type": "application/json;charset=utf-8"}


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    return load_report(REPORT)


def report_with_inputs(tmp_path: Path, rows: str) -> Path:
    """A copy of the real definition whose analyst file holds ``rows``."""
    path = report_copy(tmp_path)
    (tmp_path / "analyst_inputs.csv").write_text("# test figures\n" + HEADER + rows, encoding="utf-8")
    return path


def empty_snapshot(as_of: date) -> Snapshot:
    return Snapshot(as_of=as_of, series={}, requested_source="csv")


def test_shipped_analyst_file_is_empty_not_guessed(loaded) -> None:  # type: ignore[no-untyped-def]
    assert read_analyst_file(REPORT.parent / "analyst_inputs.csv", loaded.spec) == []


def test_analyst_rows_point_in_time_and_indicators(tmp_path: Path) -> None:
    path = report_with_inputs(
        tmp_path,
        "PE_FWD_R2000,2025-06-30,14.0,Example Research monthly 2025-07-02,excluding loss-making members\n"
        "PE_FWD_SPX,2025-06-30,21.0,Example Research monthly 2025-07-02,\n"
        "PE_FWD_R2000,2025-07-31,13.2,Example Research monthly 2025-08-04,excluding loss-making members\n"
        "PE_FWD_SPX,2025-07-31,22.0,Example Research monthly 2025-08-04,\n"
        "PE_FWD_R2000V,2025-09-30,11.5,Example Research monthly 2025-10-02,\n",
    )
    spec = load_report(path).spec
    snap = add_valuation_inputs(spec, path, empty_snapshot(date(2025, 8, 13)))
    assert snap.series["PE_FWD_R2000"].source == "analyst"
    assert list(snap.series["PE_FWD_R2000"].values) == [14.0, 13.2]
    assert "PE_FWD_R2000V" not in snap.series  # dated after the briefing: not known yet
    notes = {q.series_id: q.message for q in snap.quality}
    assert notes["PE_FWD_R2000"] == (
        "analyst input 13.2 dated 2025-07-31 from Example Research monthly 2025-08-04 (excluding loss-making members)"
    )
    got = evaluate_indicators(spec, snap)
    assert got["r2000_fwd_pe_discount"].value == pytest.approx(40.0)  # 1 - 13.2 / 22
    assert got["r2000_fwd_pe_discount"].detail == "as of 2025-07-31"
    assert got["r2000_value_fwd_pe"].formatted() == "no data"
    claim = next(t for t in evaluate_thesis(spec, snap) if t.id == "pe_discount_40")
    assert claim.verdict == "consistent"
    assert claim.data_says.startswith("Discount 40.0% on 2025-07-31 (PE_FWD_R2000 13.2x, PE_FWD_SPX 22.0x).")
    assert "cannot be checked" in claim.data_says  # no history back to 2009 in these inputs


def test_bad_rows_named_by_line_and_column(tmp_path: Path) -> None:
    path = report_with_inputs(
        tmp_path,
        "PE_FWD_R2000,2025-07-31,13.2,,\n"
        "PE_FWD_R2K,2025-07-31,13.2,src,\n"
        "PE_FWD_SPX,31/07/2025,22,src,\n"
        "PE_FWD_SPX,2025-07-31,high,src,\n"
        "W_AAPL,2025-07-31,7.1,src,percent by mistake\n"
        "PE_TTM_IWM,2025-07-31,17,src,a live quote is not an analyst input\n",
    )
    spec = load_report(path).spec
    csv_path = tmp_path / "analyst_inputs.csv"
    with pytest.raises(SpecError) as err:
        read_analyst_file(csv_path, spec)
    lines = str(err.value).splitlines()
    assert lines[0] == f"{csv_path}:3: source: every figure needs its source"
    assert lines[1].startswith(f"{csv_path}:4: input: 'PE_FWD_R2K' is not an analyst input of PE_FWD_R2000, ")
    assert lines[2] == f"{csv_path}:5: date: expected YYYY-MM-DD, got '31/07/2025'"
    assert lines[3] == f"{csv_path}:6: value: expected a number, got 'high'"
    assert lines[4] == f"{csv_path}:7: value: 7.1 is outside the plausible range 0 to 0.25 for W_AAPL"
    assert lines[5].startswith(f"{csv_path}:8: input: 'PE_TTM_IWM' is not an analyst input")
    (tmp_path / "analyst_inputs.csv").write_text("input,day,value,source,note\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"analyst_inputs\.csv:1: header: expected input,date,value,source,note"):
        read_analyst_file(csv_path, spec)


# ---------------------------------------------------------------- Yahoo quote fields over loopback


def quote_summary(symbol: str, pe: float | None) -> dict[str, object]:
    """quoteSummary as Yahoo answers with formatted=false (the modules yfinance asks for)."""
    detail: dict[str, object] = {"maxAge": 1, "currency": "USD", "navPrice": 220.1, "totalAssets": 6.5e10}
    if pe is not None:
        detail["trailingPE"] = pe
    return {
        "quoteSummary": {
            "result": [
                {
                    "summaryDetail": detail,
                    "quoteType": {"exchange": "PCX", "quoteType": "ETF", "symbol": symbol, "shortName": symbol},
                    "defaultKeyStatistics": {"maxAge": 1, "fundFamily": "iShares"},
                }
            ],
            "error": None,
        }
    }


def serve_quotes(loopback, pes: dict[str, float | None]) -> None:  # type: ignore[no-untyped-def]
    # the crumb of the recorded getcrumb response: yfinance caches a crumb process-wide, so every test serves this one
    loopback.route("/v1/test/getcrumb", lambda p, q: (200, {"Content-Type": "text/plain"}, "lBVv2pgWbZ4"))

    def summary(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        symbol = unquote(path.rsplit("/", 1)[-1])
        if symbol not in pes:
            body = {"quoteSummary": {"result": None, "error": {"code": "Not Found", "description": "Quote not found"}}}
            return 404, JSON, json.dumps(body)
        return 200, JSON, json.dumps(quote_summary(symbol, pes[symbol]))

    def quote(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        symbol = query.get("symbols", "")
        result = [{"symbol": symbol, "quoteType": "ETF", "regularMarketPrice": 220.0}] if symbol in pes else []
        return 200, JSON, json.dumps({"quoteResponse": {"result": result, "error": None}})

    def timeseries(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        # the trailing PEG ratio yfinance asks for after the quote: an ETF has none (meta only)
        meta = {"symbol": [query.get("symbol", "")], "type": ["trailingPegRatio"]}
        return 200, JSON, json.dumps({"timeseries": {"result": [{"meta": meta}], "error": None}})

    loopback.route("/v10/finance/quoteSummary/", summary)
    loopback.route("/v7/finance/quote", quote)
    loopback.route("/ws/fundamentals-timeseries/", timeseries)


def test_trailing_pe_from_yahoo_quote_range_checked(loopback, loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yfinance as yf

    yf.set_tz_cache_location(str(tmp_path / "yf"))
    serve_quotes(loopback, {"IWM": 17.8, "SPY": 27.4, "IJR": 1843.0})  # IJR's figure is nonsense; IWN unknown
    quotes = YahooQuotes(FAST, base_url=loopback.url)
    fetched = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    series, notes = quote_series(loaded.spec, quotes, date(2026, 11, 20), fetched)
    assert sorted(series) == ["PE_TTM_IWM", "PE_TTM_SPY"]
    iwm = series["PE_TTM_IWM"]
    assert (iwm.source, float(iwm.values.iloc[0]), str(iwm.values.index[0].date())) == (
        "yahoo-quote",
        17.8,
        "2026-11-20",
    )
    said = {q.series_id: (q.level, q.message) for q in notes}
    assert said["PE_TTM_IJR"] == ("warning", "Yahoo IJR trailingPE = 1843 is outside 3 to 80: ignored as nonsense")
    assert said["PE_TTM_IWN"][0] == "warning" and said["PE_TTM_IWN"][1].startswith("Yahoo IWN trailingPE: ")
    assert said["PE_TTM_IWM"][1].startswith("Yahoo IWM trailingPE 17.8 on 2026-11-20 (trailing, ETF")
    assert loopback.hits("/v10/finance/quoteSummary/IWM")  # the real yfinance path was taken

    snap = add_valuation_inputs(
        loaded.spec, REPORT, empty_snapshot(date(2026, 11, 20)), quotes, lambda: date(2026, 11, 20)
    )
    got = evaluate_indicators(loaded.spec, snap)
    assert got["iwm_spy_trailing_pe_discount"].value == pytest.approx(100 * (1 - 17.8 / 27.4))
    assert got["ijr_trailing_pe"].formatted() == "no data"  # never the nonsense number


def test_quotes_not_used_for_a_past_date(loaded) -> None:  # type: ignore[no-untyped-def]
    class Never:
        def quote(self, symbols):  # type: ignore[no-untyped-def]
            raise AssertionError("a past briefing must not read today's quotes")

    snap = add_valuation_inputs(
        loaded.spec, REPORT, empty_snapshot(date(2025, 8, 13)), Never(), lambda: date(2026, 1, 5)
    )
    assert not any(s.source == "yahoo-quote" for s in snap.series.values())
    assert any("not used for a past date" in q.message for q in snap.quality)


def test_unresolvable_yahoo_host_is_said_once_plainly_and_not_asked_again(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Offline: the first quote fails in DNS; the other symbols are not requested, and the reason is readable."""
    import yfinance as yf
    from curl_cffi.requests.exceptions import DNSError

    from generator.sources.yahoo import YahooSession

    yf.set_tz_cache_location(str(tmp_path / "yf"))

    asked: list[str] = []

    class Offline(YahooSession):
        def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
            asked.append(url)
            raise DNSError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com.")

    session = Offline(FAST)
    _series, notes = quote_series(
        loaded.spec, YahooQuotes(FAST, session=session), date(2026, 11, 20), datetime.now(UTC)
    )
    messages = {q.series_id: q.message for q in notes}
    assert (
        messages["PE_TTM_IWM"] == "Yahoo IWM trailingPE: cannot resolve Yahoo's host (offline, or set BRIEFING_PROXY)"
    )
    assert len(messages) == 4 and all("cannot resolve Yahoo's host" in m for m in messages.values())
    assert 0 < len(asked) <= 3  # one symbol's attempts (yfinance may retry a step), not four symbols' worth
