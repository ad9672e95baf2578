"""The manifest schema: what a briefing records, and how damaged or hand-edited manifests are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import ArchiveError
from generator.manifest import SCHEMA_VERSION, read_manifest


def _write(tmp_path: Path, data: dict) -> Path:  # type: ignore[type-arg]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def manifest_data(illustrative_briefing) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return json.loads((illustrative_briefing.directory / "manifest.json").read_text())


def test_written_manifest_validates_and_records_its_files(illustrative_briefing, manifest_data) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    d = illustrative_briefing.directory
    m = read_manifest(d / "manifest.json")
    assert m.schema_version == SCHEMA_VERSION == 2
    assert m.as_json() == manifest_data
    for name, digest in m.files.items():
        assert hashlib.sha256((d / name).read_bytes()).hexdigest() == digest, name
    assert m.snapshot is not None and m.snapshot.file == "snapshot.parquet"
    assert m.snapshot.sha256 == m.files["snapshot.parquet"]
    assert m.snapshot.series == len(m.series)
    assert m.snapshot.observations == sum(s.observations for s in m.series.values())
    assert m.report_definition.file == "report.toml"
    assert hashlib.sha256((d / "report.toml").read_bytes()).hexdigest() == m.report_definition.sha256
    assert m.series["CPILFESL"].frequency == "monthly" and m.series["CPILFESL"].provider == "fred"
    assert m.since_last is None and m.history == []  # the first briefing of its archive


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda m: m["flags"]["credit_stress"].update(state="purple"), "flags.credit_stress.state: Input should be"),
        (lambda m: m["indicators"]["vix"].pop("unit"), "indicators.vix.unit: is required but missing"),
        (
            lambda m: m["stance"].update(label="Bullish"),
            "stance.label: Input should be 'Supportive', 'Mixed', 'Fragile' or 'Insufficient evidence', got 'Bullish'",
        ),
        (lambda m: m.update(briefing_date="20 Nov"), "briefing_date: Input should be a valid date"),
        (lambda m: m["files"].update({"briefing.pdf": "abc"}), "files.briefing.pdf: String should match pattern"),
        (lambda m: m.update(colour="red"), "colour: Extra inputs are not permitted"),
    ],
)
def test_hand_edited_manifest_names_file_and_field(tmp_path: Path, manifest_data, edit, expected) -> None:  # type: ignore[no-untyped-def]
    edit(manifest_data)
    path = _write(tmp_path, manifest_data)
    with pytest.raises(ArchiveError) as err:
        read_manifest(path)
    assert str(err.value).startswith(f"{path}: {expected}"), str(err.value)


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"schema_version": 2,')
    with pytest.raises(ArchiveError, match=rf"^{path}: not valid JSON"):
        read_manifest(path)


def test_newer_schema_is_refused_with_a_hint(tmp_path: Path, manifest_data) -> None:  # type: ignore[no-untyped-def]
    manifest_data["schema_version"] = 9
    path = _write(tmp_path, manifest_data)
    with pytest.raises(
        ArchiveError, match=r"schema_version: expected 1 or 2, got 9 \(written by a newer generator\?\)"
    ):
        read_manifest(path)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=r"manifest\.json: manifest is missing"):
        read_manifest(tmp_path / "manifest.json")


def test_version_1_manifest_still_reads(tmp_path: Path, manifest_data) -> None:  # type: ignore[no-untyped-def]
    v1 = {k: v for k, v in manifest_data.items() if k not in ("snapshot", "since_last", "history")}
    v1["schema_version"] = 1
    v1["report_definition"] = {k: v for k, v in v1["report_definition"].items() if k != "file"}
    for s in v1["series"].values():
        for key in ("label", "provider", "frequency"):
            s.pop(key)
    for f in v1["flags"].values():
        f.pop("previous_state")
    m = read_manifest(_write(tmp_path, v1))
    assert m.schema_version == 1 and m.snapshot is None
    assert m.stance.label == manifest_data["stance"]["label"]
