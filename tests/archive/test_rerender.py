"""Re-render from the folder alone, after the report definition changed; compare across definition versions."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from report_copies import report_copy

from generator.cli import main

pytestmark = pytest.mark.slow


def rename_vix(path: Path) -> None:
    """A new definition version: indicator 'vix' becomes 'vix_level' (its references follow)."""
    text = path.read_text()
    assert text.count("[indicators.vix]") == 1 and text.count('indicator = "vix"') >= 1
    text = text.replace("[indicators.vix]", "[indicators.vix_level]").replace(
        'indicator = "vix"', 'indicator = "vix_level"'
    )
    text = re.sub(r"\b(v|chg|then)\.vix\b", r"\1.vix_level", text)  # takeaway templates read it too
    text = text.replace('"sloos_small", "vix",', '"sloos_small", "vix_level",')
    path.write_text(text)


def test_rerender_after_definition_change_and_compare_across_versions(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from generator import build_briefing

    definition = report_copy(tmp_path, name="def.toml")
    root = tmp_path / "archive"
    build_briefing(date(2026, 11, 13), source="illustrative", formats=["html"], output_dir=root, report=definition)
    old = build_briefing(
        date(2026, 11, 16), source="illustrative", formats=["html"], output_dir=root, report=definition
    )
    rename_vix(definition)
    new = build_briefing(
        date(2026, 11, 20), source="illustrative", formats=["html"], output_dir=root, report=definition
    )
    assert "vix_level" in new.manifest["indicators"] and "vix" not in new.manifest["indicators"]

    # the 11-16 briefing re-renders from its own folder with the definition it used, not today's
    out = tmp_path / "again"
    assert main(["rerender", "2026-11-16", "--output", str(root), "--to", str(out), "--format", "html"]) == 0
    stdout, stderr = capsys.readouterr()
    assert "Every indicator, flag and the stance match the archived manifest." in stdout and stderr == ""
    assert (out / "briefing.html").read_bytes() == (old.directory / "briefing.html").read_bytes()
    assert json.loads((out / "manifest.json").read_text()) == old.manifest

    # the comparison across the two definition versions shows the renamed indicator as removed and added
    assert main(["compare", "2026-11-16", "2026-11-20", "--format", "json", "--output", str(root)]) == 0
    cmp = json.loads(capsys.readouterr().out)
    presence = {m["id"]: m["presence"] for m in cmp["indicators"]}
    assert presence["vix"] == "removed" and presence["vix_level"] == "added"
    assert {p for p in presence.values()} == {"both", "added", "removed"}
    assert cmp["notes"][0].startswith("the report definition changed between the two briefings")
    # and so does the briefing's own "since the last briefing"
    since = new.manifest["since_last"]
    assert {m["id"]: m["presence"] for m in since["indicators"]}["vix_level"] == "added"
    html = new.files["briefing.html"].read_text()
    assert "(added)" in html and "(removed)" in html

    # history of the old id stops where the definition changed
    assert main(["history", "vix", "--format", "json", "--output", str(root)]) == 0
    hist = json.loads(capsys.readouterr().out)
    assert [v["date"] for v in hist["values"]] == ["2026-11-13", "2026-11-16"]
    assert hist["not_in_definition"] == ["2026-11-20"]


def test_rerender_refuses_to_write_over_the_archive(short_archive: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = short_archive / "2026-11-13"
    assert main(["rerender", "2026-11-13", "--output", str(short_archive), "--to", str(folder)]) == 4
    assert "re-render into a new folder" in capsys.readouterr().err


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_rerender_never_writes_into_an_archive(short_archive: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "out"
    shutil.copytree(short_archive, root)
    other = tmp_path / "other-archive"
    shutil.copytree(short_archive, other)
    split = tmp_path / "split"  # one folder per report: output/<report-id>/YYYY-MM-DD/
    shutil.copytree(short_archive, split / "small_cap_rotation")
    (split / "small_cap_rotation" / "index.html").unlink()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    before = {folder: tree(folder) for folder in (root, other, split, tmp_path / "notes")}
    refused = {
        root / "2026-10-30": f"{root / '2026-10-30'} is inside the archived briefing {root / '2026-10-30'}",
        root / "2026-11-27": f"{root / '2026-11-27'} would look like an archived briefing of {root}",
        root / "2026-10-30" / "revisions" / "9": f"{root / '2026-10-30' / 'revisions' / '9'} is inside the archived "
        f"briefing {root / '2026-10-30'}",
        root: f"{root} is an archive",
        other / "2026-11-06": f"{other / '2026-11-06'} is inside the archived briefing {other / '2026-11-06'}",
        other / "2026-12-04": f"{other / '2026-12-04'} would look like an archived briefing of {other}",
        split / "2026-11-27": f"{split / '2026-11-27'} would look like an archived briefing of {split}",
        split: f"{split} is an archive",
        tmp_path / "notes": f"{tmp_path / 'notes'} is not empty",
        tmp_path / "notes" / "mine.txt": f"{tmp_path / 'notes' / 'mine.txt'} is a file",
    }
    for target, why in refused.items():
        code = main(["rerender", "2026-11-13", "--output", str(root), "--to", str(target), "--format", "html"])
        err = capsys.readouterr().err
        assert code == 4, (target, err)
        assert err.splitlines() == [f"error: {why}: re-render into a new folder, or an empty one, outside any archive"]
    assert {folder: tree(folder) for folder in before} == before

    # A new folder, or an empty one, anywhere else is fine, even inside the archive root's own subfolders.
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "empty", tmp_path / "new" / "r", root / "rerenders" / "2026-11-13"):
        code = main(["rerender", "2026-11-13", "--output", str(root), "--to", str(target), "--format", "html"])
        assert code == 0, capsys.readouterr().err
        capsys.readouterr()
        assert sorted(p.name for p in target.iterdir()) == [
            "briefing.html", "manifest.json", "report.toml", "snapshot.parquet"
        ]
        assert [p.name for p in target.parent.iterdir() if p.name.startswith(".")] == []  # staged, then renamed
    assert {k: v for k, v in tree(root).items() if not k.startswith("rerenders/")} == before[root]
