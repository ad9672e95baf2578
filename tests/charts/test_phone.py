"""The phone rendition of each chart: drawn narrower with larger text, shown by the HTML on small screens only.

Checked in headless Chromium on the illustrative briefing: at 390 CSS px every
chart shows its phone rendition and no chart text is smaller than 11 CSS px as
rendered; at 1280 px every chart shows its page rendition. The PDF and the email
use the page rendition only.
"""

from __future__ import annotations

import re

import pytest

from generator.charts.style import DESKTOP, PHONE
from generator.deliver.archived import parse_charts

MIN_TEXT_PX = 11.0

# For each chart figure: which rendition is displayed, its width, and the smallest rendered text size in CSS px
# (the text's font size in SVG units times the scale from SVG units to the screen).
TEXT_PROBE = """(() => [...document.querySelectorAll('figure.chart')].map((fig) => {
  const shown = [...fig.querySelectorAll('svg')].filter((s) => s.getClientRects().length > 0);
  const sizes = shown.flatMap((svg) => [...svg.querySelectorAll('text')].map((t) => {
    const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  }));
  return {
    id: fig.id,
    shown: shown.map((s) => s.closest('.chart-phone') ? 'phone' : 'page'),
    width: shown.length ? shown[0].getBoundingClientRect().width : 0,
    texts: sizes.length,
    smallest: sizes.length ? Math.min(...sizes) : null,
  };
}))()"""


def _figures(browser, path, width: int) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    page = browser.new_page()
    page.open(path, width, javascript=False)
    return page.evaluate(TEXT_PROBE)  # type: ignore[no-any-return]


def test_every_chart_has_a_phone_rendition_with_its_own_ids(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    charts = illustrative_briefing.analysis.charts
    html = illustrative_briefing.files["briefing.html"].read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids stay unique across both renditions"
    for chart in charts.values():
        assert chart.svg_phone and 'width="270pt"' in chart.svg_phone, chart.id  # 3.75 in = 360 CSS px
        assert f'id="c-{chart.id}-phone-' in chart.svg_phone
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", chart.svg_phone)]
        assert min(sizes) >= 9.0, chart.id  # points: 12 CSS px when the 360 px drawing is shown at 360 px
        assert html.index(chart.svg_phone) < html.index(chart.svg), "phone first, the page rendition last"
    assert PHONE.width < DESKTOP.width and PHONE.small > DESKTOP.small


def test_the_pdf_and_the_email_use_the_page_rendition(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    charts = illustrative_briefing.analysis.charts
    html = illustrative_briefing.files["briefing.html"].read_text(encoding="utf-8")
    parsed, _ = parse_charts(html)
    assert {c.id: c.svg for c in parsed} == {cid: c.svg for cid, c in charts.items()}
    pdf = illustrative_briefing.files["briefing.pdf"].read_bytes()
    assert b"-phone-" not in pdf


@pytest.mark.slow
def test_at_390_px_charts_show_the_phone_rendition_and_text_of_11_px(browser, illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    figures = _figures(browser, illustrative_briefing.files["briefing.html"], 390)
    assert len(figures) == len(illustrative_briefing.analysis.charts)
    for fig in figures:
        assert fig["shown"] == ["phone"], fig
        assert fig["texts"] > 5 and fig["smallest"] >= MIN_TEXT_PX, fig
        assert 300 <= fig["width"] <= 390, fig


@pytest.mark.slow
def test_at_1280_px_charts_show_the_page_rendition(browser, illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    for fig in _figures(browser, illustrative_briefing.files["briefing.html"], 1280):
        assert fig["shown"] == ["page"], fig
        assert fig["smallest"] >= MIN_TEXT_PX - 1, fig  # 7.5 pt at the page's 1:1.37 scale


def test_the_flag_history_has_a_phone_rendition_of_the_last_eight_briefings() -> None:
    from datetime import date, timedelta

    from generator.charts.history import flag_history_chart

    dates = [date(2026, 1, 2) + timedelta(weeks=i) for i in range(30)]
    labels = {f"f{i}": f"Flag number {i} with a long descriptive label (gloss)" for i in range(14)}
    states = [{f: ("green", "amber", "red", "unknown")[(i + j) % 4] for i, f in enumerate(labels)} for j in range(30)]
    chart = flag_history_chart(dates, states, labels)
    assert chart is not None
    assert 'width="270pt"' in chart.svg_phone and 'id="c-flag-history-phone-' in chart.svg_phone
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", chart.svg_phone)]
    assert min(sizes) >= 9.0
    shown = re.findall(r">(\d{4}-\d\d-\d\d)</text>", chart.svg_phone)
    assert shown == [d.isoformat() for d in dates[-8::2]], "the last eight briefings, every second date labelled"
    assert "Flag number 3 with a long" not in chart.svg_phone  # labels wrap onto two lines on a phone
    assert flag_history_chart(dates, states, labels, phone=False).svg_phone == ""  # type: ignore[union-attr]
