"""Live valuation inputs kept in the store as dated snapshots, read back point in time; everything fails soft."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.indicators import evaluate_indicators
from generator.model import SeriesData, Snapshot
from generator.pipeline import load_report
from generator.sources.http import NetworkSettings
from generator.sources.snapshots import STALE_AFTER_DAYS
from generator.sources.valuation import add_valuation_inputs
from generator.sources.yahoo_funds import YahooFunds
from generator.store import ParquetStore
from tests.sources.yahoo_wire import serve_funds

REPORT = Path(__file__).resolve().parents[2] / "reports" / "small_cap_rotation.toml"
FAST = NetworkSettings(timeout=2.0, retries=0, backoff=0.001, backoff_max=0.005)
DAY1, DAY2 = date(2025, 2, 24), date(2025, 2, 25)
MAG7 = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"]

# No recorded SPY/IWM/IJR answers are public: other funds' real answers on those routes (see the fixtures' README).
FIRST = {
    "SPY": "quoteSummary-QQQ-2025-02-24.json",  # P/E 1/0.02938 = 34.04, P/B 7.93, all Mag 7 listed
    "IWM": "quoteSummary-0P000071W8.TO-2025-02-24.json",  # P/E 1/0.03759 = 26.60, P/B 4.69
    "IJR": "quoteSummary-HISU-U.TO-2025-02-24.json",  # zeros: not reported
}
SECOND = {
    "SPY": "quoteSummary-QQQ-2021-02-05.json",  # P/E 34.82 sent as itself; META not listed (FB)
    "IWM": "quoteSummary-0P000071W8.TO-2025-02-24.json",
}


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return load_report(REPORT).spec


@pytest.fixture(autouse=True)
def _yf_cache(tmp_path: Path) -> None:
    import yfinance as yf

    yf.set_tz_cache_location(str(tmp_path / "yf"))


def bare(as_of: date) -> Snapshot:
    return Snapshot(as_of=as_of, series={}, requested_source="auto")


def live_run(spec, loopback, store: ParquetStore, day: date, answers: dict[str, str]) -> Snapshot:  # type: ignore[no-untyped-def]
    loopback.routes.clear()
    serve_funds(loopback, answers)
    funds = YahooFunds(FAST, base_url=loopback.url)
    return add_valuation_inputs(spec, REPORT, bare(day), None, lambda: day, funds=funds, store=store)


def prices(as_of: date) -> dict[str, SeriesData]:
    """Members and SPY on business days since 2024-11-01, each rising steadily (SPY by 1 a day)."""
    days = pd.bdate_range("2024-11-01", as_of)
    out = {}
    for i, sid in enumerate([*MAG7, "SPY"]):
        values = pd.Series(100.0 + (i + 1) * np.arange(len(days)) * 0.1 + np.arange(len(days)), index=days)
        out[sid] = SeriesData(sid, values, "csv")
    return out


def test_each_live_run_adds_a_dated_snapshot_read_back_point_in_time(spec, loopback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = ParquetStore(tmp_path / "store")
    first = live_run(spec, loopback, store, DAY1, FIRST)
    assert first.series["PE_HOLD_SPY"].source == "yahoo-fund"
    assert store.rows("PE_HOLD_SPY")["value"].tolist() == pytest.approx([1 / 0.02938])
    assert store.rows("PE_HOLD_SPY")["source"].tolist() == ["yahoo-fund"]
    assert "PE_HOLD_IJR" not in first.series  # IJR reported zeros: nothing stored, no data

    second = live_run(spec, loopback, store, DAY2, SECOND)
    spy = second.series["PE_HOLD_SPY"].values
    assert [d.date() for d in spy.index] == [DAY1, DAY2]
    assert spy.tolist() == pytest.approx([1 / 0.02938, 34.82])  # the history accrues
    # META is not among the second answer's top holdings: the Mag 7 weight keeps its first snapshot, shown as such
    assert second.series["W_MAG7"].last_date == DAY1 and second.series["W_MAG7"].source == "store"
    notes = {q.series_id: q.message for q in second.quality}
    assert notes["W_MAG7"].startswith("latest snapshot 0.4391 dated 2025-02-24 from the store (1 in all)")

    # A briefing for DAY1, built after both runs, sees only the first snapshot; one for the day before sees none.
    again = add_valuation_inputs(spec, REPORT, bare(DAY1), None, lambda: DAY2, store=store)
    assert again.series["PE_HOLD_SPY"].values.tolist() == pytest.approx([1 / 0.02938])
    before = add_valuation_inputs(spec, REPORT, bare(date(2025, 2, 21)), None, lambda: DAY2, store=store)
    assert not any(k.startswith(("PE_HOLD", "PB_HOLD", "W_")) for k in before.series)
    assert evaluate_indicators(spec, before)["iwm_spy_holdings_pe_discount"].formatted() == "no data"


def test_indicators_from_the_snapshots(spec, loopback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = ParquetStore(tmp_path / "store")
    snap = live_run(spec, loopback, store, DAY1, FIRST)
    snap = Snapshot(as_of=DAY1, series={**prices(DAY1), **snap.series}, requested_source="auto")
    got = evaluate_indicators(spec, snap)
    assert got["iwm_spy_holdings_pe_discount"].value == pytest.approx(100 * (1 - 0.02938 / 0.03759))  # 21.8%
    assert got["iwm_spy_holdings_pb_discount"].value == pytest.approx(100 * (1 - 0.12608 / 0.2132))  # 40.9%
    assert got["mag7_weight_spy"].value == pytest.approx(43.9148805)
    assert got["ijr_spy_holdings_pe_discount"].formatted() == "no data"
    # Contribution: weights on DAY1 carried back to 2024-12-31; every member and SPY rise, so the share is
    # sum(w_i(start) * r_i) / R, computed here by hand from the same prices.
    w = {m: float(snap.series[f"W_SPY_{m}"].values.iloc[-1]) for m in MAG7}
    p = {sid: snap.series[sid].values for sid in [*MAG7, "SPY"]}
    start, end = pd.Timestamp("2024-12-31"), pd.Timestamp(DAY1)
    index_ret = p["SPY"][end] / p["SPY"][start] - 1
    drift = {m: (p[m][start] / p[m][end]) / (p["SPY"][start] / p["SPY"][end]) for m in MAG7}
    share = sum(w[m] * drift[m] * (p[m][end] / p[m][start] - 1) for m in MAG7) / index_ret * 100
    assert got["mag7_contribution_ytd_holdings"].value == pytest.approx(share)
    assert got["mag7_contribution_ytd_holdings"].detail.endswith("weights as of 2025-02-24")


def test_offline_uses_stored_snapshots_and_says_why(spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from curl_cffi.requests.exceptions import DNSError

    from generator.sources.yahoo import YahooSession

    class Offline(YahooSession):
        def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise DNSError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com.")

    store = ParquetStore(tmp_path / "store")
    day = date(2025, 3, 3)
    kept = pd.Series([20.0], index=pd.DatetimeIndex([pd.Timestamp("2025-02-24")], name="date"))
    store.write(SeriesData("PE_HOLD_IWM", kept, "yahoo-fund", fetched_at=datetime(2025, 2, 24, 21, tzinfo=UTC)))
    funds = YahooFunds(FAST, session=Offline(FAST))
    snap = add_valuation_inputs(spec, REPORT, bare(day), None, lambda: day, funds=funds, store=store)
    assert snap.series["PE_HOLD_IWM"].values.tolist() == [20.0] and not snap.series["PE_HOLD_IWM"].stale
    notes = {q.series_id: (q.level, q.message) for q in snap.quality}
    assert notes["PE_HOLD_SPY"] == (
        "warning", "Yahoo fund data SPY: cannot resolve Yahoo's host (offline, or set BRIEFING_PROXY)"
    )
    assert notes["PE_HOLD_IWM"] == ("info", "latest snapshot 20 dated 2025-02-24 from the store (1 in all)")
    got = evaluate_indicators(spec, snap)
    assert got["iwm_spy_holdings_pe_discount"].formatted() == "no data"
    assert got["iwm_spy_holdings_pe_discount"].detail == "no data for PE_HOLD_SPY"

    # Without a store (e.g. --source csv:DIR), nothing at all, and still no exception.
    none = add_valuation_inputs(spec, REPORT, bare(day), None, lambda: day, funds=funds)
    assert not any(k.startswith("PE_HOLD") for k in none.series)

    later = date(2025, 2, 24 + 0) + pd.Timedelta(days=STALE_AFTER_DAYS + 1)
    old = add_valuation_inputs(spec, REPORT, bare(later), None, lambda: later, store=store)
    assert old.series["PE_HOLD_IWM"].stale
    assert any(q.series_id == "PE_HOLD_IWM" and q.level == "warning" and "(stale)" in q.message for q in old.quality)


def test_stored_nonsense_is_rejected_with_a_note(spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = ParquetStore(tmp_path / "store")
    idx = pd.DatetimeIndex([pd.Timestamp("2025-02-20"), pd.Timestamp("2025-02-21")], name="date")
    store.write(SeriesData("PE_HOLD_SPY", pd.Series([27.0, 1843.0], index=idx), "yahoo-fund"))
    snap = add_valuation_inputs(spec, REPORT, bare(DAY1), None, lambda: DAY1, store=store)
    assert snap.series["PE_HOLD_SPY"].values.tolist() == [27.0]
    notes = [q.message for q in snap.quality if q.series_id == "PE_HOLD_SPY"]
    assert notes[0] == "1 stored snapshot(s) outside 3 to 80 ignored as nonsense (first 2025-02-21: 1843)"


def test_an_unwritable_store_keeps_todays_values_and_warns(spec, loopback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "series").write_text("a file where the store wants a folder", encoding="utf-8")
    snap = live_run(spec, loopback, ParquetStore(folder), DAY1, FIRST)
    assert snap.series["PE_HOLD_SPY"].values.tolist() == pytest.approx([1 / 0.02938])
    assert any(q.series_id == "PE_HOLD_SPY" and "snapshot not kept" in q.message for q in snap.quality)


def test_a_bad_analyst_row_is_a_note_not_a_failed_briefing(spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.toml"
    path.write_text(REPORT.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "analyst_inputs.csv").write_text(
        "input,date,value,source,note\nPE_FWD_SPX,2025-01-31,22,Vendor,\nW_AAPL,2025-01-31,7.1,Vendor,percent\n",
        encoding="utf-8",
    )
    snap = add_valuation_inputs(spec, path, bare(DAY1))
    assert snap.series["PE_FWD_SPX"].values.tolist() == [22.0] and "W_AAPL" not in snap.series
    assert (
        "*", "warning",
        "analyst file: analyst_inputs.csv:3: value: 7.1 is outside the plausible range 0 to 0.25 for W_AAPL (row ignored)",
    ) in {(q.series_id, q.level, q.message) for q in snap.quality}


@pytest.mark.slow
def test_live_briefing_fetches_keeps_and_shows_fund_data(loopback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole pipeline on loopback: prices from the market service, fund data from recorded answers."""
    from bench.support.market import Market
    from generator import build_briefing
    from generator.acquire import DataSources
    from generator.sources.fred import FredProvider
    from generator.sources.yahoo import YahooProvider

    day = date(2026, 11, 20)
    spec = load_report(REPORT).spec
    Market(spec.series).serve(loopback)
    serve_funds(loopback, FIRST)
    provider = YahooProvider(FAST, base_url=loopback.url, cache_dir=tmp_path / "yf", max_workers=4)
    sources = DataSources(
        live={
            "yahoo": provider,
            "fred": FredProvider(None, settings=FAST, csv_url=f"{loopback.url}/graph/fredgraph.csv",
                                 api_root=f"{loopback.url}/fred", today=lambda: day),
        },
        store=ParquetStore(tmp_path / "store"),
        funds=YahooFunds(FAST, session=provider.session),
        today=lambda: day,
    )
    result = build_briefing(day, source="live", formats=["html"], output_dir=tmp_path / "out", report=REPORT,
                            sources=sources, parallel=False)
    indicators = result.manifest["indicators"]
    assert indicators["mag7_weight_spy"]["value"] == pytest.approx(43.9148805)
    assert indicators["iwm_spy_holdings_pe_discount"]["value"] == pytest.approx(100 * (1 - 0.02938 / 0.03759))
    assert result.manifest["series"]["PE_HOLD_SPY"]["source"] == "yahoo-fund"
    assert ParquetStore(tmp_path / "store").rows("W_MAG7")["value"].tolist() == pytest.approx([0.439148805])
    html = (result.directory / "briefing.html").read_text(encoding="utf-8")
    assert "Magnificent 7 weight in SPY (Yahoo fund data)" in html
    assert "Yahoo reports no priceToEarnings for IJR (0)" in html  # the reason, in the data-quality box
