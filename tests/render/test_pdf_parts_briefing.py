"""The briefing's PDF laid out in two parts equals the single pass: every page's text, the page count, the
contents and cross-reference numbers, links, named destinations, bookmarks, attachments and PDF/A metadata."""

from __future__ import annotations

import re

import pytest
from pdf_facts import facts

from generator.manifest import read_manifest
from generator.pipeline import load_report
from generator.record import Record
from generator.render.documents import render_files

pytestmark = pytest.mark.slow


def _pdf(briefing, monkeypatch: pytest.MonkeyPatch, parallel: str) -> bytes:  # type: ignore[no-untyped-def]
    d = briefing.directory
    record = Record(read_manifest(d / "manifest.json"), (d / "snapshot.parquet").read_bytes(),
                    (d / "report.toml").read_bytes())
    monkeypatch.setenv("BRIEFING_PDF_PARALLEL", parallel)
    return render_files(load_report(), briefing.analysis, record, ["pdf"], "9.9.9")["briefing.pdf"]


def test_two_part_briefing_equals_the_single_pass(illustrative_briefing, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    one = facts(_pdf(illustrative_briefing, monkeypatch, "0"))
    two = facts(_pdf(illustrative_briefing, monkeypatch, "1"))

    assert len(two.texts) == len(one.texts) >= 10
    for page, (a, b) in enumerate(zip(one.texts, two.texts, strict=True), start=1):
        assert b == a, f"page {page} differs"
    total = len(one.texts)
    mark = "Illustrative data - not market data"
    for n, text in enumerate(two.texts, start=1):
        assert f"page {n} of {total}" in text and mark in text, f"page {n}: footer"

    # The contents print the page each section starts on, the cross-references too (they cross the cut).
    spec = load_report().spec
    anchors = ["summary", "performance", *(s.id for s in spec.sections), "appendix"]
    titles = ["Signals and scorecard", "Performance", *(s.title for s in spec.sections),
              "Appendix: Methodology and sources"]
    for anchor, title in zip(anchors, titles, strict=True):
        printed = re.search(re.escape(title) + r" p\. (\d+)", two.texts[0])
        assert printed and int(printed.group(1)) == two.destinations[anchor] + 1, title
        assert (0, anchor) in {(page, dest) for page, dest, _, _ in two.links}, f"{title}: linked"
    by_title = {s.title: s.id for s in spec.sections}
    xrefs = re.findall(r"→ ([A-Z][^,→]+?), p\. (\d+)", two.texts[1])
    assert xrefs
    for title, page in xrefs:
        assert int(page) == two.destinations[by_title[title]] + 1, title

    assert two.destinations == one.destinations and "appendix" in two.destinations
    assert two.links == one.links and two.uris == one.uris
    assert all(flags == 4 for *_, flags in two.links)
    assert two.outline == one.outline
    assert two.attachments == one.attachments
    assert sorted(two.attachments) == ["manifest.json", "report.toml", "snapshot.parquet"]
    assert two.relationships == one.relationships
    assert two.xmp == one.xmp and 'pdfaid:part="3" pdfaid:conformance="B"' in two.xmp
    assert two.info == one.info and two.header == one.header == "%PDF-1.7"
    assert two.fonts == one.fonts
