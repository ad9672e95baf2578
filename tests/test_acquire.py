"""The fallback chain end to end: real providers against Yahoo- and FRED-shaped services on 127.0.0.1.

The services answer any ticker or series id for the dates asked (Yahoo's
``period1``/``period2``, FRED's ``cosd``/``coed``), like the real ones, with a
small latency, so the whole report's series go through the real code paths:
incremental store updates, stale fallbacks, ``--strict``, ``csv:DIR``, offline
``store`` runs and ALFRED's vintages.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bench.support.market import Market
from generator.acquire import DataSources, SourceSettings, acquire, default_sources, group_notes, parse_source
from generator.errors import DataQualityError, UsageError
from generator.model import QualityNote
from generator.sources.base import FetchResult
from generator.sources.fred import FredProvider
from generator.sources.http import NetworkSettings
from generator.sources.yahoo import YahooProvider
from generator.spec import load_spec
from generator.store import ParquetStore

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC = load_spec(REPO / "reports" / "small_cap_rotation.toml").spec
FAST = NetworkSettings(timeout=2.0, retries=1, backoff=0.001, backoff_max=0.005)
LATENCY = 0.02
# Most tests need only a few series of each kind; one test runs the whole report.
SMALL = SPEC.model_copy(update={"series": {k: SPEC.series[k] for k in ("SPY", "IWM", "VIX", "DGS10", "CPIAUCSL")}})


@pytest.fixture
def market(loopback) -> Market:  # type: ignore[no-untyped-def]
    m = Market(SPEC.series, latency=LATENCY)
    m.serve(loopback)
    return m


def live(loopback, tmp_path: Path, today: date, key: str | None = None) -> DataSources:  # type: ignore[no-untyped-def]
    return DataSources(
        live={
            "yahoo": YahooProvider(FAST, base_url=loopback.url, cache_dir=tmp_path / "yf", max_workers=4),
            "fred": FredProvider(key, settings=FAST, csv_url=f"{loopback.url}/graph/fredgraph.csv",
                                 api_root=f"{loopback.url}/fred", today=lambda: today),
        },
        store=ParquetStore(tmp_path / "store"),
        today=lambda: today,
    )


DAY1, DAY2 = date(2026, 11, 19), date(2026, 11, 20)


def test_whole_report_live_then_incremental(loopback, market: Market, tmp_path: Path) -> None:
    snap = acquire(SPEC, DAY1, "auto", live(loopback, tmp_path, DAY1))
    assert set(snap.series) == set(SPEC.series)
    assert {d.source for d in snap.series.values()} == {"yahoo", "fred-csv"}
    assert not any(q.level == "error" for q in snap.quality), snap.quality
    first = {q["id"]: q["cosd"] for q in loopback.hits("/graph/fredgraph.csv")}
    assert first["DGS10"] == "2014-11-19"  # full history on the first run
    rows_before = len(ParquetStore(tmp_path / "store").rows("SPY"))

    loopback.requests.clear()
    snap2 = acquire(SPEC, DAY2, "auto", live(loopback, tmp_path, DAY2))
    second = {q["id"]: q["cosd"] for q in loopback.hits("/graph/fredgraph.csv")}
    assert second["DGS10"] == "2026-11-09"  # only what is new, minus a short revision window
    history = [q for p, q in loopback.requests if p.endswith("/SPY") and "period1" in q]
    assert pd.Timestamp(int(history[0]["period1"]), unit="s") > pd.Timestamp("2026-05-01")
    assert len(ParquetStore(tmp_path / "store").rows("SPY")) == rows_before + 1, [  # one new day
        q.message for q in snap2.quality if q.series_id in ("SPY", "*")]
    spy = snap2.series["SPY"]
    assert spy.source == "yahoo" and spy.last_date == DAY2 and spy.first_date < date(2015, 1, 1)  # merged history


def test_failed_series_falls_back_to_store_marked_stale_and_strict_refuses(
    loopback, market: Market, tmp_path: Path
) -> None:
    acquire(SMALL, DAY1, "auto", live(loopback, tmp_path, DAY1))
    market.fail = {"IWM": 500, "DGS10": 503}
    snap = acquire(SMALL, DAY2, "auto", live(loopback, tmp_path, DAY2))
    for sid in ("IWM", "DGS10"):
        data = snap.series[sid]
        assert data.source == "store" and data.stale and data.last_date == DAY1
        (note,) = [q.message for q in snap.quality if q.series_id == sid]
        assert "failed" in note and f"using stored data up to {DAY1} (stale)" in note
    assert snap.series["SPY"].source == "yahoo" and not snap.series["SPY"].stale

    with pytest.raises(DataQualityError) as info:
        acquire(SMALL, DAY2, "auto", live(loopback, tmp_path, DAY2), strict=True)
    assert "IWM: stale" in str(info.value) and "DGS10: stale" in str(info.value)
    assert info.value.exit_code == 3


def test_store_mode_is_offline(loopback, market: Market, tmp_path: Path) -> None:
    acquire(SMALL, DAY1, "auto", live(loopback, tmp_path, DAY1))
    loopback.requests.clear()
    snap = acquire(SMALL, DAY1, "store", DataSources(store=ParquetStore(tmp_path / "store")))
    assert loopback.requests == []
    assert {d.source for d in snap.series.values()} == {"store"}
    assert set(snap.series) == set(SMALL.series)


def test_dividend_rebase_refetches_full_adjusted_history(loopback, market: Market, tmp_path: Path) -> None:
    acquire(SMALL, DAY1, "auto", live(loopback, tmp_path, DAY1))
    market.factor = 0.97  # an ex-dividend day re-bases every past adjusted close
    snap = acquire(SMALL, DAY2, "auto", live(loopback, tmp_path, DAY2))
    old_day = pd.Timestamp("2016-03-01")
    assert snap.series["SPY"].values[old_day] == pytest.approx(market.closes("SPY")[old_day] * 0.97)
    assert any("adjusted history changed" in q.message for q in snap.quality if q.series_id == "SPY")


def test_live_mode_does_not_fall_back(loopback, market: Market, tmp_path: Path) -> None:
    acquire(SMALL, DAY1, "auto", live(loopback, tmp_path, DAY1))
    market.fail = {"IWM": 500}
    snap = acquire(SMALL, DAY2, "live", live(loopback, tmp_path, DAY2))
    assert "IWM" not in snap.series
    assert any(q.series_id == "IWM" and q.level == "error" for q in snap.quality)


def test_alfred_vintages_are_used_but_not_stored(loopback, tmp_path: Path) -> None:
    xml = (FIXTURES / "fred" / "CPIAUCSL_all_releases.xml").read_bytes()
    loopback.route("/fred/series/observations", lambda p, q: (200, {"Content-Type": "text/xml"}, xml))
    cpi = SPEC.model_copy(update={"series": {"CPIAUCSL": SPEC.series["CPIAUCSL"]}})
    sources = live(loopback, tmp_path, date(2026, 11, 20), key="0123456789abcdef0123456789abcdef")
    snap = acquire(cpi, date(2024, 8, 20), "live", sources)
    data = snap.series["CPIAUCSL"]
    assert data.source == "alfred" and data.last_date == date(2024, 7, 1)
    assert "ALFRED real-time vintages" in snap.point_in_time_policy
    assert ParquetStore(tmp_path / "store").read(SPEC.series["CPIAUCSL"]) is None


class Exploding:
    """A provider that breaks its contract by raising: the run must go on."""

    name = "yahoo"

    def fetch(self, specs: Any, start: date, end: date) -> FetchResult:
        raise RuntimeError("boom")


def test_a_provider_that_raises_does_not_abort(tmp_path: Path) -> None:
    snap = acquire(SMALL, DAY1, "auto", DataSources(live={"yahoo": Exploding()}, store=ParquetStore(tmp_path)))
    assert snap.series["SPY"].source == "illustrative"
    # one outage, one line: the shared reason is grouped with the series it hit
    (note,) = [q for q in snap.quality if "RuntimeError: boom" in q.message]
    assert note.series_id == "*" and note.message == "live yahoo failed: RuntimeError: boom (all 3 yahoo series)"


def test_a_fallback_to_illustrative_data_is_said_once(tmp_path: Path) -> None:
    snap = acquire(SMALL, DAY1, "auto", DataSources(live={"yahoo": Exploding()}, store=ParquetStore(tmp_path)))
    said = [q.message for q in snap.quality if "illustrative" in q.message.lower()]
    assert said == ["all 5 series fell back to illustrative data (not market data)"]
    alone = acquire(SMALL, DAY1, "illustrative", DataSources(store=ParquetStore(tmp_path)))
    assert [q.message for q in alone.quality if "Illustrative" in q.message] == [
        "Illustrative data - not market data (all 5 series)"]



def test_notes_group_on_their_reason_and_keep_the_shared_opening() -> None:
    offline = "cannot resolve Yahoo's host (offline, or set BRIEFING_PROXY)"
    notes = [
        QualityNote("PE_TTM_IWM", "warning", f"Yahoo IWM trailingPE: {offline}"),
        QualityNote("PE_TTM_SPY", "warning", f"Yahoo SPY trailingPE: {offline}"),
        QualityNote("PE_HOLD_SPY", "warning", f"Yahoo fund data SPY: {offline}"),
        QualityNote("W_SPY_AAPL", "warning", f"Yahoo fund data SPY: {offline}"),
        QualityNote("DGS2", "warning", "stale: last observation 2025-06-13"),
        QualityNote("DGS10", "warning", "stale: last observation 2025-06-13"),
        QualityNote("PE_TTM_IJR", "info", f"Yahoo IJR trailingPE: {offline}"),  # another level: not merged
    ]
    assert group_notes(notes) == (
        QualityNote("*", "warning", f"Yahoo: {offline} (4 series: PE_TTM_IWM, PE_TTM_SPY, PE_HOLD_SPY, W_SPY_AAPL)"),
        notes[4], notes[5], notes[6],  # two are fewer than three: kept as they are
    )
    same = [QualityNote(s, "warning", "live fred failed: timed out") for s in ("DFF", "DGS2", "DGS2", "DGS10")]
    assert group_notes(same) == (
        QualityNote("*", "warning", "live fred failed: timed out (3 series: DFF, DGS2, DGS10)"),)
    assert group_notes(same[:3]) == tuple(same[:3])  # two series are not an outage
    assert group_notes([QualityNote(s, "info", "no colon here") for s in "ABC"]) == (
        QualityNote("*", "info", "no colon here (3 series: A, B, C)"),)
    # a bare reason shared by unrelated openings says nothing of what failed: those stay apart
    unrelated = [QualityNote("A", "info", "analyst file: no data"), QualityNote("B", "info", "quote: no data"),
                 QualityNote("C", "info", "fund data: no data")]
    assert group_notes(unrelated) == tuple(unrelated)
    alike = [QualityNote(s, "info", "analyst file: no data") for s in "ABC"]
    assert group_notes(unrelated + alike) == (
        QualityNote("*", "info", "analyst file: no data (3 series: A, B, C)"), unrelated[1], unrelated[2])
    assert group_notes(same, families={"fred series": ["DFF", "DGS2", "DGS10"], "series": ["SPY", "DFF"]}) == (
        QualityNote("*", "warning", "live fred failed: timed out (all 3 fred series)"),)


def test_csv_folder_source(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "IWM.csv").write_text("Date,Open,High,Low,Close,Adj Close,Volume\n"
                                    "2026-11-18,240,241,239,240.5,240.1,100\n2026-11-19,241,242,240,241.5,241.2,90\n")
    (folder / "DGS10.csv").write_text("DATE,DGS10\n2026-11-17,4.10\n2026-11-18,.\n2026-11-19,4.12\n")
    snap = acquire(SMALL, DAY1, f"csv:{folder}", DataSources())
    assert list(snap.series["IWM"].values) == [240.1, 241.2]  # Adj Close preferred over Close
    # DGS10 is published a day after its date: the 19th's value is not yet known on the 19th.
    assert snap.series["DGS10"].source == "csv" and list(snap.series["DGS10"].values) == [4.10]
    assert "SPY" not in snap.series
    assert any(q.series_id == "SPY" and "no csv file SPY.csv (or SPY.parquet) in the csv folder" in q.message for q in snap.quality)
    with pytest.raises(DataQualityError, match="SPY: missing"):
        acquire(SMALL, DAY1, f"csv:{folder}", DataSources(), strict=True)


def test_source_option_errors(tmp_path: Path) -> None:
    assert parse_source(f"csv:{tmp_path}") == ("csv", tmp_path)
    with pytest.raises(UsageError, match="needs a folder"):
        parse_source("csv:")
    with pytest.raises(UsageError, match="does not exist"):
        parse_source(f"csv:{tmp_path / 'nope'}")


def test_default_sources_from_environment(tmp_path: Path) -> None:
    env = {"BRIEFING_DATA_DIR": str(tmp_path), "FRED_API_KEY": "0123456789abcdef0123456789abcdef",
           "BRIEFING_HTTP_TIMEOUT": "7", "BRIEFING_PROXY": "http://proxy.internal:3128",
           "BRIEFING_FRED_API_ROOT": "https://fred-mirror.internal/fred"}
    settings = SourceSettings.from_env(env)
    assert "0123456789abcdef" not in repr(settings)
    sources = default_sources(settings)
    fred = sources.live["fred"]
    assert isinstance(fred, FredProvider) and fred.mode == "api" and fred.api_root.startswith("https://fred-mirror")
    assert fred.session.proxies == {"http": "http://proxy.internal:3128", "https": "http://proxy.internal:3128"}
    assert isinstance(sources.store, ParquetStore) and sources.store.root == tmp_path
    with pytest.raises(UsageError, match="BRIEFING_HTTP_TIMEOUT"):
        SourceSettings.from_env({"BRIEFING_HTTP_TIMEOUT": "soon"})


def test_cli_strict_exits_3_with_the_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from generator.cli import main

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "SPY.csv").write_text("date,value\n2026-10-01,600\n2026-10-02,601\n")
    code = main(["generate", "--date", "2026-11-20", "--source", f"csv:{folder}", "--strict", "--format", "html",
                 "--output", str(tmp_path / "out"), "--quiet"])
    _, err = capsys.readouterr()
    assert code == 3
    assert "--strict:" in err and "SPY: stale (last observation 2026-10-02, source csv)" in err
    assert "IWM: missing" in err
    assert not (tmp_path / "out" / "2026-11-20").exists()


def test_key_never_reaches_manifest_or_briefing(loopback, tmp_path: Path) -> None:
    from generator import build_briefing

    key = "abad1deaabad1deaabad1deaabad1dea"

    def echo(path: str, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        # a misbehaving gateway that echoes the request, key included, in its error message
        echoed = "&amp;".join(f"{k}={v}" for k, v in query.items())
        return 400, {"Content-Type": "text/xml"}, f'<error code="400" message="Bad Request: {echoed}"/>'

    loopback.route("/fred/series/observations", echo)
    sources = DataSources(live={"fred": FredProvider(key, settings=FAST, api_root=f"{loopback.url}/fred",
                                                     today=lambda: DAY1)}, store=ParquetStore(tmp_path / "s"))
    result = build_briefing(DAY1, source="auto", sources=sources, formats=("html",), output_dir=tmp_path / "out",
                            report=REPO / "reports" / "small_cap_rotation.toml")
    notes = [q.message for q in result.analysis.snapshot.quality]
    assert any("api_key=***" in n for n in notes)  # the failure is reported, scrubbed
    for path in result.directory.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_fred_series_are_stored_while_other_requests_are_still_out(loopback, tmp_path: Path) -> None:
    market = Market(SPEC.series)
    store = ParquetStore(tmp_path / "store")

    def cpi_after_dgs10_is_stored(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        if query["id"] == "CPIAUCSL":  # answers only once the other series is on disk
            deadline = time.monotonic() + 5
            while not store.path("DGS10").exists():
                if time.monotonic() > deadline:
                    return 500, {"Content-Type": "text/plain"}, "DGS10 was not stored while CPIAUCSL was out"
                time.sleep(0.01)
        return market.fredgraph(path, query)

    loopback.route("/graph/fredgraph.csv", cpi_after_dgs10_is_stored)
    two = SPEC.model_copy(update={"series": {k: SPEC.series[k] for k in ("DGS10", "CPIAUCSL")}})
    fred = FredProvider(None, settings=NetworkSettings(timeout=10.0, retries=0),
                        csv_url=f"{loopback.url}/graph/fredgraph.csv", today=lambda: DAY1)
    snap = acquire(two, DAY1, "live", DataSources(live={"fred": fred}, store=store, today=lambda: DAY1))
    assert {sid: d.source for sid, d in snap.series.items()} == {"DGS10": "fred-csv", "CPIAUCSL": "fred-csv"}
    assert store.last_date("CPIAUCSL") is not None and store.last_date("DGS10") is not None
