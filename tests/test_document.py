"""The briefing read as a reader would: the PDF parsed with pypdf, the HTML loaded in headless Chromium."""

from __future__ import annotations

import re
from functools import cache

import pytest
from pypdf import PdfReader

from generator.pipeline import load_report

PAGES = (10, 30)  # cover, summary, seven sections with their charts, appendix; more means a layout went wrong


@cache
def _reader(path: str) -> PdfReader:
    return PdfReader(path)


@pytest.fixture(scope="module")
def pdf(illustrative_briefing) -> PdfReader:  # type: ignore[no-untyped-def]
    return _reader(str(illustrative_briefing.files["briefing.pdf"]))


@pytest.fixture(scope="module")
def texts(pdf: PdfReader) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pdf.pages]


def _page_of(pdf: PdfReader, anchor: str) -> int:
    """1-based page number of a named destination (an element id in the HTML)."""
    return pdf.get_destination_page_number(pdf.named_destinations[anchor]) + 1


def test_page_count_and_page_numbers(texts: list[str]) -> None:
    n = len(texts)
    assert PAGES[0] <= n <= PAGES[1], n
    for i, text in enumerate(texts, 1):
        assert f"page {i} of {n}" in text


def test_cover_then_executive_summary_on_page_2(texts: list[str], illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    cover, summary = texts[0], texts[1]
    analysis = illustrative_briefing.analysis
    assert "US Small-Cap Rotation Monitor" in cover and "20 November 2026" in cover
    assert f"overall stance {analysis.stance.label.lower()}" in cover.lower()
    assert "Illustrative data - not market data" in cover
    assert summary.startswith("Executive summary")
    for takeaway in analysis.narrative.takeaways:
        assert " ".join(takeaway.text.split()[:6]) in summary, takeaway.id
    for flag in analysis.flags.values():
        assert flag.label in summary, flag.label


def test_every_section_title_is_in_the_pdf(texts: list[str], pdf: PdfReader) -> None:
    spec = load_report().spec
    for number, section in enumerate(spec.sections, 1):
        page = _page_of(pdf, section.id)
        assert f"{number} {section.title}" in texts[page - 1], section.id
    assert "A Appendix: Methodology and sources" in texts[_page_of(pdf, "appendix") - 1]


def test_contents_page_numbers_are_right(pdf: PdfReader, texts: list[str]) -> None:
    cover = texts[0]
    links = [a.get_object() for a in pdf.pages[0].get("/Annots", [])]
    targets = {str(a["/Dest"]) for a in links if a.get("/Subtype") == "/Link" and "/Dest" in a}
    spec = load_report().spec
    expected = ["summary", *(s.id for s in spec.sections), "appendix"]
    assert targets == set(expected), "every contents line links to its section"
    titles = ["Executive summary", *(s.title for s in spec.sections), "Appendix: Methodology and sources"]
    for anchor, title in zip(expected, titles, strict=True):
        printed = re.search(re.escape(title) + r" \.+ (\d+)", cover)
        assert printed, title
        assert int(printed.group(1)) == _page_of(pdf, anchor), title


def test_cross_references_carry_the_right_page(pdf: PdfReader, texts: list[str]) -> None:
    spec = load_report().spec
    found = re.findall(r"→ ([A-Z][^,→]+?), p\. (\d+)", texts[1])
    assert found, "the takeaways point to their sections"
    by_title = {s.title: s.id for s in spec.sections}
    for title, page in found:
        assert int(page) == _page_of(pdf, by_title[title]), title


def test_metadata(pdf: PdfReader, illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    meta = pdf.metadata
    assert meta.title == "US Small-Cap Rotation Monitor - 2026-11-20"
    assert meta.author == "macro-briefing"
    assert meta.subject and meta.subject.startswith("Is capital rotating")
    assert meta["/Keywords"] == "small caps, rotation, macro, briefing"
    assert meta.creation_date is not None and meta.creator.startswith("macro-briefing ")


def test_charts_are_vectors_and_never_split(pdf: PdfReader, texts: list[str], illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    for page in pdf.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for obj in xobjects.values():
            assert obj.get_object().get("/Subtype") != "/Image", "charts are drawn as vectors, not pictures"
    for chart_id, chart in illustrative_briefing.analysis.charts.items():
        page = texts[_page_of(pdf, f"chart-{chart_id}") - 1]
        assert " ".join(chart.title.split()[:5]) in page, chart_id
        assert chart.source_line[:40] in page, f"{chart_id}: the source line sits on the chart's page"


def test_small_tables_are_never_split(pdf: PdfReader) -> None:
    spec = load_report().spec
    for section in spec.sections:
        if section.indicators:
            pages = {_page_of(pdf, f"ind-{i}") for i in section.indicators}
            assert len(pages) == 1, f"{section.id}: indicator table split over pages {sorted(pages)}"
    assert _page_of(pdf, "scorecard") == 2
