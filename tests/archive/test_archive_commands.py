"""`compare`, `history` and the archive's answers to bad input: unknown dates, damaged manifests, lost snapshots."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main

pytestmark = pytest.mark.slow


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def archive_copy(short_archive: Path, tmp_path: Path) -> Path:
    """A private copy of the short archive that a test may damage."""
    root = tmp_path / "archive"
    shutil.copytree(short_archive, root)
    return root


def test_compare_json_is_the_since_last_record(short_archive: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "compare", "2026-11-06", "2026-11-13", "--format", "json", "--output", str(short_archive)
    )
    assert code == 0
    manifest = json.loads((short_archive / "2026-11-13" / "manifest.json").read_text())
    # comparing a briefing with the one before it gives exactly what it published as "since the last briefing"
    assert json.loads(out) == manifest["since_last"]
    code, reversed_out, _ = run(
        capsys, "compare", "2026-11-13", "2026-11-06", "--format", "json", "--output", str(short_archive)
    )
    assert code == 0 and json.loads(reversed_out) == json.loads(out)


def test_compare_table_and_html(short_archive: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COLUMNS", raising=False)  # piped, as a user's `| grep` (pytest-xdist's workers set 80)
    code, out, _ = run(capsys, "compare", "2026-10-30", "2026-11-13", "--output", str(short_archive))
    assert code == 0
    assert "Briefing 2026-10-30 vs 2026-11-13" in out
    manifest = json.loads((short_archive / "2026-11-13" / "manifest.json").read_text())
    for flag in manifest["flags"].values():
        assert flag["label"] in out
    assert "UNRATE" in out and "new observation" in out
    page = tmp_path / "cmp.html"
    code, out, _ = run(
        capsys,
        "compare",
        "2026-10-30",
        "2026-11-13",
        "--format",
        "html",
        "--to",
        str(page),
        "--output",
        str(short_archive),
    )
    assert code == 0 and f"written {page}" in out
    html = page.read_text()
    assert "<h1>Briefing 2026-10-30 vs 2026-11-13</h1>" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_compare_bad_input(short_archive: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "compare", "2026-11-06", "2026-11-14", "--output", str(short_archive))
    assert code == 5
    assert one_line(err) == (
        f"error: no briefing for 2026-11-14 in {short_archive} (nearest: 2026-11-13); `briefing list` shows them all"
    )
    code, _, err = run(capsys, "compare", "2026-11-06", "2026-11-06", "--output", str(short_archive))
    assert code == 2 and "two different dates" in one_line(err)
    code, _, err = run(capsys, "compare", "2026-11-06", "13/11/2026", "--output", str(short_archive))
    assert code == 2 and "DATE_B '13/11/2026' is not a valid date" in one_line(err)
    code, _, err = run(capsys, "compare", "2026-11-06", "2026-11-13", "--format", "pdf", "--output", str(short_archive))
    assert code == 2 and "unknown --format 'pdf'" in one_line(err)


def test_history_records_what_was_published(short_archive: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "history", "vix", "--format", "json", "--output", str(short_archive))
    assert code == 0
    data = json.loads(out)
    published = [
        json.loads((short_archive / d / "manifest.json").read_text())["indicators"]["vix"]
        for d in ("2026-10-30", "2026-11-06", "2026-11-13")
    ]
    assert [v["value"] for v in data["values"]] == [p["value"] for p in published]
    assert [v["date"] for v in data["values"]] == ["2026-10-30", "2026-11-06", "2026-11-13"]
    assert data["unit"] == published[0]["unit"] and data["not_in_definition"] == []
    code, out, _ = run(capsys, "history", "vix", "--output", str(short_archive))
    assert code == 0
    rows = [line.split() for line in out.splitlines() if line.startswith("2026-")]
    assert [(r[0], r[1]) for r in rows] == [
        (p, v["formatted"])
        for p, v in zip(("2026-11-13", "2026-11-06", "2026-10-30"), reversed(published), strict=True)
    ]
    page = tmp_path / "vix.html"
    code, _, _ = run(capsys, "history", "vix", "--format", "html", "--to", str(page), "--output", str(short_archive))
    assert code == 0 and "<svg" in page.read_text() and "as published" in page.read_text()
    code, _, err = run(capsys, "history", "vixx", "--output", str(short_archive))
    assert code == 2 and one_line(err) == "error: no archived briefing has an indicator 'vixx' (did you mean 'vix'?)"


def test_damaged_manifest_is_named_and_the_rest_still_lists(archive_copy: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = archive_copy / "2026-11-06" / "manifest.json"
    data = json.loads(path.read_text())
    first_flag = next(iter(data["flags"]))
    data["flags"][first_flag]["state"] = "purple"
    path.write_text(json.dumps(data))
    before = {p: p.read_bytes() for p in archive_copy.rglob("*") if p.is_file()}

    code, _, err = run(capsys, "compare", "2026-11-06", "2026-11-13", "--output", str(archive_copy))
    assert code == 5
    assert one_line(err).startswith(
        f"error: {path}: flags.{first_flag}.state: Input should be 'green', 'amber', 'red' or 'unknown', got 'purple'"
    )
    code, out, err = run(capsys, "list", "--output", str(archive_copy))
    assert code == 0
    assert "2026-11-13" in out and "2026-10-30" in out and "2026-11-06" not in out
    assert f"warning: {path}: flags.{first_flag}.state" in err
    code, out, _ = run(capsys, "list", "--json", "--output", str(archive_copy))
    assert [u["folder"] for u in json.loads(out)["unreadable"]] == [str(path.parent)]
    # reading never changes the archive
    assert {p: p.read_bytes() for p in archive_copy.rglob("*") if p.is_file()} == before


def test_truncated_manifest(archive_copy: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = archive_copy / "2026-11-13" / "manifest.json"
    path.write_text(path.read_text()[:200])
    code, _, err = run(capsys, "history", "vix", "--output", str(archive_copy))
    assert code == 0  # the two readable briefings still answer
    code, _, err = run(capsys, "rerender", "2026-11-13", "--output", str(archive_copy))
    assert code == 5 and one_line(err).startswith(f"error: {path}: not valid JSON")


def test_missing_snapshot(archive_copy: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    snap = archive_copy / "2026-11-06" / "snapshot.parquet"
    snap.unlink()
    code, _, err = run(capsys, "compare", "2026-11-06", "2026-11-13", "--output", str(archive_copy))
    assert code == 5
    assert one_line(err) == f"error: {snap}: data snapshot is missing; this briefing cannot be re-rendered or compared"
    code, _, err = run(capsys, "rerender", "2026-11-06", "--output", str(archive_copy), "--to", str(tmp_path / "r"))
    assert code == 5 and str(snap) in one_line(err)
    assert not (tmp_path / "r").exists()


def test_rerender_checks_its_inputs_against_the_manifest(archive_copy: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from generator.snapshot_io import read_snapshot, snapshot_bytes

    # A snapshot that still reads, with one value changed: only its hash tells it from the archived one.
    folder = archive_copy / "2026-11-06"
    snap = read_snapshot(folder / "snapshot.parquet")
    sid = sorted(snap.series)[0]
    values = snap.series[sid].values.copy()
    values.iloc[-1] += 1.0
    changed = replace(snap, series={**snap.series, sid: replace(snap.series[sid], values=values)})
    (folder / "snapshot.parquet").write_bytes(snapshot_bytes(changed))
    target = tmp_path / "r"
    code, _, err = run(capsys, "rerender", "2026-11-06", "--output", str(archive_copy), "--to", str(target))
    assert code == 5
    assert one_line(err) == (
        f"error: {folder / 'snapshot.parquet'}: damaged: its SHA-256 differs from the one manifest.json recorded "
        "for it (changed or cut short since it was archived)"
    )
    assert not target.exists()

    # A damaged document is what a re-render repairs: it goes ahead, and says which archived file is damaged.
    html = archive_copy / "2026-11-13" / "briefing.html"
    html.write_bytes(html.read_bytes()[:1000])
    code, _, err = run(capsys, "rerender", "2026-11-13", "--output", str(archive_copy), "--to", str(target))
    assert code == 0, err
    assert err.splitlines() == [
        # built HTML-only, its PDF was pending: the one just rendered is added to the archive
        "note: 2026-11-13: its pending PDF was rendered and added to the archive",
        f"warning: {html}: damaged: its SHA-256 differs from the one manifest.json recorded for it "
        f"(changed or cut short since it was archived); the re-rendered copy in {target} can replace it",
    ]
    assert (target / "briefing.html").stat().st_size > 100_000
    archived = json.loads((archive_copy / "2026-11-13" / "manifest.json").read_text())
    assert archived["pdf"]["state"] == "rendered" and archived["pdf"]["rendered_by"] == "rerender"
    assert archived["files"]["briefing.pdf"] == hashlib.sha256((target / "briefing.pdf").read_bytes()).hexdigest()


def test_views_to_a_folder_or_an_unwritable_path(short_archive: Path, tmp_path: Path, freeze_disk, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "pages"
    folder.mkdir()
    views = {
        "compare": ["compare", "2026-11-06", "2026-11-13"],
        "history": ["history", "vix"],
    }
    for name, args in views.items():
        base = [*args, "--format", "html", "--output", str(short_archive), "--to"]
        code, _, err = run(capsys, *base, str(folder))
        assert (code, one_line(err)) == (4, f"error: --to {folder} is a folder: name the file to write, e.g. "
                                            f"{folder / (name + '.html')}"), name  # fmt: skip
        code, _, err = run(capsys, *base, str(tmp_path / "no" / "such" / "x.html"))
        assert (code, one_line(err)) == (
            4, f"error: cannot write {tmp_path / 'no' / 'such' / 'x.html'}: No such file or directory"
        )  # fmt: skip
    disk = freeze_disk()
    for name, args in views.items():
        code, _, err = run(capsys, *args, "--format", "html", "--output", str(short_archive), "--to", str(disk / "p.html"))
        assert (code, one_line(err)) == (4, f"error: cannot write {disk / 'p.html'}: Read-only file system"), name
    assert list(folder.iterdir()) == []


def test_history_says_which_briefings_it_skipped(archive_copy: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = archive_copy / "2026-11-06" / "manifest.json"
    path.write_text(path.read_text()[:200])
    code, out, err = run(capsys, "history", "vix", "--format", "json", "--output", str(archive_copy))
    assert code == 0
    assert [v["date"] for v in json.loads(out)["values"]] == ["2026-10-30", "2026-11-13"]
    [line] = err.splitlines()
    assert line.startswith(f"warning: skipped the briefing of 2026-11-06, which cannot be read: {path}: not valid JSON")
