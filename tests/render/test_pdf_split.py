"""Cutting the print HTML into parts: units, where a part may start, running strings, what cannot be cut."""

from __future__ import annotations

import copy
import re

import pytest

from generator.render.pdf_hints import Pagination
from generator.render.pdf_split import (
    COLUMN_COST,
    WEIGHT_PER_PAGE,
    Cut,
    Numbers,
    Uncuttable,
    analyse,
    estimate,
    part_html,
)


def _doc(css: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head><style>{css}</style></head><body>{body}</body></html>"


CSS = """
.t { string-set: title content(); }
h2 { string-set: section content(text); }
.toc h2, h2.quiet { string-set: none; }
.hidden { display: none; }
.chapter { break-before: page; }
@media screen { .screen-only { break-before: page; } }
@media print { .print-break { page-break-before: always; } }
"""
BODY = """
<div class="t">Title</div>
<nav class="toc"><h2>Contents</h2><a href="#c2">two</a> <a href="#c3">three</a></nav>
<main>
  <section id="c1" class="chapter"><h2 id="c1-h">One</h2><p>text</p></section>
  <section id="c2" class="screen-only"><h2 class="quiet">Two</h2><p>See <a href="#c1">one</a>.</p></section>
  <section id="c3" class="print-break"><div class="hidden"><h2>Never shown</h2></div><h2>Three</h2></section>
  <section id="c4" style="break-before: page"><h2>Four</h2><table><tr><td>1</td></tr><tr><td>2</td></tr></table></section>
  <section id="c5" class="chapter hidden"><h2>Five</h2></section>
</main>
"""


def test_units_are_the_body_blocks_with_main_opened_up() -> None:
    cut = analyse(_doc(CSS, BODY))
    assert [u.element.get("id") or u.element.get("class") for u in cut.units] == ["t", "toc", "c1", "c2", "c3", "c4", "c5"]
    # c1 by class, c3 by page-break-before in @media print, c4 by its style attribute; c2's rule is for screens
    # only, and c5 makes no box at all.
    assert [u.starts_page for u in cut.units] == [False, False, True, False, True, True, False]
    assert cut.starts() == [2, 4, 5]
    assert cut.units[1].refs == {"c2", "c3"} and cut.units[3].refs == {"c1"}
    assert cut.units[2].anchors == {"c1", "c1-h"}
    assert cut.owner["c1-h"] == 2 and cut.owner["c4"] == 5


def test_string_setters_follow_the_cascade() -> None:
    cut = analyse(_doc(CSS, BODY))
    found = [(s.unit, s.element.text, s.names, s.value) for s in cut.setters]
    # The contents title and the quiet heading set nothing (a more specific rule says none); the heading
    # inside a hidden block makes no box, so it sets nothing either.
    assert found == [
        (0, "Title", ("title",), "title content()"),
        (2, "One", ("section",), "section content(text)"),
        (4, "Three", ("section",), "section content(text)"),
        (5, "Four", ("section",), "section content(text)"),
    ]


def test_weights_count_text_rows_and_pictures() -> None:
    cut = analyse(_doc("", '<p>abcd</p><div><img src="data:,"></div><table><tr><td>xy</td></tr></table>'))
    assert [u.weight for u in cut.units] == [4.0, 2500.0, 152.0]


def test_what_sits_in_balanced_columns_costs_more_to_lay_out() -> None:
    css = ".cols { columns: 2; } .w { column-width: 10em; }"
    body = ('<p>abcd</p><div class="cols"><p>abcd</p></div><div class="w"><p>ab</p></div>'
            '<div style="column-count: 1"><p>ab</p></div>')
    cut = analyse(_doc(css, body))
    assert [u.weight for u in cut.units] == [4.0, 4.0, 2.0, 2.0]
    assert [u.cost for u in cut.units] == [4.0, 4.0 * COLUMN_COST, 2.0 * COLUMN_COST, 2.0]


def test_balanced_parts_start_at_page_breaks_and_even_out_the_weight() -> None:
    chapters = "".join(f'<section class="chapter" id="c{i}"><p>{"x" * n}</p></section>'
                       for i, n in enumerate([100, 100, 500, 100, 100, 300]))
    cut = analyse(_doc(".chapter { break-before: page; }", "<p>front</p>" + chapters))
    # weights: 5 (front), 100, 100, 500, 100, 100, 300: cutting before unit 4 gives 705 | 500.
    assert cut.balanced(2) == [range(0, 4), range(4, 7)]
    assert cut.balanced(3) == [range(0, 3), range(3, 4), range(4, 7)]  # 205 | 500 | 500
    with pytest.raises(Uncuttable, match="too few units start a page"):
        analyse(_doc("", "<p>a</p><p>b</p>")).balanced(2)


@pytest.mark.parametrize(
    ("css", "reason"),
    [
        ("h2 { counter-increment: chapter; }", "counter-increment on elements"),
        ("@page { counter-reset: page 3; }", "counter-reset in @page"),
        ("a::after { content: target-text(attr(href)); }", "target-text"),
        ("a::after { content: target-counter(attr(href), chapter); }", "only page numbers"),
        (".note { float: footnote; }", "footnote"),
        ("header { position: running(head); }", "running"),
    ],
)
def test_what_cannot_cross_a_cut_is_refused(css: str, reason: str) -> None:
    with pytest.raises(Uncuttable, match=reason):
        analyse(_doc(css + " .chapter { break-before: page; }", BODY))


def test_page_counters_and_page_targets_are_fine() -> None:
    css = "@page { @bottom-right { content: counter(page) ' of ' counter(pages); } } " \
          "a::after { content: target-counter(attr(href), page) target-counter(attr(href), pages); }"
    assert analyse(_doc(css, BODY)).units


def test_estimate_fills_pages_with_weight() -> None:
    w = int(WEIGHT_PER_PAGE)
    body = (f'<p id="a">{"x" * (w // 2)}</p><p id="b">{"x" * w}</p>'
            f'<section class="chapter" id="c"><p>{"x" * (w * 2)}</p></section><p id="d">x</p>')
    cut = analyse(_doc(".chapter { break-before: page; }", body))
    guess = estimate(cut, [range(0, 2), range(2, 4)])
    # part 1: a starts page 0, b at half a page is still on page 0, 1.5 pages round to 2;
    # part 2: c on page 0 and d after two full pages, on page 2: three pages.
    assert guess.pages == (2, 3)
    assert guess.anchors == ({"a": 0, "b": 0}, {"c": 0, "d": 2})


def _cut_for_numbers() -> tuple[Cut, list[range]]:
    body = """<nav><a href="#c2">2</a><a href="#c3-x">3</a></nav>
      <section id="c1" class="chapter">one</section>
      <section id="c2" class="chapter">two <a href="#c1">back</a></section>
      <section id="c3" class="chapter"><p id="c3-x">three</p><a href="#c2">back</a><a href="#nowhere">x</a></section>"""
    cut = analyse(_doc(".chapter { break-before: page; }", body))
    return cut, [range(0, 2), range(2, 3), range(3, 4)]


def test_numbers_a_part_is_told() -> None:
    cut, spans = _cut_for_numbers()
    pagination = Pagination((4, 2, 3), ({"c1": 1}, {"c2": 0}, {"c3-x": 2}))
    # part 1 (pages 1-4) links to c2 (first page after it) and c3-x (third page of part 3: 2 + 3 pages after it)
    assert pagination.numbers(cut, spans, 0) == Numbers(0, 5, (), (("c2", 1), ("c3-x", 5)))
    # part 2 (pages 5-6) links back to c1 on page 2 of the document
    assert pagination.numbers(cut, spans, 1) == Numbers(4, 3, (("c1", 2),), ())
    # part 3 links back to c2 on page 5; an anchor nobody has is left to WeasyPrint, which warns about it
    assert pagination.numbers(cut, spans, 2) == Numbers(6, 0, (("c2", 5),), ())


def test_part_html_has_ghost_pages_shells_and_carriers() -> None:
    cut = analyse(_doc(CSS, BODY))
    html = part_html(copy.deepcopy(cut), range(4, 7), Numbers(3, 0, (("c1", 2),), ()))
    body = html[html.index("<body>") :]
    ghosts = re.findall(r"-weasy-anchor:'(pdf-ghost-page-\d+)'", body)
    assert ghosts == ["pdf-ghost-page-1", "pdf-ghost-page-2", "pdf-ghost-page-3"]
    assert body.count("break-before:page!important") == 2  # the first ghost page is the document's first page
    assert "-weasy-anchor:'c1'" in body  # on ghost page 2, where part 1 has it
    assert body.index("-weasy-anchor:'c1'") < body.index("pdf-ghost-page-3")
    # The earlier units are empty hidden shells without ids, keeping tag and classes for selectors.
    assert '<section class="chapter" style="display:none!important"></section>' in body
    assert 'id="c1"' not in body and 'id="c2"' not in body and 'id="c1-h"' not in body
    # The carriers: the title and the last section heading before the part, copied without ids.
    assert re.search(r'<div class="t" style="string-set:title content\(\)!important">Title</div>', body)
    assert re.search(r'<h2 style="string-set:section content\(text\)!important">One</h2>', body)
    assert body.index("pdf-ghost-page-3") < body.index("string-set:title") < body.index('id="c3"')  # on the last


def test_part_html_after_ghosts_carry_later_anchors() -> None:
    cut = analyse(_doc(CSS, BODY))
    html = part_html(copy.deepcopy(cut), range(0, 4), Numbers(0, 2, (), (("c3", 2),)))
    body = html[html.index("<body>") :]
    assert re.findall(r"pdf-ghost-page-[a-z0-9-]+", body) == ["pdf-ghost-page-after-1", "pdf-ghost-page-after-2"]
    assert body.index("pdf-ghost-page-after-2") < body.index("-weasy-anchor:'c3'")
    assert "string-set:title" not in body  # nothing to carry into the first part
    assert body.index('id="c2"') < body.index("pdf-ghost-page-after-1")
