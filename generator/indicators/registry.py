"""The registry of indicator functions.

An indicator function is pure pandas: it takes input series (and parameters)
and returns a float, or a :class:`Reading` when the number needs a word of
context (e.g. the date of the Fed's last move). Its docstring states its
formula; the methodology appendix prints it, and a test fails if one is
missing. It raises :class:`~generator.errors.InsufficientHistory` when its
window is longer than the history it was given, so the briefing prints
"insufficient history", never NaN.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import overload


@dataclass(frozen=True)
class Reading:
    """A value with a short note the briefing shows beside it (``IndicatorValue.detail``)."""

    value: float
    note: str


IndicatorFunction = Callable[..., "float | Reading"]


@dataclass(frozen=True)
class RegisteredFunction:
    name: str
    func: IndicatorFunction
    formula: str
    unit: str = ""  # the unit of every value it returns, when fixed ("pp", "%"): the definition may omit it


FUNCTIONS: dict[str, RegisteredFunction] = {}


@overload
def indicator(func: IndicatorFunction, /) -> IndicatorFunction: ...


@overload
def indicator(*, unit: str) -> Callable[[IndicatorFunction], IndicatorFunction]: ...


def indicator(
    func: IndicatorFunction | None = None, /, *, unit: str = ""
) -> IndicatorFunction | Callable[[IndicatorFunction], IndicatorFunction]:
    """Register ``func`` under its own name. Its docstring is its published definition.

    ``@indicator(unit="pp")`` also declares the unit of what it returns.
    """

    def register(f: IndicatorFunction) -> IndicatorFunction:
        doc = inspect.getdoc(f)
        if not doc:
            raise TypeError(f"indicator function '{f.__name__}' needs a docstring giving its formula")
        FUNCTIONS[f.__name__] = RegisteredFunction(f.__name__, f, doc, unit)
        return f

    return register(func) if func is not None else register
