"""Yahoo fund data through yfinance's real ``Ticker.funds_data`` path, against recorded answers on loopback."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from generator.sources.http import NetworkSettings
from generator.sources.yahoo_funds import FundData, YahooFunds, fund_series, read_ratio
from generator.spec import ValuationInputSpec
from tests.sources.yahoo_wire import recorded, serve_funds

FAST = NetworkSettings(timeout=2.0, retries=0, backoff=0.001, backoff_max=0.005)
DAY = date(2025, 2, 24)
MAG7 = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA"]


@pytest.fixture(autouse=True)
def _yf_cache(tmp_path: Path) -> None:
    import yfinance as yf

    yf.set_tz_cache_location(str(tmp_path / "yf"))


def ratio(field: str, low: float, high: float, symbol: str = "QQQ") -> ValuationInputSpec:
    return ValuationInputSpec(
        id="X", label="x", unit="x", origin="yahoo_fund", basis="b", symbol=symbol, field=field,  # type: ignore[arg-type]
        valid_range=(low, high),
    )


def test_recorded_qqq_answer_read_through_yfinance(loopback) -> None:  # type: ignore[no-untyped-def]
    serve_funds(loopback, {"QQQ": "quoteSummary-QQQ-2025-02-24.json"})
    got, failed = YahooFunds(FAST, base_url=loopback.url).funds(["QQQ"])
    assert failed == {}
    qqq = got["QQQ"]
    assert qqq.quote_type == "ETF"
    # Yahoo's numbers as recorded, passed on unchanged by yfinance
    assert qqq.ratios == {
        "priceToEarnings": 0.02938, "priceToBook": 0.12608, "priceToSales": 0.17008, "priceToCashflow": 0.04314
    }
    assert len(qqq.holdings) == 10
    assert qqq.holdings["AAPL"] == pytest.approx(0.090070695)
    assert qqq.holdings["GOOG"] == pytest.approx(0.028727701)
    # yfinance asked for the fund modules on the quoteSummary endpoint
    asked = loopback.hits("/v10/finance/quoteSummary/QQQ")
    assert asked and set(asked[0]["modules"].split(",")) == {"quoteType", "summaryProfile", "topHoldings", "fundProfile"}


def test_inverted_ratio_is_read_back_and_agrees_with_yahoos_own_trailing_pe() -> None:
    body = recorded("quoteSummary-QQQ-2025-02-24.json")["quoteSummary"]["result"][0]
    pe, why = read_ratio(ratio("priceToEarnings", 3, 80), body["topHoldings"]["equityHoldings"]["priceToEarnings"])
    assert why == "" and pe == pytest.approx(1 / 0.02938)  # 34.04
    # The same answer's trailingPE (34.29) confirms that the 0.02938 is an earnings yield, not a P/E.
    assert abs(pe - body["summaryDetail"]["trailingPE"]) < 1.0  # type: ignore[operator]
    pb, _ = read_ratio(ratio("priceToBook", 1, 15), body["topHoldings"]["equityHoldings"]["priceToBook"])
    assert pb == pytest.approx(1 / 0.12608)  # 7.93


def test_ratio_sent_as_itself_in_older_answers_is_kept() -> None:
    body = recorded("quoteSummary-QQQ-2021-02-05.json")["quoteSummary"]["result"][0]
    pe, why = read_ratio(ratio("priceToEarnings", 3, 80), body["topHoldings"]["equityHoldings"]["priceToEarnings"])
    assert (pe, why) == (34.82, "")


def test_nonsense_ambiguous_and_unreported_ratios_are_rejected_with_a_note() -> None:
    pe = ratio("priceToEarnings", 3, 80, symbol="IWM")
    assert read_ratio(pe, 1843.0) == (
        None,
        "Yahoo IWM priceToEarnings = 1843 (as sent 1843x, inverted 0.0005426x) is outside 3 to 80 either way: "
        "ignored as nonsense",
    )
    wide = ratio("priceToBook", 0.5, 20, symbol="IWM")
    value, why = read_ratio(wide, 0.5)  # P/B 0.5 or 2.0: both plausible in so wide a range
    assert value is None and why.endswith("fits 0.5 to 20 either way: ignored as ambiguous")
    assert read_ratio(pe, 0.0) == (None, "Yahoo reports no priceToEarnings for IWM (0)")
    assert read_ratio(pe, None) == (None, "Yahoo reports no priceToEarnings for IWM")


def test_fund_series_from_the_real_report(loopback) -> None:  # type: ignore[no-untyped-def]
    """The report's IWM, IJR and SPY inputs, answered with recorded answers of other funds.

    No recorded quoteSummary answer for IWM, IJR or SPY is public; the wire
    format is what matters here, so SPY's route answers with QQQ's recorded
    answer (which holds all of the Magnificent 7), IWM's with TD's US index
    fund (whose top holdings lack TSLA) and IJR's with a cash fund that reports
    zeros. The numbers are therefore those funds', not SPY's or IWM's.
    """
    from generator.pipeline import load_report

    spec = load_report(Path(__file__).resolve().parents[2] / "reports" / "small_cap_rotation.toml").spec
    serve_funds(
        loopback,
        {
            "SPY": "quoteSummary-QQQ-2025-02-24.json",
            "IWM": "quoteSummary-0P000071W8.TO-2025-02-24.json",
            "IJR": "quoteSummary-HISU-U.TO-2025-02-24.json",
        },
    )
    fetched = datetime(2025, 2, 24, 21, 0, tzinfo=UTC)
    series, notes = fund_series(spec, YahooFunds(FAST, base_url=loopback.url), DAY, fetched)
    value = {k: float(s.values.iloc[0]) for k, s in series.items()}
    assert value["PE_HOLD_SPY"] == pytest.approx(1 / 0.02938)  # 34.04
    assert value["PB_HOLD_SPY"] == pytest.approx(1 / 0.12608)  # 7.93
    assert value["PE_HOLD_IWM"] == pytest.approx(1 / 0.03759)  # 26.60
    assert value["PB_HOLD_IWM"] == pytest.approx(1 / 0.2132)  # 4.69
    # the Mag 7 in QQQ's top ten: AAPL .0901 + MSFT .0779 + NVDA .0742 + AMZN .0631 + GOOGL .0301 + GOOG .0287
    # + META .0379 + TSLA .0371 = .4391
    assert value["W_MAG7"] == pytest.approx(0.439148805)
    assert value["W_SPY_GOOGL"] == pytest.approx(0.0300987 + 0.028727701)  # both Alphabet share classes
    assert value["W_SPY_TSLA"] == pytest.approx(0.0370558)
    s = series["PE_HOLD_SPY"]
    assert (s.source, str(s.values.index[0].date()), s.fetched_at) == ("yahoo-fund", "2025-02-24", fetched)
    said = {q.series_id: (q.level, q.message) for q in notes}
    assert said["PE_HOLD_IJR"] == ("warning", "Yahoo reports no priceToEarnings for IJR (0)")
    assert "PE_HOLD_IJR" not in series and "W_MAG7" in series
    assert said["PE_HOLD_SPY"][0] == "info" and said["PE_HOLD_SPY"][1].startswith(
        "Yahoo fund data SPY priceToEarnings 34.04 on 2025-02-24 ("
    )
    assert len(loopback.hits("/v10/finance/quoteSummary/")) == 3  # one request per fund, whatever the inputs


def test_a_member_missing_from_the_top_holdings_is_not_guessed(loopback) -> None:  # type: ignore[no-untyped-def]
    """The 2021 QQQ answer lists Facebook as FB: META is not among its top holdings."""
    serve_funds(loopback, {"QQQ": "quoteSummary-QQQ-2021-02-05.json"})
    got, _ = YahooFunds(FAST, base_url=loopback.url).funds(["QQQ"])
    from generator.sources.yahoo_funds import read_weight

    spec = ValuationInputSpec(
        id="W", label="w", unit="fraction", origin="yahoo_fund", basis="b", symbol="QQQ", field="holdingPercent",
        holdings=MAG7, valid_range=(0.05, 0.6),
    )
    assert read_weight(spec, got["QQQ"]) == (
        None, "META not among the 10 top holdings Yahoo lists for QQQ: the weight is not known"
    )
    nonsense = FundData("QQQ", "ETF", {}, {"AAPL": 7.1})  # a percent where a fraction belongs
    one = ValuationInputSpec(
        id="W", label="w", unit="fraction", origin="yahoo_fund", basis="b", symbol="QQQ", field="holdingPercent",
        holdings=["AAPL"], valid_range=(0, 0.25),
    )
    assert read_weight(one, nonsense) == (
        None, "Yahoo QQQ weight of AAPL = 7.1 is outside 0 to 0.25: ignored as nonsense"
    )


def test_unknown_symbol_and_server_error_fail_that_fund_only(loopback) -> None:  # type: ignore[no-untyped-def]
    serve_funds(loopback, {"QQQ": "quoteSummary-QQQ-2025-02-24.json"}, status={"IWM": 500})
    got, failed = YahooFunds(FAST, base_url=loopback.url).funds(["ZZZZ", "IWM", "QQQ"])
    assert list(got) == ["QQQ"]
    assert failed["ZZZZ"] == (
        "HTTP 404 from Yahoo: No fundamentals data found for any of the summaryTypes=assetProfile"
    )  # Yahoo's recorded 404 body, as it is
    assert failed["IWM"] == "HTTP 500 from Yahoo"


def test_offline_every_fund_says_so_plainly() -> None:
    from curl_cffi.requests.exceptions import DNSError

    from generator.sources.yahoo import YahooSession

    class Offline(YahooSession):
        def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise DNSError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com.")

    got, failed = YahooFunds(FAST, session=Offline(FAST)).funds(["IWM", "IJR", "SPY"])
    assert got == {}
    assert failed == dict.fromkeys(["IWM", "IJR", "SPY"], "cannot resolve Yahoo's host (offline, or set BRIEFING_PROXY)")


def test_a_passing_server_error_is_retried_with_backoff(loopback) -> None:  # type: ignore[no-untyped-def]
    patient = NetworkSettings(timeout=2.0, retries=2, backoff=0.001, backoff_max=0.005)
    serve_funds(loopback, {"QQQ": "quoteSummary-QQQ-2025-02-24.json"}, status={"QQQ": 503}, times={"QQQ": 2})
    got, failed = YahooFunds(patient, base_url=loopback.url).funds(["QQQ"])
    assert failed == {} and got["QQQ"].ratios["priceToEarnings"] == 0.02938
    # yfinance itself asks twice per attempt on an error status (a second cookie strategy): 2 failed answers
    # are used up by the first attempt, which the backoff retries once
    assert len(loopback.hits("/v10/finance/quoteSummary/QQQ")) == 3

    loopback.routes.clear()
    serve_funds(loopback, {}, status={"IWM": 429})
    _, failed = YahooFunds(patient, base_url=loopback.url).funds(["IWM"])
    assert failed["IWM"] == "YFRateLimitError: Too Many Requests. Rate limited. Try after a while."
    assert len(loopback.hits("/v10/finance/quoteSummary/IWM")) == 6  # 3 attempts, each asked twice by yfinance
