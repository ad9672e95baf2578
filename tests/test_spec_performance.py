"""The ``[performance]`` declaration: validated whole, each error naming its key; the report carries the grid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from report_copies import replaced, report_copy

from generator.errors import SpecError
from generator.plan import Plan, compile_plan
from generator.spec_performance import check_performance, parse_performance

REPORTS = Path(__file__).resolve().parents[1] / "reports"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return compile_plan(REPORTS / "small_cap_rotation.toml")


def problems(table: dict[str, Any], series: list[str] | None = None) -> list[str]:
    """The lines of the SpecError that validating ``table`` raises."""
    with pytest.raises(SpecError) as info:
        parse_performance(table, series or ["SPY", "IWM", "AAPL", "MSFT", "GOOGL"], "r.toml")
    return str(info.value).splitlines()


def minimal(**changes: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "benchmark": "SPY",
        "rows": [{"id": "IWM", "label": "Russell 2000", "group": "small caps"}],
    }
    table.update(changes)
    return table


def test_the_report_carries_the_grid_of_the_issue(plan: Plan) -> None:
    perf = plan.spec.performance
    assert perf is not None
    ids = [r.id for r in perf.rows]
    wanted = ["IWM", "IWN", "IWO", "IJR", "SPY", "RSP", "QQQ", "MAG7_EW", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL",
              "META", "TSLA", "PSCE", "PSCI", "PSCU", "PSCF", "PSCH", "PSCT", "PSCD", "PSCM", "PSCC"]  # fmt: skip
    assert ids[: len(wanted)] == wanted
    large_sectors = [r.id for r in perf.rows if r.group == "large-cap sectors"]
    assert large_sectors == ["XLE", "XLI", "XLU", "XLF", "XLK", "XLV", "XLY", "XLP", "XLB"]
    basket = perf.rows[ids.index("MAG7_EW")]
    assert basket.series_ids == ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA")
    assert (perf.benchmark, perf.horizons, perf.percentile_years) == ("SPY", ["1w", "1m", "3m", "ytd", "12m"], 10)
    # every row's series is in the plan, so it is fetched
    assert {sid for r in perf.rows for sid in r.series_ids} <= set(plan.spec.series)
    assert check_performance(perf, plan.spec.series) == []


def test_a_grid_row_naming_an_unknown_series_fails_the_compile(tmp_path: Path) -> None:
    path = report_copy(tmp_path, replaced('{ id = "QQQ", label', '{ id = "QQQQ", label'))
    with pytest.raises(SpecError) as err:
        compile_plan(path)
    assert str(err.value) == (f"{path}: performance.rows[6].id: unknown series 'QQQQ' (did you mean 'QQQ'?) (declare "
                              "it under [series], or list 'members' for a basket)")


def test_each_problem_names_its_key() -> None:
    assert problems(minimal(rows=[{"id": "IWM", "label": "R2000", "group": "smallcaps"}])) == [
        "r.toml: performance.rows[0].group: expected one of 'small caps', 'large caps', 'Magnificent 7', "
        "'small-cap sectors' or 'large-cap sectors', got 'smallcaps'"
    ]
    assert problems({"rows": minimal()["rows"]}) == ["r.toml: performance.benchmark: is required but missing"]
    assert problems(minimal(horizons=["1w", "2w"])) == [
        "r.toml: performance.horizons[1]: expected one of '1w', '1m', '3m', 'ytd' or '12m', got '2w'"
    ]
    assert problems(minimal(horizons=["1w", "1w"])) == ["r.toml: performance: horizons listed twice: 1w"]
    assert problems(minimal(rows=[{"id": "IWM", "label": "R2000", "group": "small caps", "member": ["X"]}])) == [
        "r.toml: performance.rows[0].member: is not a known key (check the spelling)"
    ]
    assert problems(minimal(rows=[])) == ["r.toml: performance.rows: declare at least one row ([[performance.rows]])"]
    assert problems(minimal(horizons=[])) == ["r.toml: performance.horizons: list at least one of 1w, 1m, 3m, ytd, 12m"]


def test_baskets() -> None:
    one = {"id": "B", "label": "B", "group": "Magnificent 7", "members": ["AAPL"]}
    assert problems(minimal(rows=[one])) == [
        "r.toml: performance.rows[0]: a basket needs at least two members; for one series leave out 'members' and use "
        "its id"
    ]
    twice = {**one, "members": ["AAPL", "MSFT", "AAPL"]}
    assert problems(minimal(rows=[twice])) == ["r.toml: performance.rows[0]: members listed twice: AAPL"]
    named_like_a_series = {**one, "id": "AAPL", "members": ["AAPL", "MSFT"]}
    assert problems(minimal(rows=[named_like_a_series])) == [
        "r.toml: performance.rows[0].id: 'AAPL' is a series; a basket needs its own id, e.g. 'AAPL_EW'"
    ]
    typo = {**one, "members": ["AAPL", "GOOGLE"]}
    assert problems(minimal(rows=[typo])) == [
        "r.toml: performance.rows[0].members: unknown series 'GOOGLE' (did you mean 'GOOGL'?)"
    ]


def test_every_cross_check_problem_at_once() -> None:
    rows = [
        {"id": "IWM", "label": "a", "group": "small caps"},
        {"id": "IWM", "label": "b", "group": "small caps"},
        {"id": "IWMM", "label": "c", "group": "small caps"},
    ]
    assert problems(minimal(benchmark="SPX", rows=rows)) == [
        "r.toml: performance.benchmark: unknown series 'SPX' (did you mean 'SPY'?)",
        "r.toml: performance.rows[1].id: duplicate row id 'IWM' (also rows[0])",
        "r.toml: performance.rows[2].id: unknown series 'IWMM' (did you mean 'IWM'?) (declare it under [series], or "
        "list 'members' for a basket)",
    ]


def test_defaults() -> None:
    perf = parse_performance(minimal(), ["SPY", "IWM"], "r.toml")
    assert (perf.horizons, perf.max_staleness_days, perf.percentile_years, perf.min_percentile_years) == (
        ["1w", "1m", "3m", "ytd", "12m"], 5, 10, 1.0,
    )  # fmt: skip
    assert perf.rows[0].series_ids == ("IWM",) and not perf.rows[0].is_basket
