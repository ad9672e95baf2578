"""Chart kinds declare their parameters and series arity; a definition is checked against them."""

from __future__ import annotations

import pandas as pd
import pytest

from generator.charts import CHART_KINDS, check_chart_params
from generator.charts.kinds import STANDARD_FACTS, UndeclaredParameter, param
from generator.charts.params import _type_ok
from generator.pipeline import load_report
from generator.spec import ChartSpec

PAIR = ["IWM", "SPY"]


def test_every_kind_declares_its_parameters_and_arity() -> None:
    assert set(CHART_KINDS) == {
        "ratio_with_average", "basket_relative", "lines", "inflation_rates", "yoy", "panels", "ratio_range",
        "relative_bars",
    }  # fmt: skip
    for kind in CHART_KINDS.values():
        assert kind.summary, f"{kind.name}: a docstring saying what it draws"
        assert kind.series.min >= 1
        assert set(STANDARD_FACTS) <= set(kind.facts), kind.name
        for p in kind.params:
            assert p.description and p.description[0].islower(), f"{kind.name}.{p.name}: a one-line description"
            # A per-series list's default is the default of each entry.
            default = p.default if p.per is None else [p.default]
            assert p.default is None or _type_ok(p.type, default), f"{kind.name}.{p.name}: default {p.default!r}"
    arity = {name: kind.series.describe() for name, kind in CHART_KINDS.items()}
    assert arity["ratio_with_average"] == "exactly 2" and arity["ratio_range"] == "exactly 2"
    assert arity["basket_relative"] == "at least 2" and arity["relative_bars"] == "at least 2"
    assert arity["inflation_rates"] == "exactly 1" and arity["lines"] == "at least 1"
    assert CHART_KINDS["basket_relative"].series.benchmark_last


def test_a_parameter_describes_itself() -> None:
    window = next(p for p in CHART_KINDS["ratio_with_average"].params if p.name == "window")
    assert window.describe() == "window (integer, default 200): length of the moving average, in trading days"
    scales = next(p for p in CHART_KINDS["panels"].params if p.name == "scales")
    assert (
        scales.describe()
        == "scales (numbers, one per series, default 1.0): multiplies each series (100 turns % into bp)"
    )


@pytest.mark.parametrize(
    ("kind", "params", "series", "problems"),
    [
        ("ratio_with_average", {"windw": 200}, PAIR, ["params.windw: unknown parameter (did you mean 'window'?)"]),
        ("ratio_with_average", {"window": "x"}, PAIR, ["params.window: expected an integer, got 'x'"]),
        ("ratio_with_average", {"window": 20.5}, PAIR, ["params.window: expected an integer, got 20.5"]),
        ("ratio_with_average", {"window": True}, PAIR, ["params.window: expected an integer, got True"]),
        ("ratio_with_average", {"window": 1}, PAIR, ["params.window: expected at least 2, got 1"]),
        ("ratio_with_average", {"window": 200.0}, PAIR, []),  # TOML may write an integer as 200.0
        ("ratio_with_average", {}, ["IWM", "SPY", "RSP"], ["series: ratio_with_average needs exactly 2 series, got 3"]),
        ("ratio_with_average", {}, ["IWM", "IWM"], ["series: IWM listed more than once"]),
        ("basket_relative", {}, ["AAPL"], ["series: basket_relative needs at least 2 series, got 1"]),
        ("basket_relative", {"name": 7}, ["AAPL", "RSP"], ["params.name: expected text, got 7"]),
        ("ratio_range", {"window": 3}, PAIR, ["params.window: unknown parameter (ratio_range takes no parameters)"]),
        ("inflation_rates", {"colour": "red"}, ["CPILFESL"],
         ["params.colour: unknown parameter (inflation_rates takes name, target)"]),
        ("panels", {"scales": [100.0, "x"]}, PAIR, ["params.scales: expected a list of numbers, got [100.0, 'x']"]),
        ("panels", {"units": ["bp"]}, PAIR, ["params.units: expected 2 entries (one per series), got 1"]),
        ("panels", {"decimals": [0.0, 1.0], "units": ["bp", "pt"]}, PAIR, []),
        ("relative_bars", {"names": ["Energy"]}, ["PSCE", "PSCI", "IWM"],
         ["params.names: expected 2 entries (one per series but the last), got 1"]),
        ("lines", {"names": "Fed"}, ["DGS2"], ["params.names: expected a list of texts, got 'Fed'"]),
        ("nope", {}, [], ["kind: unknown chart kind 'nope'"]),
    ],
)  # fmt: skip
def test_check_chart_params(kind: str, params: dict, series: list[str], problems: list[str]) -> None:  # type: ignore[type-arg]
    assert check_chart_params(kind, params, series) == problems


def test_the_production_report_passes() -> None:
    for chart in load_report().spec.charts.values():
        assert check_chart_params(chart.kind, dict(chart.params), list(chart.series)) == [], chart.id


def test_param_refuses_a_name_its_kind_did_not_declare() -> None:
    spec = ChartSpec(id="t", kind="lines", title="t", series=["A", "B"], params={"unit": "%"})
    assert param(spec, "unit") == "%"
    assert param(spec, "decimals") == 2  # the declared default
    assert param(spec, "names") == [None, None]  # one entry per series: the kind falls back to the labels
    with pytest.raises(
        UndeclaredParameter, match="chart kind 'lines' reads parameter 'window', which it does not declare"
    ):
        param(spec, "window")


def test_param_converts_to_the_declared_type() -> None:
    spec = ChartSpec(id="t", kind="panels", title="t", series=["A", "B"], params={"decimals": [0.0, 1.0]})
    assert param(spec, "decimals") == [0.0, 1.0] and param(spec, "scales") == [1.0, 1.0]
    ratio = ChartSpec(id="t", kind="ratio_with_average", title="t", series=PAIR, params={"window": 200.0})
    assert param(ratio, "window") == 200 and isinstance(param(ratio, "window"), int)


def test_drawing_reads_only_declared_parameters() -> None:
    # Every kind draws with its defaults on small data: a read of an undeclared name would raise here.
    idx = pd.bdate_range("2019-01-01", "2020-12-31")
    months = pd.date_range("2015-01-01", "2020-12-01", freq="MS")
    price = pd.Series(range(1, len(idx) + 1), idx, dtype=float)
    index = pd.Series(range(100, 100 + len(months)), months, dtype=float)
    start, end = pd.Timestamp("2020-01-01"), idx[-1]
    for name, kind in CHART_KINDS.items():
        ids = ["CPI"] if name in ("inflation_rates", "yoy") else ["A", "B"]
        data = dict.fromkeys(ids, index if ids == ["CPI"] else price)
        spec = ChartSpec(id="t", kind=name, title="t", series=ids)
        drawn = kind.draw(spec, data, {i: i for i in ids}, start, end)
        assert drawn.first is not None and drawn.last is not None, name
