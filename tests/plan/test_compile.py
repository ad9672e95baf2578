"""The compiled plan: every kind of bad definition is one line naming file and key, exit 2, before any request;
a short definition that includes the catalogue works on the first try."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.support.loopback import Loopback
from generator.cli import main
from generator.errors import SpecError
from generator.plan import compile_plan

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "reports" / "series.toml"
MINI = REPO / "tests" / "fixtures" / "reports" / "mini.toml"

BASE = f'''include = ["{CATALOGUE}"]

[report]
title = "Test"

[indicators]
curve = {{ label = "Curve", function = "latest", inputs = {{ series = "T10Y2Y" }}, unit = "pp" }}
move = {{ label = "Curve move", function = "change", inputs = {{ series = "T10Y2Y" }}, params = {{ periods = 21 }}, unit = "pp" }}

[flags.inverted]
label = "Curve inverted"
kind = "risk"
indicator = "curve"
direction = "below"
amber = 0.25
red = 0.0
rationale = "Inversions precede recessions."

[charts.curve]
kind = "lines"
title = "The curve"
series = ["T10Y2Y"]

[[sections]]
id = "s"
title = "S"
indicators = ["curve", "move"]
flags = ["inverted"]
charts = ["curve"]
'''


def write(tmp_path: Path, text: str, name: str = "r.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(tmp_path: Path, old: str, new: str) -> Path:
    assert old in BASE, old
    return write(tmp_path, BASE.replace(old, new, 1))


def problem(path: Path) -> str:
    with pytest.raises(SpecError) as err:
        compile_plan(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_the_base_definition_compiles(tmp_path: Path) -> None:
    plan = compile_plan(write(tmp_path, BASE))
    assert list(plan.spec.series) == ["T10Y2Y"]  # only what is read, out of a catalogue of ~50
    assert plan.spec.report.id == "r"  # from the file name
    assert plan.warnings == ("stance: no supportive signals: the stance can never read 'Supportive'",)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # unknown function, with a suggestion
        ('function = "change"', 'function = "chnage"',
         "indicators.move.function: unknown indicator function 'chnage' (did you mean 'change'?) "
         "(`briefing functions` lists them)"),
        # a misspelled parameter: change takes periods, not window
        ("params = { periods = 21 }", "params = { window = 21 }",
         "indicators.move.params.window: change has no parameter 'window' (did you mean 'periods'?) "
         "(its parameters: periods, scale)"),
        ("params = { periods = 21 }", "params = { periods = 21, sacle = 100 }",
         "indicators.move.params.sacle: change has no parameter 'sacle' (did you mean 'scale'?) "
         "(its parameters: periods, scale)"),
        # a required parameter left out
        ("params = { periods = 21 }", "params = {}", "indicators.move.params.periods: change needs 'periods' (integer)"),
        # wrong parameter type
        ("params = { periods = 21 }", 'params = { periods = "a month" }',
         "indicators.move.params.periods: expected integer, got 'a month'"),
        ("params = { periods = 21 }", "params = { periods = 21.5 }",
         "indicators.move.params.periods: expected integer, got 21.5"),
        # an input series no one declared
        ('inputs = { series = "T10Y2Y" }, unit = "pp" }', 'inputs = { series = "T10Y2" }, unit = "pp" }',
         "indicators.curve.inputs.series: unknown series 'T10Y2' (did you mean 'T10Y2Y'?)"),
        # an input the function does not have
        ('inputs = { series = "T10Y2Y" }, unit = "pp" }', 'inputs = { serie = "T10Y2Y" }, unit = "pp" }',
         "indicators.curve.inputs.serie: latest has no input 'serie' (did you mean 'series'?) (its inputs: series)"),
        # a flag on an unknown indicator
        ('indicator = "curve"', 'indicator = "curv"',
         "flags.inverted.indicator: unknown indicator 'curv' (did you mean 'curve'?)"),
        # a stance rule that can never fire
        ("[[sections]]", "[stance]\nfragile_if_red_at_least = 2\n\n[[sections]]",
         "stance.fragile_if_red_at_least: needs 2 red risk drivers but the report has 1: 'Fragile' could never be "
         "reached; set it to at most 1"),
        # a section naming an unknown chart
        ('charts = ["curve"]', 'charts = ["curves"]', "sections[0].charts: unknown chart 'curves' (did you mean 'curve'?)"),
        # a chart of an unknown kind
        ('kind = "lines"', 'kind = "line"', "charts.curve.kind: unknown chart kind 'line' (did you mean 'lines'?)"),
    ],
)
def test_each_bad_definition_is_one_line_naming_file_and_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = edited(tmp_path, old, new)
    assert problem(path) == f"{path}: {expected}"


def test_a_cycle_between_derived_series(tmp_path: Path) -> None:
    text = BASE.replace(f'include = ["{CATALOGUE}"]', f'include = ["{CATALOGUE}"]\n'
                        'series.T10Y2Y.fallback = { series = "DGS10", label = "the 10-year" }\n'
                        'series.DGS10.fallback = { series = "T10Y2Y", label = "the curve" }')
    path = write(tmp_path, text)
    assert problem(path) == f"{path}: series.T10Y2Y.fallback: fallbacks form a cycle: T10Y2Y -> DGS10 -> T10Y2Y"


def test_an_unknown_derivation_and_its_parameters(tmp_path: Path) -> None:
    text = BASE.replace(f'include = ["{CATALOGUE}"]', f'include = ["{CATALOGUE}"]\nseries.T10Y2Y.fallback = '
                        '{ function = "target_from_effective", inputs = { effective = "DFF" }, '
                        'params = { bound = "middle" }, label = "x" }')
    path = write(tmp_path, text)
    assert problem(path) == f"{path}: series.T10Y2Y.fallback.params.bound: expected 'upper' or 'lower', got 'middle'"


def test_an_include_that_does_not_exist(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace(str(CATALOGUE), "catalog.toml"))
    with pytest.raises(SpecError) as err:
        compile_plan(path)
    assert str(err.value) == f"{path}: include[0]: include '{tmp_path / 'catalog.toml'}' does not exist"


def test_an_error_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    catalogue = write(tmp_path, '[series.T10Y2Y]\nprovider = "fred"\nlabel = "Curve"\nfrequency = "daly"\n'
                      'kind = "spread"\nunit = "pp"\n', "catalogue.toml")
    path = write(tmp_path, BASE.replace(str(CATALOGUE), "catalogue.toml"))
    assert problem(path) == (f"{catalogue}: series.T10Y2Y.frequency: expected one of 'daily', 'weekly', 'monthly' or "
                             "'quarterly', got 'daly'")


def test_a_report_overrides_one_key_of_a_catalogue_series(tmp_path: Path) -> None:
    text = BASE.replace(f'include = ["{CATALOGUE}"]', f'include = ["{CATALOGUE}"]\nseries.T10Y2Y.max_staleness_days = 3')
    plan = compile_plan(write(tmp_path, text))
    assert plan.spec.series["T10Y2Y"].max_age_days == 3
    assert plan.spec.series["T10Y2Y"].label == "10-year minus 2-year Treasury spread"  # the rest from the catalogue


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE.replace('function = "change"', 'function = "chnage"').replace('indicator = "curve"',
                                                                              'indicator = "curv"')
    with pytest.raises(SpecError) as err:
        compile_plan(write(tmp_path, text))
    assert len(str(err.value).splitlines()) == 2


def _fred_and_yahoo_counting(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_YAHOO_BASE_URL", server.url)
    monkeypatch.setenv("BRIEFING_FRED_API_ROOT", server.url + "/fred")
    monkeypatch.setenv("BRIEFING_FRED_CSV_URL", server.url + "/fredgraph.csv")
    monkeypatch.setenv("BRIEFING_HTTP_RETRIES", "0")


def test_cli_refuses_a_bad_definition_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, loopback: Loopback
) -> None:
    _fred_and_yahoo_counting(loopback, monkeypatch)
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "store"))
    path = edited(tmp_path, "params = { periods = 21 }", "params = { window = 21 }")
    out = tmp_path / "out"
    code = main(["generate", "--report", str(path), "--source", "live", "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {path}: indicators.move.params.window: change has no parameter 'window' (did you mean 'periods'?) "
        "(its parameters: periods, scale)"
    ]
    assert loopback.requests == []  # nothing fetched
    assert not out.exists() and not (tmp_path / "store").exists()  # nothing written


def test_check_reports_what_would_be_fetched_without_fetching(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, loopback: Loopback
) -> None:
    _fred_and_yahoo_counting(loopback, monkeypatch)
    code = main(["check", str(MINI)])
    out = capsys.readouterr().out
    assert code == 0
    assert "would fetch 3 series (nothing was fetched):" in out
    assert "fred: DGS10, T10Y2Y, T5YIE" in out
    assert loopback.requests == []


def test_the_mini_report_is_short_and_builds_on_the_first_try(tmp_path: Path) -> None:
    assert len(MINI.read_text().splitlines()) <= 25
    from generator import build_briefing

    result = build_briefing(date(2026, 11, 20), source="illustrative", output_dir=tmp_path, report=MINI,
                            formats=("html",))
    html = (result.directory / "briefing.html").read_text()
    assert "Curve watch" in html and "US equities" not in html and "small cap" not in html.lower()
    assert "Key takeaways" in html  # written from its one flag, never an empty heading
    assert result.analysis.stance.label in ("Mixed", "Fragile")
    assert set(result.manifest["series"]) == {"DGS10", "T10Y2Y", "T5YIE"}



def test_a_chart_parameter_typo_is_refused(tmp_path: Path) -> None:
    text = BASE.replace('series = ["T10Y2Y"]\n', 'series = ["T10Y2Y"]\nparams = { decimalz = 1 }\n')
    path = write(tmp_path, text)
    line = problem(path)
    assert line.startswith(f"{path}: charts.curve.params.decimalz: unknown parameter"), line
    assert "did you mean 'decimals'?" in line


def test_the_report_comes_from_the_option_then_the_environment_then_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.reports import find_report
    from generator.resources import reports_dir

    monkeypatch.delenv("BRIEFING_REPORT", raising=False)
    assert find_report(None) == reports_dir() / "small_cap_rotation.toml"
    monkeypatch.setenv("BRIEFING_REPORT", "rates_credit_cycle")
    assert find_report(None) == reports_dir() / "rates_credit_cycle.toml"
    assert find_report(MINI) == MINI  # the option wins
    monkeypatch.setenv("BRIEFING_REPORT", str(tmp_path / "gone.toml"))
    with pytest.raises(SpecError, match=r"gone\.toml: report definition not found \(BRIEFING_REPORT; "):
        find_report(None)
