"""``briefing doctor``: each check against real local services and folders; the key is never printed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from generator.acquire import SourceSettings
from generator.cli import main
from generator.doctor import check_fred, check_output, check_store, check_yahoo, run_checks
from generator.model import SeriesData
from generator.sources.http import NetworkSettings
from generator.spec import load_spec
from generator.store import ParquetStore

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEY = "feedface0123456789abcdef01234567"
FAST = NetworkSettings(timeout=1.0, retries=0, backoff=0.001)


def settings(tmp_path: Path, url: str, key: str | None = None) -> SourceSettings:
    return SourceSettings(data_dir=tmp_path / "data", network=FAST, fred_api_key=key,
                          fred_api_root=f"{url}/fred", fred_csv_url=f"{url}/graph/fredgraph.csv",
                          yahoo_base_url=url)


@pytest.fixture
def services(loopback):  # type: ignore[no-untyped-def]
    chart = (FIXTURES / "yahoo" / "chart-IWM-2025-10.json").read_text(encoding="utf-8")
    loopback.route("/v8/finance/chart/", lambda p, q: (200, {"Content-Type": "application/json"}, chart))
    loopback.route("/graph/fredgraph.csv", lambda p, q: (200, {"Content-Type": "text/csv"},
                                                         "observation_date,DGS10\n2026-11-19,4.1\n"))
    series_xml = ('<?xml version="1.0" encoding="utf-8" ?>\n<seriess realtime_start="2026-11-20" '
                  'realtime_end="2026-11-20"><series id="DGS10" realtime_start="2026-11-20" '
                  'realtime_end="2026-11-20" title="Market Yield on U.S. Treasury Securities at 10-Year Constant '
                  'Maturity" observation_start="1962-01-02" observation_end="2026-11-19" frequency="Daily" '
                  'frequency_short="D" units="Percent" units_short="%" seasonal_adjustment="Not Seasonally '
                  'Adjusted" seasonal_adjustment_short="NSA" last_updated="2026-11-20 15:18:02-06" popularity="96"/>'
                  '</seriess>')
    loopback.route("/fred/series", lambda p, q: (200, {"Content-Type": "text/xml"}, series_xml))
    return loopback


def test_all_checks_pass_against_working_services(services, tmp_path: Path) -> None:
    conf = settings(tmp_path, services.url, key=KEY)
    ParquetStore(conf.data_dir).write(
        SeriesData("SPY", pd.Series([1.0, 2.0], index=pd.to_datetime(["2026-11-18", "2026-11-19"])), "yahoo",
                   datetime(2026, 11, 20, tzinfo=UTC)))
    lines: list[str] = []
    checks = run_checks(conf, output_dir=tmp_path / "out", report=lambda c: lines.append(c.line()))
    names = [c.name for c in checks]
    assert names == ["FRED API key", "Yahoo Finance reachable", "FRED API reachable", "Local store",
                     "WeasyPrint (PDF)", "Output folder"]
    by_name = {c.name: c for c in checks}
    assert all(by_name[n].status == "ok" for n in names if n != "WeasyPrint (PDF)"), lines
    assert "last updated 2026-11-20" in by_name["FRED API reachable"].detail
    assert "1 series" in by_name["Local store"].detail and "newest observation 2026-11-19" in by_name["Local store"].detail
    (query,) = services.hits("/fred/series")
    assert query["api_key"] == KEY  # it was sent ...
    assert all(KEY not in line for line in lines)  # ... and never shown


def test_failures_come_with_fixes(tmp_path: Path) -> None:
    dead = settings(tmp_path, "http://127.0.0.1:9")
    yahoo, fred = check_yahoo(dead), check_fred(dead)
    assert yahoo.status == "fail" and "BRIEFING_PROXY" in yahoo.fix
    assert fred.status == "fail" and "connection failed" in fred.detail
    blocked = tmp_path / "file"
    blocked.write_text("x")
    store = check_store(SourceSettings(data_dir=blocked))
    assert store.status == "fail" and "BRIEFING_DATA_DIR" in store.fix
    empty = check_store(SourceSettings(data_dir=tmp_path / "new"))
    assert empty.status == "warn" and "data import" in empty.fix


def test_output_folder_check(tmp_path: Path) -> None:
    assert check_output(tmp_path / "a" / "b").status == "ok"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = check_output(blocker / "out")  # a file where the folder should be: nothing can be written
    assert result.status == "fail" and "--output" in result.fix


def test_cli_doctor_offline(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FRED_API_KEY", KEY)
    code = main(["doctor", "--offline", "--output", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert "[ok  ] FRED API key: set" in out and "Local store" in out
    assert KEY not in out + err
    assert code in (0, 1)  # 1 only if this machine lacks WeasyPrint's libraries
    assert "reachable" not in out


def test_cli_data_import_then_store_briefing_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    good = tmp_path / "dgs10.csv"
    good.write_text("observation_date,DGS10\n2026-11-18,4.10\n2026-11-19,4.12\n")
    wrong = tmp_path / "SPX.csv"
    wrong.write_text("date,value\n2026-11-18,6000\n")
    code = main(["data", "import", str(good), str(wrong)])
    out, err = capsys.readouterr()
    assert code == 2  # a usage error (README: exit codes); the good file is imported all the same
    assert "dgs10.csv -> DGS10: 2 observations 2026-11-18..2026-11-19, 2 new or revised row(s)" in out
    assert "no series 'SPX'" in err and "did you mean 'SPY'?" in err
    assert main(["data", "import", str(good)]) == 0
    assert "0 new or revised row(s)" in capsys.readouterr().out
    assert main(["data", "list"]) == 0
    assert "DGS10" in capsys.readouterr().out
    data = ParquetStore(tmp_path / "data").read(load_spec(REPO / "reports" / "small_cap_rotation.toml").spec.series["DGS10"])
    assert data is not None and data.last_date == date(2026, 11, 19)
