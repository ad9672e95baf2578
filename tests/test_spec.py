"""The report definition: the real one loads, and broken ones are reported by file, key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_copies import replaced, report_copy

from generator.errors import SpecError
from generator.pipeline import load_report

REPORT = Path(__file__).resolve().parents[1] / "reports" / "small_cap_rotation.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    return path


def broken(tmp_path: Path, old: str, new: str) -> Path:
    return report_copy(tmp_path, replaced(old, new))


def test_real_definition_loads() -> None:
    loaded = load_report(REPORT)
    assert loaded.spec.report.title == "US Small-Cap Rotation Monitor"
    assert "IWM" in loaded.spec.series and "CPILFESL" in loaded.spec.series
    assert len(loaded.sha256) == 64


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"nope\.toml: report definition not found"):
        load_report(tmp_path / "nope.toml")


def test_not_toml(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"r\.toml: not valid TOML"):
        load_report(write(tmp_path, "[report\ntitle = 1"))


def test_wrong_type_names_key(tmp_path: Path) -> None:
    path = broken(tmp_path, "amber = 450\n", 'amber = "high"\n')
    with pytest.raises(SpecError) as err:
        load_report(path)
    assert str(err.value) == f"{path}: flags.credit_stress.amber: expected a number, got 'high'"


def test_unknown_key_and_missing_key_collected_together(tmp_path: Path) -> None:
    path = broken(tmp_path, 'label = "VIX"\nfunction = "latest"', 'labl = "VIX"\nfunction = "latest"')
    with pytest.raises(SpecError) as err:
        load_report(path)
    lines = str(err.value).splitlines()
    assert f"{path}: indicators.vix.label: is required but missing" in lines
    assert f"{path}: indicators.vix.labl: is not a known key (check the spelling)" in lines


def test_unknown_series_reference_suggests(tmp_path: Path) -> None:
    path = broken(tmp_path, 'inputs = { series = "VIX" }', 'inputs = { series = "VIXX" }')
    with pytest.raises(
        SpecError, match=r"indicators\.vix\.inputs\.series: unknown series 'VIXX' \(did you mean 'VIX'\?\)"
    ):
        load_report(path)


def test_unknown_function(tmp_path: Path) -> None:
    path = broken(tmp_path, 'function = "yoy_change"', 'function = "yoy_chnage"')
    with pytest.raises(SpecError, match=r"unknown indicator function 'yoy_chnage' \(did you mean 'yoy_change'\?\)"):
        load_report(path)


def test_bad_literal_set_by_the_report_over_its_catalogue(tmp_path: Path) -> None:
    path = broken(tmp_path, 'include = ["series.toml"]\n', 'include = ["series.toml"]\nseries.CPIAUCSL.frequency = "fortnightly"\n')
    with pytest.raises(SpecError) as err:
        load_report(path)
    # The key was set in the report, so the report is named, not the catalogue.
    assert str(err.value) == (f"{path}: series.CPIAUCSL.frequency: expected one of 'daily', 'weekly', 'monthly' or "
                              "'quarterly', got 'fortnightly'")
