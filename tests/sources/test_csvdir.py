"""The CSV/Parquet folder provider: the layouts users have, validation, and a whole briefing from real files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from generator.errors import SourceError
from generator.sources.csvdir import CsvDirProvider, find_file, parse_csv, read_table
from generator.sources.validate import check_series
from generator.spec import SeriesSpec, load_spec

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec(REPO / "reports" / "small_cap_rotation.toml").spec


def price(sid: str = "IWM", field: str = "adjclose") -> SeriesSpec:
    return SeriesSpec(id=sid, provider="yahoo", label=sid, frequency="daily", kind="price", unit="USD",
                      field=field)  # type: ignore[arg-type]


def rate(sid: str = "DGS10") -> SeriesSpec:
    return SeriesSpec(id=sid, provider="fred", label=sid, frequency="daily", kind="rate", unit="%")


@pytest.mark.parametrize(
    ("text", "spec", "expected", "column"),
    [
        ("date,value\n2026-11-18,1.5\n2026-11-19,1.6\n", rate(), [1.5, 1.6], "value"),
        ("DATE,DGS10\n2026-11-18,4.1\n2026-11-19,.\n", rate(), [4.1], "DGS10"),
        ("observation_date,DGS10\n2026-11-18,4.1\n2026-11-19,\n", rate(), [4.1], "DGS10"),
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2026-11-18,1,2,0.5,10,9.5,7\n", price(), [9.5], "Adj Close"),
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2026-11-18,1,2,0.5,10,9.5,7\n", price(field="close"), [10.0],
         "Close"),
        ("Date,close,high,low,open,volume\n2026-11-18,10,11,9,9.5,700\n", price(field="volume"), [700.0], "volume"),
        ("timestamp,open,high,low,close,volume\n2026-11-19,1,1,1,11,5\n2026-11-18,1,1,1,10,5\n", price(),
         [10.0, 11.0], "close"),
    ],
)
def test_layouts(text: str, spec: SeriesSpec, expected: list[float], column: str) -> None:
    table = parse_csv(text, spec.id, spec.field)
    assert table.column == column
    checked = check_series(spec, table.raw)
    assert checked.values is not None and list(checked.values) == expected


def test_adj_close_fallback_and_newest_first_are_flagged() -> None:
    table = parse_csv("timestamp,open,high,low,close,volume\n2026-11-19,1,1,1,11,5\n2026-11-18,1,1,1,10,5\n", "IWM",
                      "adjclose")
    checked = check_series(price(), table.raw)
    assert any("no Adj Close column" in n for n in table.notes)
    assert "dates were newest-first; reversed" in checked.notes


def test_ambiguous_and_headerless_files_are_refused() -> None:
    with pytest.raises(SourceError, match="cannot tell which column"):
        parse_csv("date,a,b\n2026-11-18,1,2\n", "DGS10")
    with pytest.raises(SourceError, match="no date column"):
        parse_csv("<html><body>Not Found</body></html>", "DGS10")
    with pytest.raises(SourceError, match="malformed CSV"):
        parse_csv('date,value\n"2026-11-18,1\n', "DGS10")


def test_duplicates_non_numbers_and_empties() -> None:
    checked = check_series(rate(), parse_csv("date,value\n2026-11-18,1\n2026-11-18,2\n2026-11-19,abc\n",
                                              "DGS10").raw)
    assert checked.values is not None and list(checked.values) == [2.0]
    assert any("more than once with different values" in n for n in checked.notes)
    assert any("non-numeric" in n for n in checked.notes)
    assert check_series(rate(), parse_csv("date,value\n", "DGS10").raw).rejected == "empty response: no observations"
    assert check_series(rate(), parse_csv("date,value\n2026-11-18,x\n", "DGS10").raw).rejected == \
        "no numeric observations"


def test_parquet_and_name_matching(tmp_path: Path) -> None:
    frame = pd.DataFrame({"value": [1.0, 2.0]}, index=pd.DatetimeIndex(["2026-11-18", "2026-11-19"], name="date"))
    frame.to_parquet(tmp_path / "dgs10.parquet")
    (tmp_path / "VIX.csv").write_text("Date,Close\n2026-11-18,17.5\n")
    assert find_file(tmp_path, rate()) == tmp_path / "dgs10.parquet"
    vix = SPEC.series["VIX"]  # symbol ^VIX: the file is named after the id
    assert find_file(tmp_path, vix) == tmp_path / "VIX.csv"
    assert list(read_table(tmp_path / "dgs10.parquet", "DGS10").raw) == [1.0, 2.0]
    result = CsvDirProvider(tmp_path).fetch([rate(), vix, price("SPY")], date(2026, 1, 1), date(2026, 11, 20))
    assert set(result.series) == {"DGS10", "VIX"} and "SPY" in result.failures


# ---------------------------------------------------------------- integration on real histories

# Which real file stands for which series of the report (see ../shared/data/SOURCES.md).
REAL_FILES = {
    "market/yahoo_csv_silverlight": ["SPY", "IWM", "IWN", "VIX", "XLE", "XLI", "XLU"],
    "market/yfinance_adjusted_pairs_trading_system/daily_5y": ["RSP", "IJR", "AAPL", "MSFT"],
    "macro/fred_csv_codex_macro_monitor": ["DGS2", "DGS10", "T10Y2Y", "CPIAUCSL", "CPILFESL", "PCEPILFE",
                                           "UNRATE", "BAMLH0A0HYM2", "T5YIE", "INDPRO", "DCOILWTICO", "USREC"],
    "macro/fred_csv_corporate_bond_spread_prediction": ["NFCI", "BAA10Y"],
    "macro/fred_csv_misc": ["DFF", "SAHMREALTIME"],
}
BRIEFING_DAY = date(2025, 9, 26)  # the last day of the long Yahoo histories


@pytest.mark.slow
def test_whole_briefing_from_real_histories(shared_data: Path, tmp_path: Path) -> None:
    from generator import build_briefing

    folder = tmp_path / "exports"
    folder.mkdir()
    for sub, ids in REAL_FILES.items():
        for sid in ids:
            (folder / f"{sid}.csv").symlink_to(shared_data / sub / f"{sid}.csv")
    result = build_briefing(BRIEFING_DAY, source=f"csv:{folder}", formats=("html",), output_dir=tmp_path / "out",
                            report=REPO / "reports" / "small_cap_rotation.toml")

    manifest = json.loads((result.directory / "manifest.json").read_text(encoding="utf-8"))
    used = {sid for ids in REAL_FILES.values() for sid in ids}
    assert {sid for sid, s in manifest["series"].items() if s["source"] == "csv"} == used
    assert not manifest["source"]["illustrative"]
    snap = result.analysis.snapshot
    for sid in used:
        data, spec = snap.series[sid], SPEC.series[sid]
        # point in time: nothing dated after the briefing, nothing published after it
        assert data.last_date is not None and data.last_date <= BRIEFING_DAY
        assert (data.values.index + pd.Timedelta(days=spec.publication_lag_days) <= pd.Timestamp(BRIEFING_DAY)).all()
    assert snap.series["CPIAUCSL"].last_date == date(2025, 8, 1)  # August CPI was out on 09-11; September was not
    assert snap.series["SPY"].last_date == BRIEFING_DAY and not snap.series["SPY"].stale
    missing = {q.series_id for q in snap.quality if q.message.startswith("missing")}
    assert "DFEDTARU" in missing and "SPY" not in missing
    computed = [v for v in result.analysis.indicators.values() if v.ok]
    assert len(computed) >= len(result.analysis.indicators) // 2
    html = (result.directory / "briefing.html").read_text(encoding="utf-8")
    assert "2025-09-26" in html
