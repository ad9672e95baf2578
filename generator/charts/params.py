"""What a chart kind accepts: its declared parameters and how many series it draws.

Every kind declares each parameter (name, type, default, one-line description)
and its series arity when it registers (``chart_kind(...)`` in ``kinds.py``).
:func:`check_chart_params` checks a definition's ``[charts.ID]`` table against
that declaration before anything is fetched; :func:`read_param` is how a kind
reads a value while drawing, and refuses a name the kind did not declare (that
is a bug in the kind, not the user's mistake).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ParamType = Literal["integer", "number", "text", "boolean", "texts", "numbers"]
PerSeries = Literal["series", "members"]

_EXPECTED = {
    "integer": "an integer",
    "number": "a number",
    "text": "text",
    "boolean": "true or false",
    "texts": "a list of texts",
    "numbers": "a list of numbers",
}


class UndeclaredParameter(LookupError):
    """A chart kind read a parameter it did not declare: a programming error in the kind."""


@dataclass(frozen=True)
class Param:
    """One declared parameter of a chart kind.

    ``per``: the value is a list with one entry per series (``"series"``), or per
    series but the last, the benchmark (``"members"``); ``default`` is then the
    default of each entry (``None``: the kind picks, e.g. the series' label).
    When a series is missing, its entry is dropped with it.
    """

    name: str
    type: ParamType
    default: Any
    description: str
    per: PerSeries | None = None
    minimum: float | None = None

    def describe(self) -> str:
        """'window (integer, default 200): the moving average's length, in trading days'."""
        shown = "one per series" if self.per == "series" else "one per member" if self.per == "members" else ""
        default = f"default {self.default!r}" if self.default is not None else "default: the series' labels"
        return f"{self.name} ({self.type}, {shown + ', ' if shown else ''}{default}): {self.description}"


@dataclass(frozen=True)
class Arity:
    """How many series a kind draws; ``benchmark_last``: the last one is what the others are measured against."""

    min: int
    max: int | None = None
    benchmark_last: bool = False

    def accepts(self, n: int) -> bool:
        return n >= self.min and (self.max is None or n <= self.max)

    def describe(self) -> str:
        if self.max == self.min:
            return f"exactly {self.min}"
        if self.max is None:
            return f"at least {self.min}"
        return f"{self.min} to {self.max}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _type_ok(kind: ParamType, value: object) -> bool:
    if kind == "integer":
        return _is_number(value) and float(value).is_integer()  # type: ignore[arg-type]
    if kind == "number":
        return _is_number(value)
    if kind == "text":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "texts":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list) and all(_is_number(v) for v in value)


def _count_for(per: PerSeries, n_series: int) -> int:
    return n_series if per == "series" else max(n_series - 1, 0)


def check_params(
    kind_name: str, declared: Sequence[Param], arity: Arity, params: Mapping[str, Any], series: Sequence[str]
) -> list[str]:
    """Problems with ``params`` and ``series`` for a kind declaring ``declared`` and ``arity``."""
    problems: list[str] = []
    by_name = {p.name: p for p in declared}
    for name, value in params.items():
        p = by_name.get(name)
        if p is None:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            if close:
                hint = f"did you mean '{close[0]}'?"
            elif by_name:
                hint = f"{kind_name} takes {', '.join(by_name)}"
            else:
                hint = f"{kind_name} takes no parameters"
            problems.append(f"params.{name}: unknown parameter ({hint})")
            continue
        if not _type_ok(p.type, value):
            problems.append(f"params.{name}: expected {_EXPECTED[p.type]}, got {value!r}")
            continue
        if p.minimum is not None and _is_number(value) and value < p.minimum:
            problems.append(f"params.{name}: expected at least {p.minimum:g}, got {value!r}")
        if p.per is not None and arity.accepts(len(series)):
            want = _count_for(p.per, len(series))
            if len(value) != want:
                whose = "one per series" if p.per == "series" else "one per series but the last"
                problems.append(f"params.{name}: expected {want} entries ({whose}), got {len(value)}")
    if not arity.accepts(len(series)):
        problems.append(f"series: {kind_name} needs {arity.describe()} series, got {len(series)}")
    elif len(set(series)) != len(series):
        twice = sorted({s for s in series if list(series).count(s) > 1})
        problems.append(f"series: {', '.join(twice)} listed more than once")
    return problems


def read_param(kind_name: str, declared: Sequence[Param], params: Mapping[str, Any], name: str, n_series: int) -> Any:
    """The value of parameter ``name`` (its default when absent), converted to its declared type."""
    p = next((d for d in declared if d.name == name), None)
    if p is None:
        raise UndeclaredParameter(f"chart kind '{kind_name}' reads parameter '{name}', which it does not declare")
    if name not in params:
        return [p.default] * _count_for(p.per, n_series) if p.per is not None else p.default
    value = params[name]
    if p.type == "integer":
        return int(value)
    if p.type == "number":
        return float(value)
    if p.type == "text":
        return str(value)
    if p.type == "texts":
        return [str(v) for v in value]
    if p.type == "numbers":
        return [float(v) for v in value]
    return bool(value)


def subset_params(declared: Sequence[Param], params: Mapping[str, Any], keep: Sequence[int]) -> dict[str, Any]:
    """``params`` for the series at positions ``keep`` only: per-series lists lose the dropped entries.

    Positions index the chart's series; a per-member list has no entry for the last series (the benchmark).
    """
    per = {p.name: p.per for p in declared if p.per is not None}
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name in per and isinstance(value, list):
            out[name] = [value[i] for i in keep if i < len(value)]
        else:
            out[name] = value
    return out
