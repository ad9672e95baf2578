"""Bad input at the command line: one clear line on stderr, a non-zero exit, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_copies import replaced, report_copy

from generator.cli import main

REPO = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unknown_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--source", "bloomberg", "--output", str(tmp_path))
    assert code == 2
    assert (
        assert_one_line(err)
        == "error: unknown --source 'bloomberg': expected one of auto, live, store, illustrative or csv:DIR"
    )
    assert list(tmp_path.iterdir()) == []


def test_impossible_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--date", "2026-02-30", "--output", str(tmp_path))
    assert code == 2
    assert "is not a valid date: expected YYYY-MM-DD" in assert_one_line(err)


def test_future_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--date", "2999-01-01", "--output", str(tmp_path))
    assert code == 2
    assert "2999-01-01 is in the future" in assert_one_line(err)


def test_unknown_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--format", "docx", "--output", str(tmp_path))
    assert code == 2
    assert "unknown --format 'docx'" in assert_one_line(err)


def test_unknown_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "generate", "--colour", "red")
    assert code == 2
    assert "No such option: --colour" in assert_one_line(err)


def test_missing_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--report", str(tmp_path / "none.toml"), "--output", str(tmp_path / "o"))
    assert code == 2
    assert assert_one_line(err) == (
        f"error: {tmp_path / 'none.toml'}: report definition not found (--report; the packaged reports are: "
        "rates_credit_cycle, small_cap_rotation)"
    )
    assert not (tmp_path / "o").exists()


def test_malformed_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = report_copy(tmp_path, replaced("red = 600", 'red = "lots"'), "bad.toml")
    code, _, err = run(capsys, "generate", "--report", str(bad), "--output", str(tmp_path / "o"))
    assert code == 2
    assert assert_one_line(err) == f"error: {bad}: flags.credit_stress.red: expected a number, got 'lots'"


def test_output_not_writable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run(
        capsys, "generate", "--source", "illustrative", "--format", "html", "--output", str(blocker / "out")
    )
    assert code == 4
    assert assert_one_line(err).startswith(f"error: cannot create output directory {blocker / 'out'}")


@pytest.mark.slow
def test_generate_html_then_refuse_overwrite_then_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = [
        "generate",
        "--date",
        "2026-11-20",
        "--source",
        "illustrative",
        "--format",
        "html",
        "--output",
        str(tmp_path),
    ]
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert f"written to {tmp_path / '2026-11-20'}" in out
    assert "Illustrative data - not market data." in out
    first = json.loads((tmp_path / "2026-11-20" / "manifest.json").read_text())
    assert sorted(first["files"]) == ["briefing.html", "report.toml", "snapshot.parquet"]

    code, _, err = run(capsys, *args)
    assert code == 4
    assert "already exists: use --force" in assert_one_line(err)

    code, _, _ = run(capsys, *args, "--force")
    assert code == 0
    kept = json.loads((tmp_path / "2026-11-20" / "revisions" / "1" / "manifest.json").read_text())
    assert kept["generated_at"] == first["generated_at"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-20", "index.html"]
