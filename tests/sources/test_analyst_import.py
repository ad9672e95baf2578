"""``briefing data import-analyst``: a vendor export validated row by row and merged into the analyst file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from report_copies import report_copy

from generator.cli import main
from generator.errors import SpecError
from generator.model import Snapshot
from generator.pipeline import load_report
from generator.sources.analyst import import_rows, parse_vendor_export, read_analyst_file
from generator.sources.valuation import add_valuation_inputs

REPORT = Path(__file__).resolve().parents[2] / "reports" / "small_cap_rotation.toml"
TODAY = date(2025, 9, 1)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """A copy of the real definition with the shipped (empty) analyst file beside it."""
    path = report_copy(tmp_path)
    shipped = (REPORT.parent / "analyst_inputs.csv").read_text(encoding="utf-8")
    (tmp_path / "analyst_inputs.csv").write_text(shipped, encoding="utf-8")
    return path


def export(tmp_path: Path, text: str, name: str = "vendor.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_long_export_with_vendor_headers_units_and_default_source(report: Path, tmp_path: Path) -> None:
    spec = load_report(report).spec
    path = export(tmp_path, (
        "\ufeffSeries ID,As Of,Value,Unit,Comment\n"  # Excel's byte-order mark, the vendor's own header names
        "PE_FWD_R2000,2025-07-31,13.2x,,excluding loss-making members\n"
        "PE_FWD_SPX,2025-07-31,22,x,\n"
        "W_AAPL,2025-07-31,7.1,%,\n"
        "W_MSFT,2025-07-31,6.5%,,\n"
        "W_NVDA,2025-07-31,0.073,fraction,\n"
    ))
    rows = parse_vendor_export(path, spec, default_source="Example Research 2025-08-04", today=TODAY)
    got = {r.input: (r.value, r.source, r.note, r.line) for r in rows}
    assert got["PE_FWD_R2000"] == (13.2, "Example Research 2025-08-04", "excluding loss-making members", 2)
    assert got["PE_FWD_SPX"][0] == 22.0
    assert got["W_AAPL"][0] == pytest.approx(0.071)  # percent turned into the input's unit, a fraction
    assert got["W_MSFT"][0] == pytest.approx(0.065)
    assert got["W_NVDA"][0] == 0.073


def test_wide_export_one_column_per_input(report: Path, tmp_path: Path) -> None:
    spec = load_report(report).spec
    path = export(tmp_path, "date,source,PE_FWD_R2000,PE_FWD_SPX\n2025-06-30,Vendor A,14.0,21.0\n2025-07-31,Vendor A,13.2,\n")
    rows = parse_vendor_export(path, spec, today=TODAY)
    assert [(r.input, str(r.date), r.value, r.line) for r in rows] == [
        ("PE_FWD_R2000", "2025-06-30", 14.0, 2), ("PE_FWD_SPX", "2025-06-30", 21.0, 2), ("PE_FWD_R2000", "2025-07-31", 13.2, 3)
    ]


def test_every_bad_row_is_one_error_naming_file_row_and_column(report: Path, tmp_path: Path) -> None:
    spec = load_report(report).spec
    path = export(tmp_path, (
        "input,date,value,source,unit\n"
        "PE_FWD_R2000,2025-07-31,13.2,,\n"
        "PE_FWD_R2K,2025-07-31,13.2,src,\n"
        "PE_FWD_SPX,31/07/2025,22,src,\n"
        "PE_FWD_SPX,2025-07-31,high,src,\n"
        "W_AAPL,2025-07-31,7.1,src,\n"
        "W_AAPL,2025-06-30,0.07,src,bp\n"
        "PE_FWD_SPX,2025-06-30,21,src,%\n"
        "PE_FWD_SPX,2026-01-30,21,src,\n"
        "PE_FWD_SPX,2025-05-30,900,src,\n"
        "PE_FWD_SPX,2025-04-30,21\n"
    ))
    with pytest.raises(SpecError) as err:
        parse_vendor_export(path, spec, today=TODAY)
    assert str(err.value).splitlines() == [
        "vendor.csv:2: source: every figure needs its source (a source column, or --source NAME)",
        "vendor.csv:3: input: 'PE_FWD_R2K' is not an analyst input of PE_FWD_R2000, PE_FWD_SPX, PE_FWD_R2000V, "
        "W_AAPL, W_MSFT, W_NVDA, W_AMZN, W_GOOGL, W_META, W_TSLA",
        "vendor.csv:4: date: expected YYYY-MM-DD, got '31/07/2025'",
        "vendor.csv:5: value: expected a number, got 'high'",
        "vendor.csv:6: value: 7.1 looks like a percent, but W_AAPL is a fraction: write 0.071, or give the unit % "
        "(a unit column or '7.1%')",
        "vendor.csv:7: unit: W_AAPL is a fraction (0.071 for 7.1%); got unit 'bp'",
        "vendor.csv:8: unit: PE_FWD_SPX is a multiple (x, e.g. 14.2); got unit '%'",
        "vendor.csv:9: date: 2026-01-30 is in the future",
        "vendor.csv:10: value: 900 is outside the plausible range 5 to 60 for PE_FWD_SPX",
        "vendor.csv:11: expected 5 columns, got 3",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("input,value,source\nPE_FWD_SPX,21,s\n", "vendor.csv:1: header: no date column (one of date, as_of, "),
        ("date,ticker,PE_FWD_SPX\n2025-07-31,SPX,21\n", "vendor.csv:1: header: ticker is not an analyst input"),
        ("input,date,value,currency\nPE_FWD_SPX,2025-07-31,21,USD\n", "vendor.csv:1: header: unknown column(s) currency"),
        ("input,date,value,source\nPE_FWD_SPX,2025-07-31,21,a\nPE_FWD_SPX,2025-07-31,22,b\n",
         "vendor.csv:3: PE_FWD_SPX on 2025-07-31 is also on row 2"),
    ],
)
def test_header_and_duplicate_problems(report: Path, tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_vendor_export(export(tmp_path, text), load_report(report).spec, today=TODAY)
    assert str(err.value).startswith(message)


def test_merge_keeps_comments_revises_and_the_next_briefing_reads_it(report: Path, tmp_path: Path) -> None:
    loaded = load_report(report)
    target = tmp_path / "analyst_inputs.csv"
    first = parse_vendor_export(
        export(tmp_path, "input,date,value,source,note\nPE_FWD_R2000,2025-06-30,14,\"Vendor, monthly\",ex-losses\n"
               "PE_FWD_SPX,2025-06-30,21,Vendor,\n"), loaded.spec, today=TODAY)
    done = import_rows(target, loaded.spec, first)
    assert (done.added, done.revised, done.unchanged) == (2, 0, 0)
    second = parse_vendor_export(export(tmp_path, "input,date,value,source\nPE_FWD_SPX,2025-06-30,21.5,Vendor\n"
                                        "PE_FWD_SPX,2025-07-31,22,Vendor\nPE_FWD_R2000,2025-06-30,14,\"Vendor, monthly\"\n",
                                        name="v2.csv"), loaded.spec, today=TODAY)
    done = import_rows(target, loaded.spec, second)
    assert (done.added, done.revised, done.unchanged) == (1, 2, 0)  # R2000's note went from ex-losses to empty
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Analyst inputs for reports/small_cap_rotation.toml")  # the explanation is kept
    assert text.splitlines()[-3:] == [
        'PE_FWD_R2000,2025-06-30,14.0,"Vendor, monthly",',
        "PE_FWD_SPX,2025-06-30,21.5,Vendor,",
        "PE_FWD_SPX,2025-07-31,22.0,Vendor,",
    ]
    assert len(read_analyst_file(target, loaded.spec)) == 3
    snap = add_valuation_inputs(loaded.spec, report, Snapshot(as_of=TODAY, series={}, requested_source="csv"))
    assert snap.series["PE_FWD_SPX"].values.tolist() == [21.5, 22.0]


def test_cli_imports_and_reports_each_bad_row_on_its_own_line(
    report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = export(tmp_path, "date,PE_FWD_R2000,PE_FWD_SPX\n2025-07-31,13.2,22\n")
    code = main(["data", "import-analyst", str(good), "--source", "Example Research 2025-08-04", "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    assert "PE_FWD_R2000: 1 figure(s) 2025-07-31..2025-07-31" in out
    assert "analyst_inputs.csv: 2 added, 0 revised, 0 unchanged; 2 figures in all" in out
    before = (tmp_path / "analyst_inputs.csv").read_text(encoding="utf-8")

    bad = export(tmp_path, "date,PE_FWD_R2000,W_AAPL\n2025-08-29,abc,7.3\n", name="bad.csv")
    code = main(["data", "import-analyst", str(bad), "--source", "X", "--report", str(report)])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err == [
        "error: bad.csv:2: value: expected a number, got 'abc'",
        "error: bad.csv:2: value: 7.3 looks like a percent, but W_AAPL is a fraction: write 0.073, or give the unit % "
        "(a unit column or '7.3%')",
    ]
    assert (tmp_path / "analyst_inputs.csv").read_text(encoding="utf-8") == before  # nothing written
