"""Two reports in one archive root: the first keeps the root flat; a second one is refused until the existing
briefings are moved to their own folder with `briefing archive split`, never silently; then each report writes
into output/<report-id>/."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from generator import build_briefing
from generator.cli import main
from generator.errors import UsageError
from generator.reports import archive_root, reading_root, report_folders

MINI = Path(__file__).resolve().parent / "fixtures" / "reports" / "mini.toml"
DAY = date(2026, 11, 20)

pytestmark = pytest.mark.slow


def test_a_second_report_waits_for_the_split_then_each_has_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "output"
    first = build_briefing(DAY, source="illustrative", output_dir=root, formats=("html",))
    assert first.directory == root / "2026-11-20"  # one report: the root stays flat
    assert archive_root(root, "small_cap_rotation") == root

    # A second report does not write beside the first one's briefings: one line says what to run.
    with pytest.raises(UsageError) as refused:
        build_briefing(DAY, source="illustrative", output_dir=root, report=MINI, formats=("html",))
    assert str(refused.value) == (
        f"{root} holds the briefings of report 'small_cap_rotation'; to archive 'mini' beside them, first run "
        f"`briefing archive split --output {root}` (it moves them to {root / 'small_cap_rotation'}/)"
    )
    assert sorted(p.name for p in root.iterdir()) == ["2026-11-20", "index.html"]  # nothing moved, nothing added

    assert main(["archive", "split", "--output", str(root)]) == 0
    assert "moved 1 briefing(s) of 'small_cap_rotation'" in capsys.readouterr().out
    assert (root / "small_cap_rotation" / "2026-11-20" / "manifest.json").is_file()

    second = build_briefing(DAY, source="illustrative", output_dir=root, report=MINI, formats=("html",))
    assert second.directory == root / "mini" / "2026-11-20"
    again = build_briefing(date(2026, 11, 13), source="illustrative", output_dir=root, formats=("html",))
    assert again.directory == root / "small_cap_rotation" / "2026-11-13"
    # And the earlier briefing of the same report is its past; the other report's is not.
    assert again.manifest["since_last"] is None  # 11-13 is before 11-20: nothing earlier of its own
    later = build_briefing(date(2026, 11, 27), source="illustrative", output_dir=root, report=MINI, formats=("html",))
    assert later.manifest["since_last"]["before"] == "2026-11-20"


def test_reading_commands_read_one_report_of_a_shared_root(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """list, history, compare, rerender and send read root/<report-id>/: --report names it (its archive name or
    its definition), the only one is read without it, and several without it is one line naming them."""
    monkeypatch.delenv("BRIEFING_REPORT", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    root = tmp_path / "output"
    (root / "mini").mkdir(parents=True)
    build_briefing(DAY, source="illustrative", output_dir=root, report=MINI, formats=("html",))
    assert reading_root(root) == root / "mini"  # the only report: read without --report
    assert main(["list", "--output", str(root)]) == 0
    assert "1 briefing(s) in " + str(root / "mini") in capsys.readouterr().out

    build_briefing(DAY, source="illustrative", output_dir=root, formats=("html",))
    assert report_folders(root) == ["mini", "small_cap_rotation"]
    for command in (["list"], ["history", "stance"], ["compare", "2026-11-20", "2026-11-20"],
                    ["rerender", "2026-11-20", "--to", str(tmp_path / "again")],
                    ["send", "--date", "2026-11-20", "--dry-run", "--to", "pm@example.com"]):
        assert main([*command, "--output", str(root)]) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"error: {root} holds the briefings of 2 reports (mini, small_cap_rotation): choose one "
                       f"with --report NAME (or --output {root / 'mini'})"], (command, err)
        assert not (tmp_path / "again").exists()

    assert main(["list", "--output", str(root), "--report", "small_cap_rotation", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["archive"] == str(root / "small_cap_rotation") and len(listed["briefings"]) == 1
    assert reading_root(root, str(MINI)) == root / "mini"  # a definition file: its [report] id, or its name
    with pytest.raises(UsageError) as absent:  # a packaged report with nothing archived here
        reading_root(root, "rates_credit_cycle")
    assert str(absent.value) == (f"{root} holds no briefings of report 'rates_credit_cycle' "
                                 "(its reports: mini, small_cap_rotation)")
