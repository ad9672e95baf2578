"""The ``[performance]`` declaration: validated whole, each error naming its key; the example block merges cleanly."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from generator.errors import SpecError
from generator.spec import ReportSpec
from generator.spec_performance import PerformanceSpec, check_performance, parse_performance

REPORTS = Path(__file__).resolve().parents[1] / "reports"
EXAMPLE = REPORTS / "performance.example.toml"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return tomllib.loads((REPORTS / "small_cap_rotation.toml").read_text())


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text())


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


def test_the_example_covers_the_grid_of_the_issue(example: dict[str, Any], report: dict[str, Any]) -> None:
    series = [*report["series"], *example["series"]]
    perf = parse_performance(example["performance"], series, str(EXAMPLE))
    ids = [r.id for r in perf.rows]
    wanted = ["IWM", "IWN", "IWO", "IJR", "SPY", "RSP", "QQQ", "MAG7_EW", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL",
              "META", "TSLA", "PSCE", "PSCI", "PSCU", "PSCF", "PSCH", "PSCT", "PSCD", "PSCM", "PSCC"]  # fmt: skip
    assert ids[: len(wanted)] == wanted
    large_sectors = [r.id for r in perf.rows if r.group == "large-cap sectors"]
    assert large_sectors == sorted(s for s in report["series"] if s.startswith("XL")) == ["XLE", "XLI", "XLU"]
    basket = perf.rows[ids.index("MAG7_EW")]
    assert basket.series_ids == ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA")
    assert (perf.benchmark, perf.horizons, perf.percentile_years) == ("SPY", ["1w", "1m", "3m", "ytd", "12m"], 10)


def test_qqq_is_the_only_new_series(example: dict[str, Any], report: dict[str, Any]) -> None:
    assert list(example["series"]) == ["QQQ"]
    got = check_performance(PerformanceSpec.model_validate(example["performance"]), report["series"])
    assert got == [
        "performance.rows[6].id: unknown series 'QQQ' (declare it under [series], or list 'members' for a basket)"
    ]


def test_merged_into_the_report_definition(example: dict[str, Any], report: dict[str, Any]) -> None:
    """The lead's one line (``performance: PerformanceSpec | None = None`` on ReportSpec) accepts the merged file."""

    class WithPerformance(ReportSpec):
        performance: PerformanceSpec | None = None

    merged = {**report, "series": {**report["series"], **example["series"]}, "performance": example["performance"]}
    spec = WithPerformance.model_validate(merged)
    assert spec.performance is not None and spec.series["QQQ"].id == "QQQ"
    assert check_performance(spec.performance, spec.series) == []
    with pytest.raises(ValidationError):
        WithPerformance.model_validate({**merged, "performance": {**example["performance"], "benchmrk": "SPY"}})


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
