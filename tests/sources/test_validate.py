"""Validation keeps real history and refuses what is wrong: bounds per kind, jumps marked, rejections that block.

Values in these tests are worked out by hand in the comments beside them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from generator.acquire import DataSources, acquire
from generator.indicators import evaluate_indicators
from generator.model import Rejection, SeriesData
from generator.pointintime import known_on
from generator.sources.csvdir import CsvDirProvider, load_series
from generator.sources.validate import check_series, fmt_number
from generator.spec import SeriesSpec, load_spec

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec(REPO / "reports" / "small_cap_rotation.toml").spec
DAYS = pd.bdate_range("2025-07-01", "2025-08-13")  # 32 weekdays: July 1-31 (23), August 1-13 (9)


def make(sid: str, kind: str, unit: str = "%", **kw) -> SeriesSpec:  # type: ignore[no-untyped-def]
    return SeriesSpec(id=sid, provider="fred", label=sid, frequency=kw.pop("frequency", "daily"), kind=kind,
                      unit=unit, **kw)


def raw(values: list[float], start: str = "2020-01-01", freq: str = "D") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))


def test_numbers_in_notes_are_compact() -> None:
    assert [fmt_number(x) for x in (1e300, 4.4, 14.8 - 4.4, 659.210022, 30722277.0, -37.63, 0.0)] == [
        "1.0e+300", "4.4", "10.4", "659.21", "30,722,277", "-37.63", "0"]


# ---------------------------------------------------------------- bounds per kind


def test_a_rate_sent_in_basis_points_is_rejected_with_its_unit() -> None:
    checked = check_series(make("DGS2", "rate"), raw([4.10, 4.12, 412.0]))
    assert checked.values is not None and list(checked.values) == [4.10, 4.12]
    (rejection,) = checked.rejections
    assert rejection == Rejection(date(2020, 1, 3), 412.0,
                                  "412 % is outside the plausible range (a rate is between -20 and 50)")
    assert checked.notes == ("1 value(s) rejected and left out: 2020-01-03: 412 % is outside the plausible range "
                             "(a rate is between -20 and 50)",)
    whole = check_series(make("DGS2", "rate"), raw([410.0, 412.0]))
    assert whole.values is None and whole.rejected == "no plausible observations"


def test_an_equity_price_cannot_be_zero_or_negative_but_a_commodity_can() -> None:
    # WTI around the 2020-04-20 expiry (FRED's DCOILWTICO): 18.31, -37.63, 10.01
    wti = pd.Series([18.27, 18.31, -37.63, 10.01], index=pd.to_datetime(
        ["2020-04-16", "2020-04-17", "2020-04-20", "2020-04-21"]))
    oil = check_series(make("DCOILWTICO", "commodity", "USD per barrel"), wti)
    assert oil.values is not None and list(oil.values) == [18.27, 18.31, -37.63, 10.01] and oil.rejections == ()
    # (-37.63 - 18.31) / 18.31 = -3.0552: -305.5 %; then (10.01 + 37.63) / 37.63 = +126.6 %, under +200 %
    assert oil.notes == ("jump kept: 2020-04-20: 18.31 -> -37.63 (-305.5%)",)
    as_equity = check_series(make("XOP", "price", "USD per barrel"), wti)
    assert as_equity.values is not None and list(as_equity.values) == [18.27, 18.31, 10.01]
    assert [r.reason for r in as_equity.rejections] == [
        "-37.63 USD per barrel is outside the plausible range (a price is above 0)"]


def test_april_2020_unemployment_is_a_jump_in_points_not_an_error() -> None:
    unrate = raw([3.5, 4.4, 14.8, 13.2], "2020-02-01", "MS")
    checked = check_series(make("UNRATE", "percent", frequency="monthly"), unrate)
    assert checked.values is not None and list(checked.values) == [3.5, 4.4, 14.8, 13.2]
    assert checked.notes == ("jump kept: 2020-04-01: 4.4 -> 14.8 (+10.4 points)",)


def test_declared_bounds_and_plausible_dates_keep_what_the_kind_would_refuse() -> None:
    wide = check_series(make("DGS2", "rate", bounds=(-20.0, 1000.0)), raw([4.10, 4.12, 412.0]))
    assert wide.values is not None and list(wide.values) == [4.10, 4.12, 412.0] and wide.rejections == ()
    # 4.12 -> 412 is +407.88 points: kept, and marked
    assert wide.notes == ("jump kept: 2020-01-03: 4.12 -> 412 (+407.88 points)",)
    declared = check_series(make("DGS2", "rate", plausible=[date(2020, 1, 3)]), raw([4.10, 4.12, 412.0]))
    assert declared.values is not None and declared.values.iloc[-1] == 412.0 and declared.rejections == ()
    assert declared.notes[0] == "kept as declared plausible: '2020-01-03'"
    with pytest.raises(ValueError, match="low < high"):
        make("DGS2", "rate", bounds=(5.0, 1.0))


def test_a_value_far_from_its_neighbours_is_rejected_not_charted() -> None:
    values = [200.0 + i for i in range(31)] + [1e300]
    checked = check_series(make("IWM", "price", "USD"), pd.Series(values, index=DAYS))
    assert checked.values is not None and len(checked.values) == 31 and checked.values.iloc[-1] == 230.0
    # the last observation's neighbours: 221..230 and itself; their median is 226; 1e300 / 226 = 4.42e297
    (rejection,) = checked.rejections
    assert rejection.reason == ("1.0e+300 USD is 4.4e+297 times the median of the nearby observations, 226 USD: "
                                "not a market move")
    assert all(len(word) < 20 for note in checked.notes for word in note.split())  # no 300-digit number


# ---------------------------------------------------------------- a rejected latest value blocks its indicators


def _folder(tmp_path: Path, iwm: list[float]) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    spy = [400.0 + i for i in range(len(DAYS))]
    for sid, values in (("IWM", iwm), ("SPY", spy)):
        frame = pd.DataFrame({"Date": DAYS.strftime("%Y-%m-%d"), "Adj Close": values})
        frame.to_csv(folder / f"{sid}.csv", index=False)
    return folder


def test_iwm_at_1e300_on_the_briefing_date_makes_its_indicators_no_data(tmp_path: Path) -> None:
    folder = _folder(tmp_path, [200.0 + i for i in range(31)] + [1e300])
    snap = acquire(SPEC, date(2025, 8, 13), source=f"csv:{folder}", sources=DataSources())
    iwm = snap.series["IWM"]
    assert iwm.last_date == date(2025, 8, 12) and [r.date for r in iwm.rejected] == [date(2025, 8, 13)]
    reason = ("IWM's latest observation (2025-08-13) was rejected: 1.0e+300 USD is 4.4e+297 times the median of "
              "the nearby observations, 226 USD: not a market move")
    assert iwm.blocking_rejection == reason
    got = evaluate_indicators(SPEC, snap)
    rel = got["iwm_spy_rel_1m"]
    assert (rel.value, rel.formatted(), rel.detail) == (None, "no data", reason)
    assert got["spy_minus_rsp_3m"].detail != reason  # SPY's indicators are not touched
    notes = [q.message for q in snap.quality if q.series_id == "IWM"]
    assert ("csv file IWM.csv: 1 value(s) rejected and left out: 2025-08-13: 1.0e+300 USD is 4.4e+297 times the "
            "median of the nearby observations, 226 USD: not a market move") in notes
    assert not any(str(tmp_path) in q.message for q in snap.quality)
    assert snap.requested_source == "csv:exports"
    # A briefing of the day before sees neither the value nor its rejection.
    before = acquire(SPEC, date(2025, 8, 12), source=f"csv:{folder}", sources=DataSources())
    assert before.series["IWM"].rejected == () and evaluate_indicators(SPEC, before)["iwm_spy_rel_1m"].ok


def test_a_rejected_value_inside_the_history_is_left_out_and_the_rest_computes(tmp_path: Path) -> None:
    iwm = [200.0 + i for i in range(len(DAYS))]
    iwm[25] = 1e300  # 2025-08-05
    folder = _folder(tmp_path, iwm)
    snap = acquire(SPEC, date(2025, 8, 13), source=f"csv:{folder}", sources=DataSources())
    assert snap.series["IWM"].blocking_rejection is None
    rel = evaluate_indicators(SPEC, snap)["iwm_spy_rel_1m"]
    # 08-05 left out, the rest computes: from the last close on or before 13 July (Fri 11 July, day 8) to
    # 13 August (day 31): IWM 231 / 208, SPY 431 / 408
    assert rel.value == pytest.approx(100 * (231 / 208 - 1) - 100 * (431 / 408 - 1))
    assert "2025-08-05" not in snap.series["IWM"].values.index.strftime("%Y-%m-%d")


def test_rejections_follow_the_point_in_time_cut() -> None:
    data = SeriesData("DGS2", raw([4.10, 4.12], "2025-08-11"), "fred-csv",
                      rejected=(Rejection(date(2025, 8, 13), 412.0, "412 % is outside ..."),))
    dgs2 = SPEC.series["DGS2"]  # published a day late
    assert known_on(data, dgs2, date(2025, 8, 13)).rejected == ()
    assert known_on(data, dgs2, date(2025, 8, 13)).blocking_rejection is None
    cut = known_on(data, dgs2, date(2025, 8, 14))
    assert cut.blocking_rejection == "DGS2's latest observation (2025-08-13) was rejected: 412 % is outside ..."


# ---------------------------------------------------------------- real histories


def test_real_wti_and_unemployment_histories_keep_2020(shared_data: Path) -> None:
    folder = shared_data / "macro" / "fred_csv_codex_macro_monitor"
    wti = load_series(folder / "DCOILWTICO.csv", SPEC.series["DCOILWTICO"])
    # FRED's Cushing spot price for the day NYMEX settled at -37.63: (-36.98 - 18.31) / 18.31 = -302.0 %
    assert wti.values[pd.Timestamp("2020-04-20")] == -36.98 and wti.rejected == ()
    assert any("2020-04-20: 18.31 -> -36.98 (-302.0%)" in n for n in wti.notes)
    unrate = load_series(folder / "UNRATE.csv", SPEC.series["UNRATE"])
    assert unrate.values[pd.Timestamp("2020-04-01")] == 14.8 and unrate.rejected == ()
    assert any("2020-04-01: 4.4 -> 14.8 (+10.4 points)" in n for n in unrate.notes)
    assert not any("implausible" in n for n in (*wti.notes, *unrate.notes))


def test_csv_failures_name_the_file_not_the_folder(tmp_path: Path) -> None:
    (tmp_path / "DGS2.csv").write_text("date,value\n2025-08-12,410\n2025-08-13,412\n")
    (tmp_path / "DGS10.csv").write_bytes(b"\xff\xfe\x00garbage")
    result = CsvDirProvider(tmp_path).fetch([SPEC.series[s] for s in ("DGS2", "DGS10", "SPY")],
                                            date(2025, 1, 1), date(2025, 8, 13))
    assert result.failures["DGS2"].startswith("csv file DGS2.csv: no plausible observations")
    assert result.failures["SPY"] == "no csv file SPY.csv (or SPY.parquet) in the csv folder"
    assert all(str(tmp_path) not in why for why in result.failures.values())
