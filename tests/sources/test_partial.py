"""Partial bars: the NYSE calendar, the live rule (fetch time against the close), the file rules, real files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.acquire import DataSources, acquire
from generator.sources.csvdir import CsvDirProvider
from generator.sources.nyse import holidays, session
from generator.sources.partial import PartialBar, file_partial, live_partial
from generator.sources.yahoo import YahooProvider
from generator.spec import load_spec
from generator.store import ParquetStore

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec(REPO / "reports" / "small_cap_rotation.toml").spec
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yahoo"


# ---------------------------------------------------------------- the exchange calendar


def test_nyse_holidays_as_the_exchange_published_them() -> None:
    assert holidays(2025) == {date(2025, m, d) for m, d in [
        (1, 1), (1, 9), (1, 20), (2, 17), (4, 18), (5, 26), (6, 19), (7, 4), (9, 1), (11, 27), (12, 25)]}
    assert holidays(2026) == {date(2026, m, d) for m, d in [
        (1, 1), (1, 19), (2, 16), (4, 3), (5, 25), (6, 19), (7, 3), (9, 7), (11, 26), (12, 25)]}
    # New Year's Day on a Saturday is not observed (2022: Friday 2021-12-31 traded); Juneteenth on a Sunday is
    assert date(2021, 12, 31) not in holidays(2021) and date(2022, 1, 1) not in holidays(2022)
    assert date(2022, 6, 20) in holidays(2022) and date(2027, 12, 24) in holidays(2027)


def test_sessions_and_half_days() -> None:
    assert session(date(2025, 11, 29)) is None and session(date(2025, 11, 27)) is None  # Saturday, Thanksgiving
    full = session(date(2025, 10, 31))
    assert full is not None and (full.open.hour, full.open.minute, full.close.hour) == (9, 30, 16)
    for half in (date(2025, 7, 3), date(2025, 11, 28), date(2025, 12, 24), date(2026, 11, 27), date(2026, 12, 24)):
        day = session(half)
        assert day is not None and day.close.hour == 13, half
    assert session(date(2026, 7, 3)) is None  # Independence Day observed: no half day that year


# ---------------------------------------------------------------- live: the fetch time against the close


@pytest.mark.parametrize(
    ("bar", "fetched", "expected"),
    [
        (date(2025, 10, 31), datetime(2025, 10, 31, 15, 45, tzinfo=UTC),
         "fetched at 11:45 New York time, before the 16:00 close"),  # EDT: UTC-4
        (date(2025, 10, 31), datetime(2025, 10, 31, 20, 0, tzinfo=UTC), None),  # 16:00 sharp: closed
        (date(2025, 10, 30), datetime(2025, 10, 31, 15, 45, tzinfo=UTC), None),  # yesterday's bar
        (date(2026, 1, 5), datetime(2026, 1, 5, 20, 30, tzinfo=UTC),
         "fetched at 15:30 New York time, before the 16:00 close"),  # EST: UTC-5
        (date(2025, 11, 28), datetime(2025, 11, 28, 17, 30, tzinfo=UTC),
         "fetched at 12:30 New York time, before the 13:00 close"),
        (date(2025, 11, 28), datetime(2025, 11, 28, 18, 5, tzinfo=UTC), None),
        (date(2025, 7, 4), datetime(2025, 7, 4, 14, 0, tzinfo=UTC),
         "fetched at 10:00 New York time on a day the exchange does not trade"),
    ],
)
def test_live_bar_is_partial_before_the_close(bar: date, fetched: datetime, expected: str | None) -> None:
    found = live_partial(bar, fetched)
    assert (found.reason if found else None) == expected


def test_yahoo_bar_fetched_before_the_close_is_left_out_and_said(loopback, tmp_path: Path) -> None:
    body = json.loads((FIXTURES / "chart-IWM-2025-10.json").read_text(encoding="utf-8"))
    loopback.route("/v1/test/getcrumb", lambda p, q: (200, {"Content-Type": "text/plain"}, "lBVv2pgWbZ4"))
    loopback.route("/v8/finance/chart/", lambda p, q: (200, {"Content-Type": "application/json"}, json.dumps(body)))
    iwm_only = SPEC.model_copy(update={"series": {"IWM": SPEC.series["IWM"]}})

    def run(now: datetime) -> tuple[pd.Series, list[str], ParquetStore]:
        store = ParquetStore(tmp_path / now.strftime("%H%M"))
        yahoo = YahooProvider(base_url=loopback.url, cache_dir=tmp_path / "yf", now=lambda: now)
        sources = DataSources(live={"yahoo": yahoo}, store=store, today=lambda: date(2025, 10, 31))
        snap = acquire(iwm_only, date(2025, 10, 31), "live", sources)
        return snap.series["IWM"].values, [q.message for q in snap.quality], store

    values, notes, store = run(datetime(2025, 10, 31, 15, 45, tzinfo=UTC))
    assert values.index[-1] == pd.Timestamp("2025-10-30") and values.iloc[-1] == 245.478052
    assert notes == ["2025-10-31 bar left out as partial: fetched at 11:45 New York time, before the 16:00 close"]
    stored = store.read(SPEC.series["IWM"])
    assert stored is not None and stored.last_date == date(2025, 10, 30)  # the quote never reaches the store
    values, notes, _ = run(datetime(2025, 10, 31, 20, 30, tzinfo=UTC))
    assert values.index[-1] == pd.Timestamp("2025-10-31") and values.iloc[-1] == 243.857636 and notes == []


# ---------------------------------------------------------------- files: what the last row shows


DAYS = pd.bdate_range("2025-10-01", periods=21)  # 2025-10-01 .. 2025-10-29


def test_thin_last_volume_marks_a_partial_bar() -> None:
    closes = pd.Series(np.linspace(100.0, 102.0, 21).round(2), index=DAYS)
    volume = pd.Series([100.0] * 20 + [30.0], index=DAYS)
    assert file_partial(closes, volume) == PartialBar(
        date(2025, 10, 29), "volume 30 is 30% of the median of the 20 rows before it (100)")
    volume.iloc[-1] = 40.0  # 40 % is not under 40 %
    assert file_partial(closes, volume) is None
    half_day = pd.bdate_range(end="2025-11-28", periods=21)  # the day after Thanksgiving trades half the volume
    assert file_partial(closes.set_axis(half_day), pd.Series([100.0] * 20 + [30.0], index=half_day)) is None


def test_a_sub_cent_last_close_after_whole_cents_marks_a_partial_bar() -> None:
    closes = [float(np.float32(739.09 + i / 100)) for i in range(20)] + [755.645]  # float32 tails, as exported
    found = file_partial(pd.Series(closes, index=DAYS))
    assert found == PartialBar(date(2025, 10, 29),
                               "close 755.645 has sub-cent digits while the 20 closes before it are whole cents")
    assert file_partial(pd.Series([*closes[:-1], 755.64], index=DAYS)) is None  # a whole-cent close
    closes[5] = 739.1234  # adjusted history with tails: the last row's digits say nothing
    assert file_partial(pd.Series(closes, index=DAYS)) is None


# ---------------------------------------------------------------- the real files


def _folder(tmp_path: Path, source: Path, ids: list[str]) -> Path:
    folder = tmp_path / source.name
    folder.mkdir()
    for sid in ids:
        (folder / f"{sid}.csv").symlink_to(source / f"{sid}.csv")
    return folder


def test_real_files_ending_on_a_partial_bar(shared_data: Path, tmp_path: Path) -> None:
    market = shared_data / "market"
    specs = [SPEC.series[s] for s in ("SPY", "IWM", "IWN", "XLE")]
    got = CsvDirProvider(_folder(tmp_path, market / "yahoo_csv_silverlight", ["SPY", "IWM", "IWN", "XLE"])).fetch(
        specs, date(2015, 1, 1), date(2025, 9, 26))
    assert {sid: str(s.last_date) for sid, s in got.series.items()} == {
        "SPY": "2025-09-25", "IWM": "2025-09-25", "IWN": "2025-09-25", "XLE": "2025-09-25"}
    notes = {sid: [n for n in s.notes if "partial" in n] for sid, s in got.series.items()}
    assert notes == {
        "IWM": ["csv file IWM.csv: last row 2025-09-26 left out as a partial bar: volume 13,249,970 is 36% of the "
                "median of the 20 rows before it (36,530,750)"],
        "IWN": ["csv file IWN.csv: last row 2025-09-26 left out as a partial bar: volume 163,491 is 21% of the "
                "median of the 20 rows before it (765,000)"],
        # SPY's 30.7M is 43 % of its 20-day median: thin, not thin enough alone; its folder says the rest
        "SPY": ["csv file SPY.csv: last row 2025-09-26 left out as a partial bar: other files exported with it end "
                "on a partial bar that day (IWM, IWN)"],
        "XLE": [],  # ends 2025-09-25, a whole day
    }
    # A briefing dated before the partial day says nothing about it.
    earlier = CsvDirProvider(tmp_path / "yahoo_csv_silverlight").fetch(specs, date(2015, 1, 1), date(2025, 9, 25))
    assert not any("partial" in n for s in earlier.series.values() for n in s.notes)

    pairs = CsvDirProvider(_folder(tmp_path, market / "yfinance_adjusted_pairs_trading_system" / "daily_5y",
                                   ["SPY", "RSP"])).fetch([SPEC.series["SPY"], SPEC.series["RSP"]],
                                                          date(2021, 1, 1), date(2026, 4, 1))
    assert pairs.series["SPY"].last_date == date(2026, 3, 31)
    assert ("csv file SPY.csv: last row 2026-04-01 left out as a partial bar: volume 19,346,691 is 20% of the "
            "median of the 20 rows before it (98,238,050)") in pairs.series["SPY"].notes

    factor = CsvDirProvider(_folder(tmp_path, market / "yfinance_adjclose_factor_attribution",
                                    ["SPY", "AMZN", "PSCU"])).fetch(
        [SPEC.series[s] for s in ("SPY", "AMZN", "PSCU")], date(2020, 1, 1), date(2026, 8, 3))
    assert {sid: str(s.last_date) for sid, s in factor.series.items()} == {
        "SPY": "2026-07-31", "AMZN": "2026-07-31", "PSCU": "2026-07-31"}
    assert ("csv file SPY.csv: last row 2026-08-03 left out as a partial bar: close 755.645 has sub-cent digits "
            "while the 20 closes before it are whole cents") in factor.series["SPY"].notes
    assert ("csv file AMZN.csv: last row 2026-08-03 left out as a partial bar: other files exported with it end on "
            "a partial bar that day (SPY)") in factor.series["AMZN"].notes
    assert not any("partial" in n for n in factor.series["PSCU"].notes)  # its file stops at 07-31, a close


def test_data_import_leaves_the_partial_bar_out_of_the_store(shared_data: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.cli import main

    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    folder = shared_data / "market" / "yahoo_csv_silverlight"
    assert main(["data", "import", str(folder / "SPY.csv"), str(folder / "IWM.csv")]) == 0
    out = capsys.readouterr().out
    assert ("  note: csv file SPY.csv: last row 2025-09-26 left out as a partial bar: other files exported with it "
            "end on a partial bar that day (IWM)") in out.splitlines()
    store = ParquetStore(tmp_path / "data")
    assert [store.last_date(s) for s in ("SPY", "IWM")] == [date(2025, 9, 25), date(2025, 9, 25)]
