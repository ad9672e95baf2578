"""The briefing read as a reader would: the PDF parsed with pypdf, the HTML loaded in headless Chromium."""

from __future__ import annotations

import re
from functools import cache

import pytest
from pypdf import PdfReader

from generator.pipeline import load_report

PAGES = (8, 16)  # dashboard, scorecard, grid, seven sections with their charts, appendix; more: a layout went wrong


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


def test_page_1_is_the_dashboard_and_says_what_the_manifest_says(texts: list[str], illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    page1 = texts[0]
    analysis = illustrative_briefing.analysis
    dashboard = illustrative_briefing.manifest["dashboard"]
    assert "US Small-Cap Rotation Monitor" in page1 and "20 November 2026" in page1
    assert f"the reading {analysis.stance.label.lower()}" in page1.lower()
    assert "Illustrative data - not market data" in page1
    for heading in ("What changed", "What to watch", "What would change the view"):
        assert heading in page1, heading
    # every line of the dashboard is the manifest's, word for word (the first words of each, across line breaks)
    for line in [*dashboard["reading"], *dashboard["flag_changes"], *dashboard["watch"], *dashboard["thresholds"],
                 *(m["text"] for m in dashboard["moves"])]:
        assert " ".join(line.split()[:6]) in page1, line
    assert dashboard["evidence"].split(";")[0] in page1


def test_page_2_has_the_takeaways_and_scorecard(texts: list[str], illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    page2 = texts[1]
    analysis = illustrative_briefing.analysis
    assert page2.startswith("Signals and scorecard")
    for takeaway in analysis.narrative.takeaways:
        assert " ".join(takeaway.text.split()[:6]) in page2, takeaway.id
    scorecard = (page2 + texts[2]).replace("- ", "-")  # a label broken at its hyphen ("re-/accelerating")
    for flag in analysis.flags.values():
        assert flag.label in scorecard, flag.label


def test_every_section_title_is_in_the_pdf(texts: list[str], pdf: PdfReader) -> None:
    spec = load_report().spec
    for number, section in enumerate(spec.sections, 1):
        page = _page_of(pdf, section.id)
        assert f"{number} {section.title}" in texts[page - 1], section.id
    assert "A Appendix: Methodology and sources" in texts[_page_of(pdf, "appendix") - 1]


def test_contents_page_numbers_are_right(pdf: PdfReader, texts: list[str]) -> None:
    contents = texts[0]  # at the foot of the dashboard
    assert "Contents" in contents
    links = [a.get_object() for a in pdf.pages[0].get("/Annots", [])]
    targets = {str(a["/Dest"]) for a in links if a.get("/Subtype") == "/Link" and "/Dest" in a}
    spec = load_report().spec
    expected = ["summary", "performance", *(s.id for s in spec.sections), "appendix"]
    assert set(expected) <= targets, "every contents line links to its section"
    titles = ["Signals and scorecard", "Performance", *(s.title for s in spec.sections),
              "Appendix: Methodology and sources"]
    for anchor, title in zip(expected, titles, strict=True):
        printed = re.search(re.escape(title) + r" p\. (\d+)", contents)
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


def test_small_tables_are_never_split(pdf: PdfReader, illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    spec = load_report().spec
    indicators = illustrative_briefing.analysis.indicators
    for section in spec.sections:
        rows = [i for i in section.indicators if indicators[i].ok]  # no-data indicators are a note under the table
        if 0 < len(rows) <= 12:  # a longer table may continue on the next page, its header repeated
            pages = {_page_of(pdf, f"ind-{i}") for i in rows}
            assert len(pages) == 1, f"{section.id}: indicator table split over pages {sorted(pages)}"
    assert _page_of(pdf, "scorecard") == 2


# ---------------------------------------------------------------- the HTML in headless Chromium

OVERFLOW_PROBE = """(() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1) continue;  // empty, or visually hidden for screen readers
    if (scrolls(el)) continue;  // inside a box that scrolls on its own (wide tables on phones)
    if (r.right > vw + 0.5 || r.left < -0.5) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, viewport: vw, outside: out.slice(0, 10)};
})()"""

CONTRAST_PROBE = """(() => {
  const rgba = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let p = el; p; p = p.parentElement) {
      const c = rgba(getComputedStyle(p).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  let checked = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg')) continue;  // chart text is checked on the SVG (tests/charts)
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.clipPath.startsWith('inset')) continue;
    const a = lum(rgba(st.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
    const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    checked += 1;
    if (ratio < need) out.push(`${el.tagName.toLowerCase()}.${el.className}: ${ratio.toFixed(2)} < ${need}`);
  }
  return {checked, failing: out.slice(0, 10)};
})()"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_html_fits_the_screen_and_asks_for_nothing(browser, illustrative_briefing, width: int) -> None:  # type: ignore[no-untyped-def]
    path = illustrative_briefing.files["briefing.html"]
    page = browser.new_page()
    page.open(path, width, javascript=False)
    assert page.requests == [path.resolve().as_uri()], "the page loads nothing but itself"
    assert page.blocked == []
    layout = page.evaluate(OVERFLOW_PROBE)
    assert layout["scrollWidth"] <= layout["viewport"] == width, layout
    assert layout["outside"] == [], layout
    contrast = page.evaluate(CONTRAST_PROBE)
    assert contrast["checked"] > 200 and contrast["failing"] == [], contrast
    # Each chart shows one of its two renditions (page, phone): the displayed SVGs.
    charts = page.evaluate(
        "[...document.querySelectorAll('figure.chart svg')].filter(s => s.getClientRects().length)"
        ".map(s => s.getBoundingClientRect().width)"
    )
    assert len(charts) == len(illustrative_briefing.analysis.charts)
    assert all(0 < w <= width for w in charts)
    if width == 390:
        # Wide tables scroll inside their own box; the page itself does not.
        wraps = page.evaluate(
            "[...document.querySelectorAll('.table-wrap')].map(w => [getComputedStyle(w).overflowX, w.scrollWidth > w.clientWidth])"
        )
        assert wraps and all(overflow == "auto" for overflow, _ in wraps)
        assert any(scrolls for _, scrolls in wraps), "at 390 px some table is wider than the screen and scrolls"
    else:
        # The contents stay in view beside the text while the reader scrolls.
        toc = page.evaluate(
            "window.scrollTo(0, document.body.scrollHeight / 2);"
            "(() => { const t = document.querySelector('nav.toc'); const r = t.getBoundingClientRect();"
            " return [getComputedStyle(t).position, r.top, r.left, document.querySelector('main').getBoundingClientRect().left]; })()"
        )
        position, top, left, main_left = toc
        assert position == "sticky" and 0 <= top <= 40 and left < main_left, toc
        # The dashboard leaves no column empty: the reading sits beside the dates, the boxes below span the
        # cover's width ("what to watch" ends at its right edge), and nothing starts above the reading's end.
        dash = page.evaluate(
            "window.scrollTo(0, 0); (() => { const b = s => document.querySelector(s).getBoundingClientRect();"
            " const c = b('.cover'), r = b('.cover-stance'), f = b('.cover-facts'), w = b('#what-to-watch'),"
            " g = b('.dash-grid');"
            " return {cover: [c.left, c.right], reading: [r.left, r.right, r.top, r.bottom], facts: [f.left, f.top],"
            " watch: w.right, grid: [g.left, g.top]}; })()"
        )
        cover_left, cover_right = dash["cover"]
        assert dash["facts"][0] > dash["reading"][1] and abs(dash["facts"][1] - dash["reading"][2]) < 20, dash
        assert abs(dash["watch"] - cover_right) < 2 and abs(dash["grid"][0] - cover_left) < 2, dash
        assert dash["grid"][1] >= dash["reading"][3], dash


PHONE_PROBE = """(() => {
  const h = window.innerHeight;
  const box = (sel) => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect(); return [r.top, r.bottom, r.right]; };
  const shown = (table) => [...table.querySelectorAll('thead th')].filter(th => th.getClientRects().length)
    .map(th => [th.textContent.trim(), th.getBoundingClientRect().right]);
  const wrap = (sel) => { const w = document.querySelector(sel); return [w.scrollWidth, w.clientWidth]; };
  return {height: h, stance: box('.cover-stance-value'), reading: box('.reading p'),
          grid: shown(document.querySelector('table.grid')), gridWrap: wrap('.grid-wrap'),
          score: shown(document.querySelector('table.scorecard')), scoreWrap: wrap('.score-wrap'),
          width: document.documentElement.clientWidth};
})()"""


@pytest.mark.slow
def test_on_a_phone_the_first_screen_reads_and_the_key_columns_fit(browser, illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.open(illustrative_briefing.files["briefing.html"], 390, javascript=False, height=844)
    got = page.evaluate(PHONE_PROBE)
    # The first screen (an iPhone's 390 x 844) shows the stance and the reading's first sentence.
    assert got["stance"][1] <= got["height"] and got["reading"][1] <= got["height"], got
    # The grid keeps label, 1 week, 3 months, 3 months vs SPY and the percentile, with no sideways scrolling.
    heads = [name for name, _ in got["grid"]]
    assert heads == ["Total return, %", "1 wk", "3 mo", "3 mo vs SPY", "Pctile"], heads
    assert got["gridWrap"][0] <= got["gridWrap"][1], got
    assert all(right <= got["width"] for _, right in got["grid"]), got
    # The scorecard keeps signal, state and the conditions.
    assert [name for name, _ in got["score"]][:3] == ["Signal", "State", "Each condition: value, state, thresholds"]
    assert got["scoreWrap"][0] <= got["scoreWrap"][1], got


@pytest.mark.slow
def test_request_interception_catches_what_a_page_asks_for(browser, tmp_path, loopback) -> None:  # type: ignore[no-untyped-def]
    # A negative control: a page that does reach out is caught, and nothing reaches the server.
    page_file = tmp_path / "leaky.html"
    page_file.write_text(
        f'<html><head><style>body {{ background: url("{loopback.url}/bg.png"); }}</style></head>'
        f'<body><img src="{loopback.url}/pixel.png" alt=""><p>hi</p></body></html>'
    )
    page = browser.new_page()
    page.open(page_file, 390, javascript=False)
    assert f"{loopback.url}/pixel.png" in page.blocked and f"{loopback.url}/bg.png" in page.blocked
    assert loopback.requests == []
