"""What the print stylesheet says about the elements a cut depends on, read with tinycss2 and cssselect2
(the parsers WeasyPrint itself uses): which elements force a page break, set a named string, or make no box,
and whether the stylesheet uses something that cannot be carried across a cut."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cssselect2
import tinycss2

WATCHED = {"string-set", "display", "break-before", "page-break-before", "columns", "column-count", "column-width"}
_UNSUPPORTED = ("target-text(", "running(", "element(", "footnote")  # cannot be carried across a cut
Styles = dict[ET.Element, dict[str, list[Any]]]  # element -> watched property -> winning value (tokens)


@dataclass(frozen=True)
class Declaration:
    selector: list[Any]  # tokens; empty in @page rules
    name: str
    value: list[Any]  # tokens
    important: bool


def declarations(css: str) -> Iterator[Declaration]:
    """Every declaration of a stylesheet that applies in print: style rules, @media print, @page."""
    yield from _rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _rules(rules: list[Any]) -> Iterator[Declaration]:
    for rule in rules:
        if rule.type == "qualified-rule":
            yield from _block(rule.prelude, rule.content)
        elif rule.type == "at-rule" and rule.content is not None:
            if rule.lower_at_keyword == "media" and _for_print(rule.prelude):
                yield from _rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
            elif rule.lower_at_keyword == "page":  # what the page prints, margin boxes too: checked like the rest
                yield from _block([], rule.content)


def _block(selector: list[Any], content: list[Any]) -> Iterator[Declaration]:
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            yield Declaration(selector, item.lower_name, item.value, item.important)
        elif item.type == "at-rule" and item.content is not None:  # @top-left { ... } inside @page
            yield from _block(selector, item.content)


def _for_print(prelude: list[Any]) -> bool:
    text = tinycss2.serialize(prelude).strip().lower()
    if not text:
        return True
    for query in text.split(","):
        words = query.split()
        if words and words[0] == "only":
            words = words[1:]
        if not words or words[0] in ("print", "all") or words[0].startswith("("):
            return True
    return False


def unsupported(declarations: list[Declaration]) -> str | None:
    """Why the stylesheet cannot be cut, or None."""
    for d in declarations:
        text = tinycss2.serialize(d.value).strip().lower()
        if d.name in ("counter-increment", "counter-reset", "counter-set") and text != "none":
            where = "on elements" if d.selector else "in @page"
            return f"{d.name} {where}: the counter would not carry across a cut"
        if any(word in text for word in _UNSUPPORTED):
            return f"{d.name}: {text} cannot be carried across a cut"
        for token in d.value:
            if token.type == "function" and token.lower_name in ("target-counter", "target-counters"):
                args = [t for t in token.arguments if t.type not in ("whitespace", "literal")]
                counter = args[1].lower_value if len(args) > 1 and args[1].type == "ident" else ""
                if counter not in ("page", "pages"):
                    return f"{token.lower_name}() of {counter!r}: only page numbers cross a cut"
    return None


def cascade(root: ET.Element, declarations: list[Declaration]) -> Styles:
    """The winning value of the watched properties for each element (author rules and style attributes)."""
    matcher = cssselect2.Matcher()
    for order, d in enumerate(declarations):
        if d.name not in WATCHED or not d.selector:
            continue
        try:
            selectors = cssselect2.compile_selector_list(d.selector)
        except cssselect2.SelectorError:
            continue  # WeasyPrint ignores it too (and warns)
        for selector in selectors:
            if selector.pseudo_element is None:
                matcher.add_selector(selector, (order, d))
    styles: Styles = {}
    for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
        won: dict[str, tuple[tuple[Any, ...], list[Any]]] = {}
        candidates = [((d.important, specificity, order), d) for specificity, _, _, (order, d) in matcher.match(wrapper)]
        inline = wrapper.etree_element.get("style")
        if inline:  # a style attribute beats every selector of the same importance
            candidates.extend(((d.important, (1, 0, 0, 0), 0), d) for d in _block([], tinycss2.parse_component_value_list(inline)))
        for key, d in candidates:
            if d.name in WATCHED and (d.name not in won or key > won[d.name][0]):
                won[d.name] = (key, d.value)
        if won:
            styles[wrapper.etree_element] = {name: value for name, (_key, value) in won.items()}
    return styles


def hidden(body: ET.Element, styles: Styles) -> set[ET.Element]:
    """The elements that make no box: display none, or inside one that is."""
    hidden: set[ET.Element] = set()

    def walk(node: ET.Element, inside: bool) -> None:
        inside = inside or keyword(styles.get(node, {}).get("display")) == "none"
        if inside:
            hidden.add(node)
        for child in node:
            if isinstance(child.tag, str):
                walk(child, inside)

    walk(body, False)
    return hidden


def in_columns(body: ET.Element, styles: Styles) -> set[ET.Element]:
    """The elements inside a multi-column box: WeasyPrint lays them out several times to balance the columns."""
    found: set[ET.Element] = set()

    def walk(node: ET.Element, inside: bool) -> None:
        if inside:
            found.add(node)
        style = styles.get(node, {})
        inside = inside or any(_columns(style.get(name)) for name in ("columns", "column-count", "column-width"))
        for child in node:
            if isinstance(child.tag, str):
                walk(child, inside)

    walk(body, False)
    return found


def _columns(value: list[Any] | None) -> bool:
    return any((t.type == "number" and t.value > 1) or t.type == "dimension" for t in value or ())


def keyword(value: list[Any] | None) -> str:
    tokens = [t for t in value or () if t.type != "whitespace"]
    return str(tokens[0].lower_value) if len(tokens) == 1 and tokens[0].type == "ident" else ""


def string_names(value: list[Any]) -> tuple[str, ...]:
    """The names a string-set value sets: ``a content(), b attr(x)`` -> (a, b)."""
    names, expect_name = [], True
    for token in value:
        if token.type == "literal" and token.value == ",":
            expect_name = True
        elif token.type == "ident" and expect_name and token.lower_value != "none":
            names.append(str(token.value))
            expect_name = False
        elif token.type != "whitespace":
            expect_name = False
    return tuple(names)


