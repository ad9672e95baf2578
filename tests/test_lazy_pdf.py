"""HTML first, PDF after: the order a briefing is published in, PDFs rendered on demand equal to those rendered at
once, and a run killed between the two leaves a whole briefing whose PDF is pending."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pdf_facts import facts

from generator import build_briefing
from generator.archive.index import list_rows
from generator.archive.read import PdfPending, find_briefing
from generator.backfill import backfill
from generator.lazy_pdf import complete_pdf

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "reports" / "small_cap_rotation.toml"
TODAY = date(2026, 11, 24)
DAYS = [date(2026, 11, 13), date(2026, 11, 20)]


def pinned() -> datetime:
    return datetime(2026, 11, 21, 6, 30, tzinfo=UTC)


def manifest(root: Path, day: date) -> dict:  # type: ignore[type-arg]
    return json.loads((root / day.isoformat() / "manifest.json").read_text())


def without_pdf(m: dict) -> dict:  # type: ignore[type-arg]
    return {**{k: v for k, v in m.items() if k not in ("pdf", "files")},
            "files": {k: v for k, v in m["files"].items() if k != "briefing.pdf"}}


@pytest.mark.slow
def test_html_and_manifest_are_published_before_the_pdf(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def published(result) -> None:  # type: ignore[no-untyped-def]
        folder = result.directory
        seen["files"] = sorted(p.name for p in folder.iterdir())
        seen["pdf"] = json.loads((folder / "manifest.json").read_text())["pdf"]
        seen["rows"] = [(r.date, r.html, r.pdf, r.pdf_state) for r in list_rows(tmp_path)[0]]
        with pytest.raises(PdfPending, match="pending: the briefing was published before its PDF"):
            find_briefing(tmp_path, DAYS[1]).read_verified("briefing.pdf")

    result = build_briefing(DAYS[1], source="illustrative", output_dir=tmp_path, report=REPORT, published=published)
    assert seen["files"] == ["briefing.html", "manifest.json", "report.toml", "snapshot.parquet"]
    assert seen["pdf"] == {"state": "pending", "mode": "eager", "rendered_at": None, "rendered_by": None}
    assert seen["rows"] == [("2026-11-20", "2026-11-20/briefing.html", None, "pending")]
    after = manifest(tmp_path, DAYS[1])
    assert after["pdf"]["state"] == "rendered" and after["pdf"]["mode"] == "eager"
    assert after["pdf"]["rendered_by"] == "generate"
    assert set(after["files"]) == {"briefing.html", "briefing.pdf", "report.toml", "snapshot.parquet"}
    assert result.manifest == after
    assert find_briefing(tmp_path, DAYS[1]).verify()  # every file as its manifest records it
    assert [(r.pdf, r.pdf_state) for r in list_rows(tmp_path)[0]] == [("2026-11-20/briefing.pdf", "rendered")]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_pdfs_rendered_on_demand_equal_those_rendered_at_once(tmp_path: Path) -> None:
    eager, lazy = tmp_path / "eager", tmp_path / "lazy"
    common = dict(source="illustrative", report=REPORT, today=TODAY, clock=pinned, workers=2)
    done = backfill(DAYS[0], DAYS[1], "week", formats=("html", "pdf"), output_dir=eager, **common)  # type: ignore[arg-type]
    assert sorted(done.pdfs) == DAYS
    first = backfill(DAYS[0], DAYS[1], "week", output_dir=lazy, **common)  # type: ignore[arg-type]
    assert sorted(first.written) == DAYS and first.pdfs == []
    for day in DAYS:
        m = manifest(lazy, day)
        assert m["pdf"] == {"state": "pending", "mode": "lazy", "rendered_at": None, "rendered_by": None}
        assert "briefing.pdf" not in m["files"] and not (lazy / day.isoformat() / "briefing.pdf").exists()
        assert manifest(eager, day)["pdf"] == {"state": "rendered", "mode": "eager",
                                               "rendered_at": "2026-11-21T06:30:00Z", "rendered_by": "backfill"}
        # The HTML is the same document either way, and so is the manifest but for the PDF's record.
        assert (lazy / day.isoformat() / "briefing.html").read_bytes() == (eager / day.isoformat() / "briefing.html").read_bytes()
        assert without_pdf(manifest(lazy, day)) == without_pdf(manifest(eager, day))

    # One rendered on demand as serve and send do, the other by a later `backfill --format pdf`.
    complete_pdf(lazy, DAYS[0], "send", clock=pinned)
    again = backfill(DAYS[0], DAYS[1], "week", formats=("html", "pdf"), output_dir=lazy, **common)  # type: ignore[arg-type]
    assert again.written == [] and again.kept == DAYS and again.pdfs == [DAYS[1]]
    for day, by in zip(DAYS, ("send", "backfill"), strict=True):
        m = manifest(lazy, day)
        assert m["pdf"] == {"state": "rendered", "mode": "lazy", "rendered_at": "2026-11-21T06:30:00Z",
                            "rendered_by": by}
        assert without_pdf(m) == without_pdf(manifest(eager, day))
        find_briefing(lazy, day).verify()
        a = facts((eager / day.isoformat() / "briefing.pdf").read_bytes())
        b = facts((lazy / day.isoformat() / "briefing.pdf").read_bytes())
        assert len(a.texts) == len(b.texts) >= 10
        assert a == b
        assert set(a.attachments) == {"manifest.json", "snapshot.parquet", "report.toml"}
        # The embedded manifest lists every other file of the folder, and has no PDF record of its own.
        embedded = json.loads(a.attachments["manifest.json"])
        assert embedded["pdf"] is None and embedded["files"] == without_pdf(m)["files"]


@pytest.mark.slow
def test_a_run_killed_between_html_and_pdf_leaves_a_briefing_whose_pdf_is_pending(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    day = "2026-11-20"
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "generate", "--date", day, "--source", "illustrative",
         "--output", str(root), "--report", str(REPORT), "--quiet"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    folder = root / day
    deadline = time.monotonic() + 120
    while not (folder / "manifest.json").exists():  # the HTML is published: the PDF is being laid out
        assert proc.poll() is None and time.monotonic() < deadline, "generate ended before publishing the HTML"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert not (folder / "briefing.pdf").exists(), "the PDF was done before the kill: the machine is too fast here"
    m = json.loads((folder / "manifest.json").read_text())
    assert m["pdf"]["state"] == "pending"
    find_briefing(root, date(2026, 11, 20)).verify()  # the briefing is whole: every file it lists is there and intact

    # A file left by a run killed between its two renames (the PDF in place, the manifest not yet): not part of
    # the briefing, never served as it; the next command that needs the PDF replaces it.
    (folder / "briefing.pdf").write_bytes(b"%PDF-1.7 cut short")
    listed = subprocess.run([sys.executable, "-m", "generator.cli", "list", "--json", "--output", str(root)],
                            cwd=REPO, capture_output=True, text=True, check=True)
    row = json.loads(listed.stdout)["briefings"][0]
    assert row["files"] == {"html": f"{day}/briefing.html"} and row["pdf"] == "pending"

    completed = subprocess.run(
        [sys.executable, "-m", "generator.cli", "generate", "--date", day, "--source", "illustrative",
         "--output", str(root), "--report", str(REPORT)],
        cwd=REPO, capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"{day} is archived with its PDF pending: rendering the PDF" in completed.stderr + completed.stdout
    after = json.loads((folder / "manifest.json").read_text())
    assert after["pdf"]["state"] == "rendered" and after["pdf"]["rendered_by"] == "generate"
    assert without_pdf(after) == without_pdf(m)
    assert (folder / "briefing.pdf").read_bytes().startswith(b"%PDF-") and (folder / "briefing.pdf").stat().st_size > 100_000
    find_briefing(root, date(2026, 11, 20)).verify()
    assert not [p.name for p in root.iterdir() if p.name.startswith(".")]
