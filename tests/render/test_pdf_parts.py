"""The PDF laid out in two parts at once equals the single pass: page numbers across the cut, contents and
cross-reference numbers, links, bookmarks, running headers, metadata and attachments. Wrong predictions are
laid out again, only where wrong; the processes exit after their part and die with their parent."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pdf_facts import facts

from generator.render.context import BriefingContext
from generator.render.pdf import PdfAttachment, PdfJob, PdfWarning, parallel_default, render_pdf
from generator.render.pdf_hints import PageHints, Pagination
from generator.render.pdf_parts import render_in_parts

REPO = Path(__file__).resolve().parents[2]
LOREM = ("Small caps lead when credit is easy and the curve steepens; they lag when funding tightens. "
         "The briefing reads the spread, the slope and the breadth of the rally before it says which. ")
CSS = """
@page { size: A5; margin: 16mm 12mm;
  @top-left { content: string(doc-title); font-size: 7pt; }
  @top-right { content: string(section, start); font-size: 7pt; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 7pt; } }
@page :first { @top-left { content: none; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
.running { string-set: doc-title content(); height: 0; overflow: hidden; }
h2 { string-set: section content(text); }
.toc h2 { string-set: none; }
.chapter { break-before: page; }
.toc a::after { content: " p. " target-counter(attr(href), page); }
a.xref::after { content: ", p. " target-counter(attr(href), page); }
"""
SVG = ("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='200' height='60'>"
       "<rect width='200' height='60' fill='%23ddd'/><text x='10' y='35' font-size='14'>a drawn label</text></svg>")


def document(chapters: int = 6, paragraphs: int = 9) -> str:
    """A book-like document: contents with page numbers, chapters starting pages, links both ways.

    Chapter 4 has no h2: its header and bookmark come from chapter 3, across the cut before it."""
    toc = "".join(f'<li><a href="#ch{i}">Chapter {i}</a></li>' for i in range(1, chapters + 1))
    parts = []
    for i in range(1, chapters + 1):
        heading = f'<h2 id="ch{i}-h">Chapter {i}</h2>' if i != 4 else ""
        other = chapters + 1 - i
        text = "".join(f"<p>{LOREM}({i}.{k})</p>" for k in range(paragraphs))
        figure = f"<img src=\"{SVG}\" alt=\"label\">" if i == 4 else ""
        parts.append(f'<section class="chapter" id="ch{i}">{heading}<h3 id="ch{i}-a">Part {i}.a</h3>'
                     f'<p>See <a class="xref" href="#ch{other}">chapter {other}</a> and '
                     f'<a href="https://example.org/{i}">the source</a>.</p>{figure}{text}</section>')
    return (f"<!DOCTYPE html><html lang=en><head><title>Parts</title><style>{CSS}</style></head><body>"
            f'<div class="running">The two-part test</div><h1 id="top">A test book</h1>'
            f'<nav class="toc"><h2>Contents</h2><ol>{toc}</ol></nav><main>{"".join(parts)}</main></body></html>')


def context() -> BriefingContext:
    return BriefingContext(
        title="Parts test", subtitle="Two parts, one document", kicker="", keywords=("test", "parts"),
        author="tester", disclaimer="", page_size="A5", briefing_date=date(2026, 11, 20), data_as_of=None,
        generated_at=datetime(2026, 11, 20, 18, 0, tzinfo=UTC), version="9.9.9", spec_sha256="0" * 64,
        illustrative=False, illustrative_mark="", stance="", stance_reasons=(), sections=[], scorecard=[],
        quality=(), sources=[], methodology=[], flag_methodology=[], formulas=[], point_in_time_policy="",
    )


ATTACHMENTS = (PdfAttachment("data.json", b'{"a": 1}', "The data", "Data"),
               PdfAttachment("notes.txt", b"notes", "Notes", "Source"))
JOB = PdfJob(context(), ATTACHMENTS, "pdf/a-3b")


@pytest.fixture(scope="module")
def single() -> bytes:
    return render_pdf(document(), context(), attachments=ATTACHMENTS, pdf_variant="pdf/a-3b", parallel=False)


def test_two_parts_equal_one_pass(single: bytes, tmp_path: Path) -> None:
    hints = PageHints(tmp_path / "hints.json")
    outcome = render_in_parts(document(), JOB.lay_out, JOB.write, hints=hints)
    assert outcome is not None
    assert outcome.spans == [range(0, 6), range(6, 9)]  # cut before chapter 4
    one, two = facts(single), facts(outcome.pdf)
    assert len(two.texts) == len(one.texts) == 8
    for page, (a, b) in enumerate(zip(one.texts, two.texts, strict=True), start=1):
        assert b == a, f"page {page}"
    assert two.destinations == one.destinations
    assert two.links == one.links and two.uris == one.uris
    assert two.outline == one.outline
    assert two.attachments == one.attachments == {"data.json": b'{"a": 1}', "notes.txt": b"notes"}
    assert two.relationships == one.relationships == {"data.json": "/Data", "notes.txt": "/Source"}
    assert two.xmp == one.xmp and 'pdfaid:part="3"' in two.xmp
    assert two.info == one.info and two.header == one.header == "%PDF-1.7"
    assert two.fonts == one.fonts

    total = len(one.texts)
    assert all(text.endswith(f"page {n} of {total}") for n, text in enumerate(two.texts, start=1))
    ch4 = one.destinations["ch4"]
    # The running title and chapter 3's header carried across the cut (chapter 4 sets no section of its own).
    assert two.texts[ch4].endswith(f"The two-part test Chapter 3 page {ch4 + 1} of {total}")
    printed = [int(p) for p in re.findall(r"Chapter \d p\. (\d+)", two.texts[0])]
    assert printed == [one.destinations[f"ch{i}"] + 1 for i in range(1, 7)]
    # Chapter 4's bookmark nests under chapter 3's, as in one pass.
    chapters = two.outline[1]
    assert chapters[5][0] == "Chapter 3" and [t[0] for t in chapters[6]] == ["Part 3.a", "Part 4.a"]

    # The pagination is kept: the next layout of the same shape is right the first time.
    again = render_in_parts(document(), JOB.lay_out, JOB.write, hints=PageHints(tmp_path / "hints.json"))
    assert again is not None and again.renders == [1, 1]
    assert facts(again.pdf).texts == one.texts


def _right(tmp_path: Path) -> tuple[PageHints, Pagination]:
    hints = PageHints(tmp_path / "hints.json")
    outcome = render_in_parts(document(), JOB.lay_out, JOB.write, hints=hints)
    assert outcome is not None
    key = next(iter(hints._load()))
    right = hints.get(key)
    assert right is not None
    return hints, right


def test_a_wrong_prediction_lays_out_again_only_the_part_that_used_it(single: bytes, tmp_path: Path) -> None:
    hints, right = _right(tmp_path)
    key = next(iter(hints._load()))
    # Part 1 predicted a page too long: part 2's page numbers were wrong, part 1's were not.
    hints.put(key, Pagination((right.pages[0] + 1, right.pages[1]), right.anchors))
    outcome = render_in_parts(document(), JOB.lay_out, JOB.write, hints=hints)
    assert outcome is not None and outcome.renders == [1, 2]
    assert facts(outcome.pdf).texts == facts(single).texts
    # Chapter 5 predicted a page later in part 2: the contents in part 1 were wrong, part 2 was right.
    moved = dict(right.anchors[1], ch5=right.anchors[1]["ch5"] + 1)
    hints.put(key, Pagination(right.pages, (right.anchors[0], moved)))
    outcome = render_in_parts(document(), JOB.lay_out, JOB.write, hints=hints)
    assert outcome is not None and outcome.renders == [2, 1]
    assert facts(outcome.pdf) == facts(single) or facts(outcome.pdf).texts == facts(single).texts
    assert hints.get(key) == right


def test_page_hints_survive_a_broken_or_unwritable_file(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "pdf-pages.json"
    hints = PageHints(path, keep=2)
    for n in range(3):
        hints.put(f"k{n}", Pagination((n, 2), ({"a": 0}, {})))
    assert PageHints(path).get("k0") is None  # the oldest went
    assert PageHints(path).get("k2") == Pagination((2, 2), ({"a": 0}, {}))
    path.write_text("{not json")
    assert PageHints(path).get("k2") is None
    PageHints(path).put("k3", Pagination((1,), ({},)))
    assert PageHints(path).get("k3") == Pagination((1,), ({},))
    path.unlink()
    path.parent.chmod(0o500)
    try:
        stuck = PageHints(path)
        stuck.put("k4", Pagination((1,), ({},)))  # no error: only the speed depends on it
        assert stuck.get("k4") == Pagination((1,), ({},)) or os.geteuid() == 0
    finally:
        path.parent.chmod(0o700)


def test_a_document_without_a_place_to_cut_is_laid_out_in_one_pass(caplog: pytest.LogCaptureFixture) -> None:
    html = f"<html><body>{f'<p>{LOREM}</p>' * 60}</body></html>"
    short = document(chapters=2, paragraphs=1)
    with caplog.at_level(logging.DEBUG, logger="generator.render.pdf_parts"):
        assert render_in_parts(html, JOB.lay_out, JOB.write) is None
        assert render_in_parts(short, JOB.lay_out, JOB.write) is None
    assert "too few units start a page" in caplog.text
    assert "less than a page: not worth a second process" in caplog.text
    assert render_pdf(html, context(), parallel=True).startswith(b"%PDF")


def test_a_part_that_fails_falls_back_to_one_pass(caplog: pytest.LogCaptureFixture) -> None:
    def write(document: object, first: bool) -> tuple[bytes, list[str]]:
        if not first:
            raise OSError("disk full")
        return JOB.write(document, first)

    with caplog.at_level(logging.WARNING):
        assert render_in_parts(document(), JOB.lay_out, write) is None
    assert "part 1: OSError: disk full" in caplog.text


def test_weasyprint_warnings_in_a_part_are_raised() -> None:
    html = document().replace('<h3 id="ch5-a">', '<h3 id="ch5-a" style="colour: red">')
    with pytest.warns(PdfWarning, match="colour"):
        render_pdf(html, context(), parallel=True)


def _children() -> set[int]:
    listed = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    return {int(pid) for pid in listed}


def test_the_parts_processes_exit_and_leave_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = _children()
    outcome = render_in_parts(document(), JOB.lay_out, JOB.write)
    assert outcome is not None
    assert _children() == before
    assert list(tmp_path.iterdir()) == []  # WeasyPrint's font folders went with the processes
    # Their own memory, beyond what they share with this (test) process: the target is 250 MiB a process.
    assert all(0 < mib < 250 for mib in outcome.private_mib), outcome.private_mib


SCRIPT = """
import sys
from pathlib import Path
from generator.render.pdf import preload
from generator.render.pdf_parts import render_in_parts
preload()
from weasyprint import HTML
print("ready", flush=True)
render_in_parts(Path(sys.argv[1]).read_text(), lambda s: (HTML(string=s).render(), []),
                lambda d, first: (d.write_pdf(), []))
"""


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return "gone"


def test_the_parts_processes_die_with_their_parent(tmp_path: Path) -> None:
    source = tmp_path / "book.html"
    source.write_text(document(chapters=40, paragraphs=20))  # about 3.5 s of layout per part
    script = tmp_path / "parent.py"
    script.write_text(SCRIPT)
    parent = subprocess.Popen([sys.executable, str(script), str(source)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        children: list[int] = []
        deadline = time.monotonic() + 30
        while len(children) < 2 and time.monotonic() < deadline:
            listed = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
            children = [int(pid) for pid in listed]
            time.sleep(0.01)
        assert len(children) == 2, "the two parts were not started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        # Gone well before they could have finished their parts (and found nobody to read them).
        deadline = time.monotonic() + 1.5
        while any(_state(pid) not in ("gone", "Z") for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [_state(pid) for pid in children] in (["gone", "gone"], ["Z", "Z"], ["gone", "Z"], ["Z", "gone"])
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def _default_in_a_worker(conn: object) -> None:
    conn.send(parallel_default(load=0.0))  # type: ignore[attr-defined]


def test_parallel_by_default_where_a_core_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFING_PDF_PARALLEL", raising=False)
    cores = len(os.sched_getaffinity(0))
    assert parallel_default(load=0.9) == (cores > 1)
    assert parallel_default(load=cores - 0.4) is False  # every core busy: the second process would only wait
    monkeypatch.setenv("BRIEFING_PDF_PARALLEL", "0")
    assert parallel_default(load=0.0) is False
    monkeypatch.setenv("BRIEFING_PDF_PARALLEL", "1")
    assert parallel_default(load=float(cores)) is True
    monkeypatch.delenv("BRIEFING_PDF_PARALLEL")
    context_ = multiprocessing.get_context("fork")
    receive, send = context_.Pipe(duplex=False)
    worker = context_.Process(target=_default_in_a_worker, args=(send,))
    worker.start()
    assert receive.recv() is False  # a pool worker: the pool keeps the cores busy already
    worker.join()
    receive.close()
    send.close()


def test_a_link_to_an_anchor_without_a_box_warns_as_in_one_pass() -> None:
    html = document().replace('<h3 id="ch1-a">', '<p><a href="#gone">a dead link</a></p><h3 id="ch1-a">')
    html = html.replace('<h3 id="ch5-a">', '<span id="gone" style="display: none">x</span><h3 id="ch5-a">')
    with pytest.warns(PdfWarning, match="No anchor #gone"):
        render_pdf(html, context(), parallel=False)
    outcome = render_in_parts(html, JOB.lay_out, JOB.write)
    assert outcome is not None
    # The first guess put a ghost anchor for it; once part 2 showed it has no box, part 1 was laid out again.
    assert outcome.renders[0] == 2
    assert any("No anchor #gone" in w for w in outcome.warnings)
