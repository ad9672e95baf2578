"""Rendering: the closed PDF fetcher, WeasyPrint warnings as errors, page size, fonts, scorecard changes, HTML hygiene."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from generator.model import FlagResult, FlagState
from generator.pipeline import load_report
from generator.render import build_context, render_html, render_pdf
from generator.render.context import _change
from generator.render.fonts import FAMILY, font_dir
from generator.render.pdf import PdfWarning, _fetcher

GENERATED = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def context(illustrative_briefing):  # type: ignore[no-untyped-def]
    return build_context(load_report(), illustrative_briefing.analysis, illustrative_briefing.date, GENERATED, "9.9.9")


def test_fetcher_reads_only_data_urls_and_the_shipped_fonts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fetcher = _fetcher()
    font = font_dir() / "DejaVuSans.ttf"
    assert font.is_file()
    response = fetcher.fetch(font.as_uri())
    try:
        assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    finally:
        response.close()
    response = fetcher.fetch("data:text/plain,hello")
    assert response.read() == b"hello"
    response.close()
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    for url in (
        secret.as_uri(),
        (font_dir() / ".." / ".." / "matplotlibrc").resolve().as_uri(),
        "http://127.0.0.1:9/x",
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


def test_weasyprint_warnings_are_raised(context) -> None:  # type: ignore[no-untyped-def]
    html = "<html><head><style>p { colour: red; }</style></head><body><p>x</p></body></html>"
    with pytest.warns(PdfWarning, match="colour"):
        render_pdf(html, context)


def test_page_size_letter_and_a4(context) -> None:  # type: ignore[no-untyped-def]
    small = dataclasses.replace(context, sources=[], methodology=[], flag_methodology=[])
    for size, (width, height) in {"A4": (595.28, 841.89), "Letter": (612.0, 792.0)}.items():
        ctx = dataclasses.replace(small, page_size=size)
        reader = PdfReader(io.BytesIO(render_pdf(render_html(ctx, "pdf"), ctx)))
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx((width, height), abs=0.1), size


def test_pdf_uses_the_shipped_font_only(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    reader = PdfReader(illustrative_briefing.files["briefing.pdf"])
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, "every font is embedded"
            fonts.add(str(font["/BaseFont"]).split("+", 1)[1])
    # The private family name proves the files came from @font-face (matplotlib's DejaVu), not the system.
    assert fonts <= {f"{FAMILY.replace(' ', '-')}{s}" for s in ("", "-Bold", "-Italic", "-Bold-Italic")}
    assert f"{FAMILY.replace(' ', '-')}" in fonts


def test_scorecard_change_since_previous_briefing() -> None:
    def flag(state: FlagState, kind: str = "risk") -> FlagResult:
        return FlagResult("f", "F", kind, state, 1.0, "i", "", "")  # type: ignore[arg-type]

    assert _change(flag(FlagState.RED), FlagState.AMBER) == "worse"
    assert _change(flag(FlagState.GREEN, "support"), FlagState.RED) == "better"
    assert _change(flag(FlagState.AMBER), FlagState.AMBER) == "same"
    assert _change(flag(FlagState.UNKNOWN), FlagState.GREEN) == "unknown"
    assert _change(flag(FlagState.GREEN), None) == ""


def test_scorecard_shows_arrow_and_old_state(context) -> None:  # type: ignore[no-untyped-def]
    rows = list(context.scorecard)
    first = rows[0]
    worse = dataclasses.replace(
        first, flag=dataclasses.replace(first.flag, state=FlagState.RED, previous_state=FlagState.GREEN),
        change="worse", before=FlagState.GREEN,
    )
    html = render_html(dataclasses.replace(context, scorecard=[worse, *rows[1:]], has_previous=True), "html")
    assert '▲ <span class="visually-hidden">worse since the previous briefing, </span>was green' in html
    assert "▲ worse, ▼ better: the state in the previous briefing." in html


def test_without_a_previous_briefing_the_scorecard_compares_with_the_lookback_data(context) -> None:  # type: ignore[no-untyped-def]
    """Page 1's "What changed" and the scorecard compare with the same thing: the data as of the lookback date."""
    assert not context.has_previous and context.lookback_date is not None
    lookback = context.lookback_date
    rows = list(context.scorecard)
    assert all(row.before is not None for row in rows)  # every flag read on the earlier data too
    better = dataclasses.replace(rows[0], flag=dataclasses.replace(rows[0].flag, state=FlagState.GREEN),
                                 change="better", before=FlagState.AMBER)
    unchanged = [dataclasses.replace(r, change="same") for r in rows[1:]]
    html = render_html(dataclasses.replace(context, scorecard=[better, *unchanged]), "html")
    since = f"{lookback.day} {lookback:%b}"
    assert f'title="better since {since}">▼ <span class="visually-hidden">better since {since}, </span>was amber' in html
    assert html.count("was amber") == 1  # unchanged rows say nothing
    assert f"▲ worse, ▼ better: the state on the data as of {lookback}, by the same rules" in html
    nothing = [dataclasses.replace(r, change="", before=None) for r in rows]
    plain = render_html(dataclasses.replace(context, scorecard=nothing), "html")
    assert "Nothing to compare with" in plain and "▲ worse, ▼ better" not in plain and "class=\"chg" not in plain


def test_html_is_one_file_that_asks_for_nothing(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    html = illustrative_briefing.files["briefing.html"].read_text()
    assert "<script" not in html and "<link" not in html and "<iframe" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(?!#|data:)[a-z]+:""", html)
    assert not re.search(r"url\(\s*['\"]?(?!data:)[a-z]+:", html), "no url() other than data:"
    assert "file:" not in html
    charts = re.findall(r'<div class="chart-svg" role="img" aria-label="([^"]+)">', html)
    assert len(charts) == len(illustrative_briefing.analysis.charts)
    assert all(len(alt) > 40 and "Latest:" in alt for alt in charts)
    # Each chart's SVG, twice where it has a phone rendition (shown instead on small screens); no other SVG.
    images = illustrative_briefing.analysis.charts.values()
    assert html.count("<svg") == sum(2 if c.svg_phone else 1 for c in images) == 2 * len(charts)


def test_appendix_prints_every_formula_as_text(context) -> None:  # type: ignore[no-untyped-def]
    from generator.indicators.registry import FUNCTIONS

    spec = load_report().spec
    rows = {m.id: m for m in context.methodology}
    assert list(rows) == list(spec.indicators)
    rel = rows["iwm_spy_rel_1m"]
    assert "``" not in rel.formula and "months" in rel.formula
    # the docstring's words, with its hard line breaks joined inside each paragraph
    first_paragraph = " ".join(FUNCTIONS["relative_return_months"].formula.split("\n\n")[0].replace("``", "").split())
    assert rel.formula.split("\n\n")[0] == first_paragraph
    assert (rel.inputs, rel.params) == ("a = IWM, b = SPY", "months = 1")


def test_numbers_keep_their_units_on_one_line() -> None:
    from generator.render.html import _keep_units

    assert _keep_units("moved -48 bp in 30 days; 17.6 index points") == (
        "moved -48\u00a0bp in 30\u00a0days; 17.6\u00a0index points"
    )
    assert _keep_units("3 of 10 risk flags") == "3 of 10 risk flags"


def test_each_implication_says_whether_one_condition_is_enough(context) -> None:  # type: ignore[no-untyped-def]
    """A "favoured" beside five crosses reads as a contradiction unless the rule says any one tick is enough."""
    html = render_html(context, "html")
    spec = {r.id: r for r in load_report().spec.narrative.implications}
    assert {i.match for i in context.implications} == {"all", "any"}  # the default report has both kinds
    for imp in context.implications:
        assert imp.match == spec[imp.id].match
        block = html[html.index(f"{imp.tilt} <span"):]
        block = block[:block.index("</article>")]
        wanted = "every condition holds" if imp.match == "all" else "any one condition holds"
        assert f"Favoured when {wanted}:" in block
