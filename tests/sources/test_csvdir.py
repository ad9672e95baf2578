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
    # 2025-09-26 is a partial intraday bar in these files (IWM's volume is 36 % of its 20-day median): left out,
    # and said in the data-quality box and the manifest
    assert snap.series["SPY"].last_date == date(2025, 9, 25) and not snap.series["SPY"].stale
    partial = [q for q in manifest["data_quality"] if "left out as a partial bar" in q["message"]]
    assert sorted(q["series"] for q in partial) == ["IWM", "IWN", "SPY"]
    missing = {q.series_id for q in snap.quality if q.message.startswith("missing")}
    assert "DFEDTARU" in missing and "SPY" not in missing
    computed = [v for v in result.analysis.indicators.values() if v.ok]
    assert len(computed) >= len(result.analysis.indicators) // 2
    html = (result.directory / "briefing.html").read_text(encoding="utf-8")
    assert "2025-09-26" in html


# ---------------------------------------------------------------- dates: day first, month first, never a guess

AUGUST = pd.bdate_range("2025-08-01", "2025-08-12")  # 8 weekdays, every day <= 12: each reads both ways


def _write(path: Path, days: pd.DatetimeIndex, fmt: str, values: list[float] | None = None) -> Path:
    values = values if values is not None else [100.0 + i for i in range(len(days))]
    path.write_text("Date,Adj Close\n" + "".join(f"{d.strftime(fmt)},{v}\n" for d, v in zip(days, values, strict=True)))
    return path


def test_dates_that_read_both_ways_are_refused_naming_the_file_and_the_fix(tmp_path: Path) -> None:
    from generator.errors import UsageError

    path = _write(tmp_path / "IWM.csv", AUGUST, "%d/%m/%Y")
    with pytest.raises(UsageError) as info:
        read_table(path, "IWM", "adjclose")
    assert str(info.value) == (
        "csv file IWM.csv: ambiguous dates in column 'Date' ('01/08/2025' is 1 August 2025 day first, "
        "8 January 2025 month first); pass --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y "
        "(month first)"
    )
    with pytest.raises(UsageError):  # the folder provider refuses too: the whole run stops on one line
        CsvDirProvider(tmp_path).fetch([price("IWM")], date(2025, 1, 1), date(2025, 8, 13))
    table = read_table(path, "IWM", "adjclose", date_format="%d/%m/%Y")
    assert list(table.raw.index) == list(AUGUST) and table.notes == ()
    data = CsvDirProvider(tmp_path, "%m/%d/%Y").fetch([price("IWM")], date(2025, 1, 1), date(2025, 12, 31))
    assert data.series["IWM"].first_date == date(2025, 1, 8)  # month first, as asked: Jan 8, Feb 8, ... Aug 12


def test_day_first_dates_that_read_one_way_only_are_read_that_way_and_said(tmp_path: Path) -> None:
    # The reported case: July and August 2025 in DD/MM/YYYY; "13/07/2025" cannot be month first.
    days = pd.bdate_range("2025-07-01", "2025-08-13")
    iso = read_table(_write(tmp_path / "a.csv", days, "%Y-%m-%d"), "IWM", "adjclose")
    dmy = read_table(_write(tmp_path / "b.csv", days, "%d/%m/%Y"), "IWM", "adjclose")
    assert dmy.notes == ("dates read day first (%d/%m/%Y): the only reading that fits every row",)
    a, b = check_series(price(), iso.raw), check_series(price(), dmy.raw)
    assert a.values is not None and b.values is not None
    pd.testing.assert_series_equal(a.values, b.values)
    assert not any("sorted" in n for n in b.notes)


def test_dates_that_come_out_of_order_are_refused(tmp_path: Path) -> None:
    from generator.errors import UsageError

    path = tmp_path / "IWM.csv"
    path.write_text("date,value\n2025-08-01,1\n02/08/2025,2\n2025-08-05,3\n")  # a guess reads 2 February
    with pytest.raises(UsageError, match=r"csv file IWM.csv: dates in column 'date' .* come out of order"):
        read_table(path, "IWM")
    with pytest.raises(UsageError, match=r"no date in column 'date' matches --date-format %d\.%m\.%Y"):
        read_table(path, "IWM", date_format="%d.%m.%Y")


def test_cli_import_refuses_ambiguous_dates_then_takes_the_format(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.cli import main
    from generator.store import ParquetStore

    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    path = _write(tmp_path / "IWM.csv", AUGUST, "%d/%m/%Y")
    # exit 2: a usage error, as data import reports every file it refuses (README: exit codes)
    assert main(["data", "import", str(path), "--report", str(REPO / "reports" / "small_cap_rotation.toml")]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "error: csv file IWM.csv: ambiguous dates in column 'Date' ('01/08/2025' is 1 August 2025 day first, "
        "8 January 2025 month first); pass --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y "
        "(month first)"]
    assert ParquetStore(tmp_path / "data").read(SPEC.series["IWM"]) is None  # nothing merged
    assert main(["data", "import", str(path), "--date-format", "%d/%m/%Y"]) == 0
    stored = ParquetStore(tmp_path / "data").read(SPEC.series["IWM"])
    assert stored is not None and list(stored.values.index) == list(AUGUST)
    assert main(["data", "import", str(path), "--date-format", "%Q"]) == 2
    assert capsys.readouterr().err.strip().startswith("error: --date-format '%Q' does not name a day, month")


def test_cli_generate_refuses_ambiguous_csv_dates_in_one_line(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    from generator.cli import main

    folder = tmp_path / "exports"
    folder.mkdir()
    _write(folder / "IWM.csv", AUGUST, "%d/%m/%Y")
    args = ["generate", "--date", "2025-08-13", "--source", f"csv:{folder}", "--output", str(tmp_path / "out"),
            "--format", "html"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: csv file IWM.csv: ambiguous dates in column 'Date'") and len(
        [line for line in err if line.startswith("error:")]) == 1
    assert "Traceback" not in "\n".join(err) and not (tmp_path / "out" / "2025-08-13").exists()
    assert main(["generate", "--source", "store", "--date-format", "%d/%m/%Y", "--output", str(tmp_path)]) == 2
    assert "--source store reads no such files" in capsys.readouterr().err
