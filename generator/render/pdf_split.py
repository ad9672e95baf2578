"""Cut the print HTML into parts that WeasyPrint lays out on their own and that join into the single-pass PDF.

The document is a sequence of *units*: the children of ``<body>``, with
``<main>`` opened up into its children. A part is a run of consecutive units,
and a part may only start at a unit that the stylesheet makes start a page
(``break-before: page``): the pages before such a break do not depend on what
follows it, and the pages after it do not depend on how the earlier ones
broke. So each part, laid out alone, gives exactly the pages the single pass
gives for it, provided it is told what the other parts hold:

* **Page numbers.** A part is laid out with *ghost pages* standing for the
  other parts' pages: as many before it as the parts before it have, and as
  many after it as the parts after it have. ``counter(page)``,
  ``counter(pages)``, ``:first`` and left/right pages then come out as in the
  single pass, and the ghost pages are never written.
* **Targets in other parts.** An anchor that the part links to (a contents
  entry, a cross-reference) but another part holds is put on the ghost page
  where that part has it, so ``target-counter(attr(href), page)`` prints the
  right number and the link is kept.
* **Running strings.** The last element before the part that sets each named
  string (``string-set``: the running title, the illustrative mark, the
  section) is copied, invisibly, onto the last ghost page before it.

The other parts' units stay in the tree as empty, hidden shells with their tag
and classes, so selectors such as ``:first-child`` or ``a + b`` match as
before. Which elements set strings, break pages, sit in balanced columns or
are hidden is read from the document's own stylesheets (``pdf_styles``). A
document that uses something this scheme cannot carry across a cut (element
counters, footnotes, running elements, ``target-text()``) is
:class:`Uncuttable`, and is laid out in one pass.

How many pages each part has is only known once it is laid out: the numbers a
part is given are a prediction, checked afterwards (see ``pdf_parts``).
"""

from __future__ import annotations

import copy
import functools
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import tinycss2
import tinyhtml5

from generator.render.pdf_styles import cascade, hidden, in_columns, keyword, string_names, unsupported
from generator.render.pdf_styles import declarations as styles_of

GHOST = "pdf-ghost"  # a tag no stylesheet styles
GHOST_PAGE = "pdf-ghost-page-"  # anchor marking ghost page N (global number)
_NEUTRAL = ("display:block!important;height:0!important;margin:0!important;padding:0!important;border:0!important;"
            "float:none!important;position:static!important;overflow:hidden!important;")


class Uncuttable(Exception):
    """The document cannot be laid out in parts that equal the single pass; the message says why."""


@dataclass(frozen=True)
class Unit:
    """One top-level block of the document."""

    element: ET.Element
    starts_page: bool  # the stylesheet forces a page break before it: a part may start here
    anchors: frozenset[str]  # ids inside it
    refs: frozenset[str]  # ids it links to (href="#id")
    weight: float  # about the room it takes (see _weight), to guess the pages
    cost: float  # about the work of laying it out, to balance the parts


@dataclass(frozen=True)
class Setter:
    """An element that sets named strings (``string-set``), with the declaration that does it."""

    unit: int
    element: ET.Element
    names: tuple[str, ...]
    value: str  # the declaration's value, CSS text


@dataclass(frozen=True)
class Cut:
    """The parsed document and what a part needs to know about it. The tree must not be changed in place
    except in a process that lays out one part (a forked child has its own copy)."""

    root: ET.Element
    units: tuple[Unit, ...]
    setters: tuple[Setter, ...]

    @functools.cached_property
    def owner(self) -> dict[str, int]:
        """Anchor -> the unit that holds it."""
        return {anchor: i for i, unit in enumerate(self.units) for anchor in unit.anchors}

    def starts(self) -> list[int]:
        """Units a part may start at (never the first: the first part starts the document)."""
        return [i for i, unit in enumerate(self.units) if unit.starts_page and i > 0]

    def balanced(self, parts: int = 2) -> list[range]:
        """Split into ``parts`` runs of units at page starts, the costliest as cheap as it can be."""
        weights = [u.cost for u in self.units]
        best: tuple[float, list[int]] | None = None
        for cuts in _combinations(self.starts(), parts - 1):
            bounds = [0, *cuts, len(weights)]
            heaviest = max(sum(weights[a:b]) for a, b in itertools.pairwise(bounds))
            if best is None or heaviest < best[0]:
                best = (heaviest, bounds)
        if best is None:
            raise Uncuttable(f"no place to cut into {parts} parts: too few units start a page")
        bounds = best[1]
        return [range(a, b) for a, b in itertools.pairwise(bounds)]


WEIGHT_PER_PAGE = 7400.0  # of the weights below, about one A4 page of the briefing (for a first guess only)
# Balancing columns makes WeasyPrint lay their content out again and again: measured on the briefing, its
# two-column appendix and dashboard cost five to ten times as much per character as the sections.
COLUMN_COST = 6.0


@dataclass(frozen=True)
class Estimate:
    """A first guess of each part's pages and of the page (in its part, from 0) each anchor is on."""

    pages: tuple[int, ...]
    anchors: tuple[dict[str, int], ...]


def estimate(cut: Cut, spans: Sequence[range]) -> Estimate:
    """Guess the pagination from the units' weights: a unit that starts a page starts one, the rest fill pages.

    Only the speed depends on it: the numbers a part was laid out with are checked, and laid out again if wrong.
    """
    pages, anchors = [], []
    for span in spans:
        page, fill, found = 0, 0.0, dict[str, int]()
        for i in span:
            unit = cut.units[i]
            if unit.starts_page and fill > 0:
                page, fill = page + max(1, round(fill / WEIGHT_PER_PAGE)), 0.0
            at = page + int(fill // WEIGHT_PER_PAGE)
            found.update((anchor, at) for anchor in unit.anchors)
            fill += unit.weight
        pages.append(max(page + max(1, round(fill / WEIGHT_PER_PAGE)), max(found.values(), default=0) + 1))
        anchors.append(found)
    return Estimate(tuple(pages), tuple(anchors))


@dataclass(frozen=True)
class Numbers:
    """What a part is told about the other parts: their pages before and after it, and where the anchors it
    refers to are: on page N of the document (anchors before it), or on the Nth page after it."""

    before: int
    after: int
    anchors_before: tuple[tuple[str, int], ...] = ()
    anchors_after: tuple[tuple[str, int], ...] = ()


def _combinations(items: Sequence[int], k: int) -> Iterator[list[int]]:
    if k == 0:
        yield []
        return
    for i, item in enumerate(items):
        for rest in _combinations(items[i + 1 :], k - 1):
            yield [item, *rest]


# ------------------------------------------------------------------ reading the document


def analyse(html: str) -> Cut:
    """Parse the print HTML and find its units, where a part may start, and which elements set strings."""
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    body = root.find("body")
    if body is None:
        raise Uncuttable("the document has no body")
    if any(link.get("rel", "").lower() == "stylesheet" for link in root.iter("link")):
        raise Uncuttable("a linked stylesheet cannot be read here")
    declarations = [d for style in root.iter("style") for d in styles_of(style.text or "")]
    reason = unsupported(declarations)
    if reason:
        raise Uncuttable(reason)
    styles = cascade(root, declarations)
    boxless = hidden(body, styles)
    balanced_columns = in_columns(body, styles)

    elements: list[ET.Element] = []
    for child in body:
        if isinstance(child.tag, str) and child.tag.lower() == "main":
            elements.extend(c for c in child if isinstance(c.tag, str))
        elif isinstance(child.tag, str):
            elements.append(child)
    units, setters = [], []
    for i, element in enumerate(elements):
        anchors, refs, weight, cost = set[str](), set[str](), 0.0, 0.0
        for node in element.iter():
            if not isinstance(node.tag, str):
                continue
            anchors.update(a for a in (node.get("id"), node.get("name") if node.tag == "a" else None) if a)
            href = node.get("href", "")
            if href.startswith("#") and len(href) > 1:
                refs.add(href[1:])
            room = _weight(node)
            weight += room
            cost += room * (COLUMN_COST if node in balanced_columns else 1.0)
            string_set = styles.get(node, {}).get("string-set")
            names = string_names(string_set) if string_set and node not in boxless else ()
            if names:
                setters.append(Setter(i, node, names, tinycss2.serialize(string_set).strip()))
        style = styles.get(element, {})
        forced = keyword(style.get("break-before") or style.get("page-break-before")) in {"page", "always"}
        starts = forced and element not in boxless
        units.append(Unit(element, starts, frozenset(anchors), frozenset(refs), weight, cost))
    return Cut(root, tuple(units), tuple(setters))


def _weight(node: ET.Element) -> float:
    # About the room it takes on a page, in characters of text: a table row takes more than its text, a chart
    # about a third of a page. Rough (columns, font sizes), and only used for guesses.
    text = len((node.text or "").strip()) + len((node.tail or "").strip())
    if node.tag == "tr":
        return text + 150.0
    if node.tag in ("img", "svg"):
        return text + 2500.0
    return float(text)


# ------------------------------------------------------------------ building a part


def part_html(cut: Cut, span: range, numbers: Numbers) -> str:
    """The HTML of the part made of ``span``'s units, with the ghost pages ``numbers`` calls for.

    Changes ``cut.root`` in place: call it in the process that lays out this part, on its own copy of the tree.
    """
    units = cut.units
    first, last = units[span.start].element, units[span.stop - 1].element
    carriers = _carriers(cut, span.start)  # copied before the units are emptied
    for i, unit in enumerate(units):
        if i not in span:
            _shell(unit.element)
    # An anchor predicted past the ghost pages (a guess that does not add up) goes on the last one: the
    # numbers are checked against the other parts' layouts anyway.
    before = {a: min(max(p, 1), numbers.before) for a, p in numbers.anchors_before}
    after = {a: min(max(p, 1), numbers.after) for a, p in numbers.anchors_after}
    if numbers.before:
        pages = [_ghost_page(g, g > 1, [a for a, p in before.items() if p == g]) for g in range(1, numbers.before + 1)]
        pages[-1].append(carriers)
        parent = _parent(cut.root, first)
        at = list(parent).index(first)
        for k, page in enumerate(pages):
            parent.insert(at + k, page)
    if numbers.after:
        parent = _parent(cut.root, last)
        at = list(parent).index(last) + 1
        for k in range(numbers.after):
            # Ghost pages after the part are marked by their rank after it (the part's own page count is unknown).
            parent.insert(at + k, _ghost_page(-(k + 1), True, [a for a, p in after.items() if p == k + 1]))
    return "<!DOCTYPE html>\n" + ET.tostring(cut.root, encoding="unicode", method="html")


def ghost_name(page: int) -> str:
    """The anchor on ghost page ``page`` (a document page number before the part; -N for the Nth after it)."""
    return f"{GHOST_PAGE}{page}" if page > 0 else f"{GHOST_PAGE}after-{-page}"


def _ghost_page(page: int, breaks: bool, anchors: list[str]) -> ET.Element:
    style = _NEUTRAL + ("break-before:page!important;" if breaks else "break-before:auto!important;")
    ghost = ET.Element(GHOST, {"style": style + f"-weasy-anchor:{_css_string(ghost_name(page))};"})
    for anchor in sorted(anchors):
        ET.SubElement(ghost, GHOST, {"style": _NEUTRAL + f"-weasy-anchor:{_css_string(anchor)};"})
    return ghost


def _carriers(cut: Cut, start: int) -> ET.Element:
    """Invisible copies of the last element before unit ``start`` that sets each string, in document order."""
    last: dict[str, Setter] = {}
    for setter in cut.setters:
        if setter.unit < start:
            for name in setter.names:
                last[name] = setter
    box = ET.Element(GHOST, {"style": _NEUTRAL})
    chosen = []
    for setter in cut.setters:  # document order; one copy per element
        if any(last.get(n) is setter for n in setter.names) and setter not in chosen:
            chosen.append(setter)
    for setter in chosen:
        clone = copy.deepcopy(setter.element)
        clone.tail = None
        for node in clone.iter():
            if not isinstance(node.tag, str):
                continue
            for attribute in ("id", "name", "href"):
                node.attrib.pop(attribute, None)
            if node is not clone:
                node.set("style", (node.get("style", "") + ";string-set:none!important").lstrip(";"))
        names = [n for n in setter.names if last.get(n) is setter]
        value = ", ".join(part.strip() for part in _split_commas(setter.value) if _first_word(part) in names)
        clone.set("style", (clone.get("style", "") + f";string-set:{value}!important").lstrip(";"))
        box.append(clone)
    return box


def _split_commas(value: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in value:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _first_word(text: str) -> str:
    words = text.split()
    return words[0] if words else ""


def _shell(element: ET.Element) -> None:
    """Keep the element for selectors (tag, classes), but with nothing in it and no box."""
    tail = element.tail
    attributes = {k: v for k, v in element.attrib.items() if k not in ("id", "name", "style")}
    element.clear()
    element.attrib.update(attributes)
    element.set("style", "display:none!important")
    element.tail = tail


def _parent(root: ET.Element, element: ET.Element) -> ET.Element:
    for node in root.iter():
        for child in node:
            if child is element:
                return node
    raise Uncuttable("a unit is not in the tree")


def _css_string(text: str) -> str:
    # Single quotes: the attribute value is written in double quotes, which would come out as &quot;.
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
