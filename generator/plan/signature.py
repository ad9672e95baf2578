"""What a registered function accepts, read from its signature, and the check of a definition's call to it.

Indicator functions, series derivations and thesis checks declare their
parameters the Hamilton way: by their Python signature. A parameter annotated
``pd.Series`` is an input series; ``pd.DataFrame`` a list of them (one column
each); ``SeriesRef`` / ``list[SeriesRef]`` (thesis checks) the id of a series
named in the definition; anything else (``int``, ``float``, ``str``, ``bool``,
``list[str]``, ``list[float]``) a parameter. A default makes it optional.

The definition's ``inputs`` and ``params`` are checked against that before any
data is fetched: unknown names (with "did you mean"), missing required ones,
wrong types.
"""

from __future__ import annotations

import difflib
import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from generator.model import SeriesRef

InputKind = Literal["series", "frame"]
REQUIRED: Any = inspect.Parameter.empty


@dataclass(frozen=True)
class Param:
    """One parameter: its name, accepted type, default (``REQUIRED`` when none) and what it means."""

    name: str
    type: Any
    default: Any = REQUIRED
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def type_name(self) -> str:
        return type_name(self.type)

    @property
    def is_series_ref(self) -> bool:
        return self.type is SeriesRef or self.type == list[SeriesRef]


@dataclass(frozen=True)
class Signature:
    """A function's inputs (series it receives) and parameters (values the definition sets)."""

    inputs: Mapping[str, InputKind]
    params: Mapping[str, Param]
    returns: str = ""


def type_name(tp: Any) -> str:
    names = {int: "integer", float: "number", str: "text", bool: "true/false", SeriesRef: "series id"}
    if tp in names:
        return names[tp]
    args = typing.get_args(tp)
    if typing.get_origin(tp) is list and args:
        return f"list of {type_name(args[0])}"
    if typing.get_origin(tp) is Literal:
        return " or ".join(repr(a) for a in args)
    return getattr(tp, "__name__", str(tp))


def signature_of(func: Callable[..., Any], skip: int = 0) -> Signature:
    """Read ``func``'s inputs and parameters from its annotations; ``skip`` leading ones (a context)."""
    hints = typing.get_type_hints(func)
    inputs: dict[str, InputKind] = {}
    params: dict[str, Param] = {}
    for i, (name, p) in enumerate(inspect.signature(func).parameters.items()):
        if i < skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        tp = hints.get(name, Any)
        if tp is pd.Series:
            inputs[name] = "series"
        elif tp is pd.DataFrame:
            inputs[name] = "frame"
        else:
            params[name] = Param(name, tp, p.default)
    returned = hints.get("return")
    return Signature(inputs, params, getattr(returned, "__name__", "") if returned is not None else "")


def suggest(name: str, known: list[str]) -> str:
    """`` (did you mean 'x'?)`` when ``name`` is close to one of ``known``."""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _fits(tp: Any, value: Any) -> bool:
    if tp is Any:
        return True
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp in (str, SeriesRef):
        return isinstance(value, str)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        return isinstance(value, list) and all(_fits(args[0] if args else Any, v) for v in value)
    if origin is Literal:
        return value in args
    if origin in (typing.Union, types.UnionType):
        return any(_fits(a, value) for a in args)
    return True


def _unknown_names(given: list[str], known: list[str], required_missing: list[str]) -> dict[str, str]:
    """For each unknown name, the hint to print: a close known name, else the one required name left unset."""
    hints: dict[str, str] = {}
    left = list(required_missing)
    for name in given:
        close = suggest(name, known)
        if not close and len(left) == 1 and len(given) == 1:
            close = f" (did you mean '{left[0]}'?)"
        hints[name] = close
        for k in known:
            if close == f" (did you mean '{k}'?)" and k in left:
                left.remove(k)
    return hints


def _misnamed(
    given: Iterable[str], own: Mapping[str, Any], other: Mapping[str, Any], missing: list[str]
) -> tuple[dict[str, str], set[str]]:
    """The hint for each name in neither ``own`` nor ``other``, and which ``missing`` names a hint accounts for
    (a misspelled name and the required one it was meant to set are one problem, not two)."""
    unknown = [n for n in given if n not in own and n not in other]
    hints = _unknown_names(unknown, list(own), missing)
    explained = {n for n in missing if any(h == f" (did you mean '{n}'?)" for h in hints.values())}
    return hints, explained


def check_params(sig: Signature, given: Mapping[str, Any], what: str) -> list[str]:
    """Problems with ``given`` parameters for a function of signature ``sig``: ``["params.windw: ..."]``.

    A misspelled name and the required parameter it was meant to set are one problem, not two.
    """
    problems: list[str] = []
    known = list(sig.params)
    missing = [n for n, p in sig.params.items() if p.required and n not in given]
    hints, explained = _misnamed(given, sig.params, sig.inputs, missing)
    for name, value in given.items():
        param = sig.params.get(name)
        if param is None:
            if name in sig.inputs:
                problems.append(f"params.{name}: '{name}' is an input series of {what}; set it under inputs")
            else:
                listed = ", ".join(known) if known else "none"
                problems.append(f"params.{name}: {what} has no parameter '{name}'{hints[name]} (its parameters: {listed})")
        elif not _fits(param.type, value):
            problems.append(f"params.{name}: expected {param.type_name}, got {value!r}")
    for name in missing:
        if name not in explained:
            problems.append(f"params.{name}: {what} needs '{name}' ({sig.params[name].type_name})")
    return problems


def check_inputs(sig: Signature, given: Mapping[str, str | list[str]], what: str) -> list[str]:
    """Problems with the series ``given`` to a function's inputs: every input set once, with the right shape."""
    problems: list[str] = []
    names = list(sig.inputs)
    missing = [n for n in names if n not in given]
    hints, explained = _misnamed(given, sig.inputs, sig.params, missing)
    for name, ref in given.items():
        kind = sig.inputs.get(name)
        if kind is None:
            if name in sig.params:
                problems.append(f"inputs.{name}: '{name}' is a parameter of {what}; set it under params")
            else:
                listed = ", ".join(names) if names else "none"
                problems.append(f"inputs.{name}: {what} has no input '{name}'{hints[name]} (its inputs: {listed})")
        elif kind == "series" and not isinstance(ref, str):
            problems.append(f"inputs.{name}: {what} takes one series here, got a list")
        elif kind == "frame" and isinstance(ref, str):
            problems.append(f"inputs.{name}: {what} takes a list of series here, e.g. [\"{ref}\"]")
    for name in missing:
        if name not in explained:
            problems.append(f"inputs.{name}: {what} needs the input '{name}'")
    return problems
