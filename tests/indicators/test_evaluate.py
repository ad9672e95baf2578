"""The evaluator on whole definitions: statuses, publication lags, and the real recorded histories."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from generator.indicators import evaluate_indicators
from generator.model import SeriesData, Snapshot
from generator.pipeline import load_report
from generator.pointintime import known_on

REPORT = Path(__file__).resolve().parents[2] / "reports" / "small_cap_rotation.toml"


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return load_report(REPORT).spec


def snapshot(spec, as_of: date, values: dict[str, pd.Series]) -> Snapshot:  # type: ignore[no-untyped-def]
    """Series cut to what was public on ``as_of`` by each one's declared publication lag."""
    series = {}
    for sid, s in values.items():
        data = SeriesData(sid, s.astype(float).rename_axis("date"), "csv")
        series[sid] = known_on(data, spec.series[sid], as_of) if sid in spec.series else data
    return Snapshot(as_of=as_of, series=series, requested_source="csv")


def test_monthly_cpi_with_publication_lag(spec) -> None:  # type: ignore[no-untyped-def]
    # core CPI dated the 1st, public 45 days later: on 2025-08-13 July's (public 08-15) is not known yet
    idx = pd.date_range("2024-05-01", "2025-07-01", freq="MS")
    cpi = pd.Series([300.0 + i for i in range(len(idx))], index=idx)
    got = evaluate_indicators(spec, snapshot(spec, date(2025, 8, 13), {"CPILFESL": cpi}))
    yoy = got["core_cpi_yoy"]
    assert yoy.inputs_as_of == {"CPILFESL": "2025-06-01"}
    assert yoy.value == pytest.approx(100 * (313 / 301 - 1))  # June 2025 over June 2024
    ann = got["core_cpi_3m_ann"]
    assert ann.value == pytest.approx(100 * ((313 / 310) ** 4 - 1))
    later = evaluate_indicators(spec, snapshot(spec, date(2025, 8, 15), {"CPILFESL": cpi}))["core_cpi_yoy"]
    assert later.value == pytest.approx(100 * (314 / 302 - 1))


def test_statuses_print_words_not_nan(spec) -> None:  # type: ignore[no-untyped-def]
    idx = pd.bdate_range("2026-01-05", periods=30)
    short = {"IWM": pd.Series(range(1, 31), index=idx), "SPY": pd.Series(range(2, 32), index=idx)}
    got = evaluate_indicators(spec, snapshot(spec, date(2026, 2, 13), short))
    rel1m = got["iwm_spy_rel_1m"]
    assert rel1m.status == "ok"
    # one calendar month before Fri 13 Feb is Tue 13 Jan, the 7th close: IWM 7 -> 30, SPY 8 -> 31
    assert rel1m.value == pytest.approx(100 * (30 / 7 - 1) - 100 * (31 / 8 - 1))
    three = got["iwm_spy_rel_3m"]
    assert (three.status, three.formatted()) == ("insufficient history", "insufficient history")
    assert three.detail == "a 3-month return needs a close on or before 2025-11-13: history starts 2026-01-05"
    valuation = got["r2000_fwd_pe_discount"]
    assert (valuation.status, valuation.formatted()) == ("missing input", "no data")


def test_reading_note_becomes_detail(spec) -> None:  # type: ignore[no-untyped-def]
    idx = pd.date_range("2022-06-01", "2025-08-13", freq="D")
    target = pd.Series(5.50, index=idx)
    target[target.index >= "2024-09-18"] = 5.00
    target[target.index >= "2024-11-08"] = 4.75
    target[target.index >= "2024-12-19"] = 4.50
    got = evaluate_indicators(spec, snapshot(spec, date(2025, 8, 13), {"DFEDTARU": target}))
    assert got["fed_last_move_bp"].value == -25.0
    assert got["fed_last_move_bp"].detail == "on 2024-12-19"
    assert got["fed_cut_from_peak_bp"].value == -100.0
    assert got["fed_days_since_move"].value == (date(2025, 8, 13) - date(2024, 12, 19)).days


# ---------------------------------------------------------------- the real recorded histories

AS_OF = date(2025, 8, 13)  # the article's date


def _fred(path: Path) -> pd.Series:
    """A FRED CSV read the plain way: first column the date, second the value, blanks dropped."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    values = pd.to_numeric(raw.iloc[:, 1].replace({"": None, ".": None}), errors="coerce")
    return pd.Series(values.to_numpy(), index=pd.to_datetime(raw.iloc[:, 0])).dropna()


def _yahoo(path: Path, column: str = "Adj Close") -> pd.Series:
    raw = pd.read_csv(path)
    return pd.Series(raw[column].to_numpy(dtype=float), index=pd.to_datetime(raw["Date"])).dropna()


@pytest.fixture(scope="module")
def real(shared_data: Path, spec):  # type: ignore[no-untyped-def]
    market = shared_data / "market" / "yahoo_csv_silverlight"
    macro = shared_data / "macro" / "fred_csv_codex_macro_monitor"
    raw = {
        "IWM": _yahoo(market / "IWM.csv"),
        "IWN": _yahoo(market / "IWN.csv"),
        "SPY": _yahoo(market / "SPY.csv"),
        "VIX": _yahoo(market / "VIX.csv", "Close"),
        "CPILFESL": _fred(macro / "CPILFESL.csv"),
        "BAMLH0A0HYM2": _fred(macro / "BAMLH0A0HYM2.csv"),
        "DGS2": _fred(macro / "DGS2.csv"),
        "DFF": _fred(shared_data / "macro" / "fred_csv_misc" / "DFF.csv"),
        "BAA10Y": _fred(shared_data / "macro" / "fred_csv_corporate_bond_spread_prediction" / "BAA10Y.csv"),
    }
    return raw, evaluate_indicators(spec, snapshot(spec, AS_OF, raw))


def test_real_histories_match_direct_computation(real) -> None:  # type: ignore[no-untyped-def]
    raw, got = real
    iwm = raw["IWM"][raw["IWM"].index <= "2025-08-13"]
    spy = raw["SPY"][raw["SPY"].index <= "2025-08-13"]
    assert iwm.index[-1] == pd.Timestamp("2025-08-13")
    # 3-month relative return: 63 trading days back on the common calendar
    both = pd.concat([iwm, spy], axis=1, join="inner")
    a0, b0 = both.iloc[-64]
    a1, b1 = both.iloc[-1]
    assert got["iwm_spy_rel_3m"].value == pytest.approx(100 * (a1 / a0 - b1 / b0))
    ratio = both.iloc[:, 0] / both.iloc[:, 1]
    assert got["iwm_spy_vs_200d"].value == pytest.approx(100 * (ratio.iloc[-1] / ratio.iloc[-200:].mean() - 1))
    last10y = ratio.iloc[-2520:]
    assert got["iwm_spy_pctile_10y"].value == pytest.approx(100 * (last10y <= ratio.iloc[-1]).mean())
    # core CPI: on 2025-08-13 the latest public month is June 2025 (45-day lag)
    cpi = raw["CPILFESL"]
    assert got["core_cpi_yoy"].inputs_as_of == {"CPILFESL": "2025-06-01"}
    assert got["core_cpi_yoy"].value == pytest.approx(100 * (cpi["2025-06-01"] / cpi["2024-06-01"] - 1))
    # HY OAS in bp and the VIX on the day before (publication lag 1 day for FRED; VIX known the same day)
    hy = raw["BAMLH0A0HYM2"]
    assert got["hy_oas"].value == pytest.approx(100 * hy[hy.index <= "2025-08-12"].iloc[-1])
    assert got["vix"].value == pytest.approx(raw["VIX"][raw["VIX"].index <= "2025-08-13"].iloc[-1])
    # fed funds minus 2-year: each at its own latest public date
    dff, dgs2 = raw["DFF"], raw["DGS2"]
    expected = 100 * (dff[dff.index <= "2025-08-12"].iloc[-1] - dgs2[dgs2.index <= "2025-08-12"].iloc[-1])
    assert got["dff_minus_dgs2"].value == pytest.approx(expected)
    baa = raw["BAA10Y"][raw["BAA10Y"].index <= "2025-08-12"].iloc[-2520:]
    assert got["baa10y_pctile_10y"].value == pytest.approx(100 * (baa <= baa.iloc[-1]).mean())


def test_real_values_are_plausible(real) -> None:  # type: ignore[no-untyped-def]
    """Sanity bounds on the real numbers (a wrong unit or a wrong column would fall outside)."""
    _, got = real
    assert 2.0 < got["core_cpi_yoy"].value < 4.0
    assert 200 < got["hy_oas"].value < 500
    assert 10 < got["vix"].value < 30
    assert -100 < got["dff_minus_dgs2"].value < 150
