"""Sentences with numbers in them, written from declared templates.

Chart titles ("Small caps 6% above their 200-day trend vs the S&P 500") and the
executive summary's takeaways are Jinja templates declared in the report
definition. They read :class:`Quantity` values, which print with their own
number of decimals and know a few words::

    {{ v.iwm_spy_rel_1m|pick("beat", "trailed") }} the S&P 500 by {{ v.iwm_spy_rel_1m|abs }} points

The environment is sandboxed and strict: an unknown name is an error, never an
empty string. :func:`template_refs` lists the names a template reads so the
definition can be checked at load, before any data is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from generator.errors import SpecError

__all__ = [
    "MissingValue",
    "Quantity",
    "TemplateSyntaxError",
    "amount",
    "count_of",
    "counted",
    "private_names",
    "render_template",
    "template_refs",
]


class MissingValue(Exception):
    """A template read a value that has no data; the sentence is dropped, never printed half-empty."""


@dataclass(frozen=True, eq=False)
class Quantity:
    """A number that prints itself with ``decimals`` places; arithmetic and comparisons keep it numeric."""

    value: float
    decimals: int = 1

    def __str__(self) -> str:
        text = f"{self.value:,.{self.decimals}f}"
        # "-0.0" reads as a sign error to a reader; print zero as zero.
        return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text

    def __float__(self) -> float:
        return float(self.value)

    def __abs__(self) -> Quantity:
        return Quantity(abs(self.value), self.decimals)

    def __neg__(self) -> Quantity:
        return Quantity(-self.value, self.decimals)

    def _num(self, other: object) -> float:
        return float(other.value) if isinstance(other, Quantity) else float(other)  # type: ignore[arg-type]

    def __add__(self, other: object) -> Quantity:
        return Quantity(self.value + self._num(other), self.decimals)

    def __sub__(self, other: object) -> Quantity:
        return Quantity(self.value - self._num(other), self.decimals)

    def __mul__(self, other: object) -> Quantity:
        return Quantity(self.value * self._num(other), self.decimals)

    def __radd__(self, other: object) -> Quantity:
        return Quantity(self._num(other) + self.value, self.decimals)

    def __rsub__(self, other: object) -> Quantity:
        return Quantity(self._num(other) - self.value, self.decimals)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity | int | float):
            return self.value == self._num(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def __lt__(self, other: object) -> bool:
        return self.value < self._num(other)

    def __le__(self, other: object) -> bool:
        return self.value <= self._num(other)

    def __gt__(self, other: object) -> bool:
        return self.value > self._num(other)

    def __ge__(self, other: object) -> bool:
        return self.value >= self._num(other)

    @property
    def shown(self) -> float:
        """The value as printed (rounded), so words chosen by sign agree with the digits."""
        return round(self.value, self.decimals)


def _q(value: object) -> Quantity:
    if value is None:
        raise MissingValue("no data")
    if isinstance(value, Quantity):
        return value
    return Quantity(float(value))  # type: ignore[arg-type]


def _pick(value: object, positive: str, negative: str, zero: str | None = None) -> str:
    """``positive`` when the printed value is above zero, ``negative`` below, ``zero`` (default ``positive``) at 0."""
    shown = _q(value).shown
    if shown > 0:
        return positive
    if shown < 0:
        return negative
    return positive if zero is None else zero


def _signed(value: object, decimals: int | None = None) -> str:
    q = _q(value)
    q = q if decimals is None else Quantity(q.value, decimals)
    text = str(q)
    return text if text.startswith("-") or q.shown == 0 else f"+{text}"


def _fmt(value: object, decimals: int) -> str:
    return str(Quantity(_q(value).value, decimals))


def _ordinal(value: object) -> str:
    """21 -> '21st', 12 -> '12th': percentiles read as ordinals."""
    n = round(_q(value).value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class _Namespace(Mapping[str, Any]):
    """Attribute access to named values; a ``None`` value raises :class:`MissingValue`."""

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        self._name = name
        self._values = values

    def __getitem__(self, key: str) -> Any:
        # Names are checked against the definition at load; an absent or empty value here is missing data.
        value = self._values.get(key)
        if value is None:
            raise MissingValue(f"{self._name}.{key} has no data")
        return value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class _Env(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        # MissingValue must reach the caller: the sandbox would otherwise turn it into an undefined.
        if isinstance(obj, _Namespace):
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    env = _Env(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["pick"] = _pick
    env.filters["signed"] = _signed
    env.filters["fmt"] = _fmt
    env.filters["ordinal"] = _ordinal
    env.filters["abs"] = lambda value: abs(_q(value))
    return env


@lru_cache(maxsize=512)
def _compiled(text: str) -> Template:
    return _environment().from_string(text)


def template_refs(text: str) -> set[tuple[str, str | None]]:
    """Names a template reads, as ``(namespace, attribute)``: ``{{ v.x }}`` gives ``("v", "x")``.

    A bare name gives ``(name, None)``. Raises ``TemplateSyntaxError`` on bad syntax.
    """
    tree = _environment().parse(text)
    refs: set[tuple[str, str | None]] = set()
    seen: set[int] = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            refs.add((node.node.name, node.attr))
            seen.add(id(node.node))
    for item in tree.find_all(nodes.Getitem):
        if isinstance(item.node, nodes.Name) and isinstance(item.arg, nodes.Const):
            refs.add((item.node.name, str(item.arg.value)))
            seen.add(id(item.node))
    for name in tree.find_all(nodes.Name):
        if id(name) not in seen and name.ctx == "load":
            refs.add((name.name, None))
    return refs


def private_names(text: str) -> set[str]:
    """Attribute or key names starting with ``_`` that a template reads (the sandbox refuses them)."""
    tree = _environment().parse(text)
    names = {node.attr for node in tree.find_all(nodes.Getattr) if node.attr.startswith("_")}
    for item in tree.find_all(nodes.Getitem):
        if isinstance(item.arg, nodes.Const) and str(item.arg.value).startswith("_"):
            names.add(str(item.arg.value))
    return names


def render_template(text: str, **values: Any) -> str:
    """Render ``text`` with ``values``; mappings become namespaces read as ``name.key``.

    Raises :class:`MissingValue` when the template reads a value without data, and
    :class:`~generator.errors.SpecError` when the sandbox refuses what it reads (the
    definition is at fault: its load-time check catches the usual cases first).
    """
    ns = {k: _Namespace(k, v) if isinstance(v, Mapping) else v for k, v in values.items()}
    try:
        return " ".join(_compiled(text).render(**ns).split())
    except SecurityError as exc:
        raise SpecError(f"template {text!r}: the sandbox refuses it: {exc}") from None


# ---------------------------------------------------------------- counts and amounts in plain words

_NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                 9: "nine"}


def _plural(noun: str, n: int, plural: str | None = None) -> str:
    if n == 1:
        return noun
    if plural is not None:
        return plural
    head, _, tail = noun.partition(" (")  # "risk flag (amber)" -> "risk flags (amber)"
    return head + "s" + (f" ({tail}" if tail else "")


def counted(n: int, noun: str, plural: str | None = None, words: bool = False) -> str:
    """``counted(1, "risk flag")`` -> "1 risk flag"; 2 -> "2 risk flags"; ``words=True`` -> "one risk flag"."""
    number = _NUMBER_WORDS.get(n, str(n)) if words else str(n)
    return f"{number} {_plural(noun, n, plural)}"


def count_of(n: int, total: int, noun: str, predicate: str, plural: str | None = None) -> str:
    """``count_of(1, 10, "risk flag", "red")`` -> "1 of 10 risk flags is red" (verb agrees with ``n``)."""
    verb = "is" if n == 1 else "are"
    if total == 1:
        return f"the {noun} is {predicate}" if n == 1 else f"the {noun} is not {predicate}"
    return f"{n} of {total} {_plural(noun, total, plural)} {verb} {predicate}"


_POINT_UNITS = {"pp": ("point", "points"), "points": ("point", "points"), "bp": ("bp", "bp")}


def amount(value: float, unit: str, decimals: int = 1, signed: bool = False, change: bool = False) -> str:
    """A number with its unit as a reader says it: ``amount(1, "pp", 0, signed=True)`` -> "+1 point".

    "pp" reads as points, "bp" stays bp, "%" sticks to the number ("3.2%"), other
    units follow it after a space ("1.2 x", "17 percentile" reads "17th percentile").
    ``change=True`` is a change of a quantity in that unit: a change of a rate in %
    or of a percentile is in points ("+0.1 points"), never "+0.1%".
    """
    q = Quantity(value, decimals)
    text = _signed(q) if signed else str(q)
    if change and unit in ("%", "percentile", "index points"):
        unit = "points"
    if unit in _POINT_UNITS:
        one, many = _POINT_UNITS[unit]
        return f"{text} {one if abs(q.shown) == 1 else many}"
    if unit == "%":
        return f"{text}%"
    if unit == "percentile":
        return f"{_ordinal(q)} percentile"
    return f"{text} {unit}".strip()


def capped(lines: list[str], what: str, limit: int = 3) -> list[str]:
    """At most ``limit`` lines: the rest summed up in the last one ("and 4 more releases")."""
    if len(lines) <= limit:
        return lines
    rest = len(lines) - (limit - 1)
    return [*lines[: limit - 1], f"and {rest} more {what}"]


def mid_sentence(text: str) -> str:
    """Lower-case a label's first word for use mid-sentence, unless it is a name ("Russell", "VIX")."""
    first = text.split(" ", 1)[0]
    if first[1:2].islower() and first.lower() in _COMMON_WORDS:
        return text[:1].lower() + text[1:]
    return text


_COMMON_WORDS = frozenset({
    "the", "one", "two", "three", "no", "only", "mixed", "fragile", "supportive", "concentration", "uneven",
    "rotation", "inflation", "cut", "credit", "volatility", "dispersion", "labor", "tight", "valuation", "small",
    "cap-weighted", "retail", "unemployment", "core", "neither", "since", "curve", "real", "financial",
})
