"""Derived series: what stands in for a series when its own data are missing or stale.

A series may declare a fallback in the definition (``fallback = {...}``): another
series (a stand-in, used as it is) or a derivation registered here, a pure
pandas function from other series to a series, its docstring giving the
formula. The plan uses a fallback only where the primary is missing or stale
and the fallback is fresher, and labels it wherever the numbers appear.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

Derivation = Callable[..., pd.Series]


@dataclass(frozen=True)
class RegisteredDerivation:
    name: str
    func: Derivation
    formula: str


DERIVATIONS: dict[str, RegisteredDerivation] = {}


def derivation(func: Derivation) -> Derivation:
    """Register ``func`` under its own name; its docstring is its published definition."""
    doc = inspect.getdoc(func)
    if not doc:
        raise TypeError(f"derivation '{func.__name__}' needs a docstring giving its formula")
    DERIVATIONS[func.__name__] = RegisteredDerivation(func.__name__, func, doc)
    return func


@derivation
def target_from_effective(effective: pd.Series, bound: Literal["upper", "lower"] = "upper", min_step_bp: float = 20.0,
                          hold_days: int = 5) -> pd.Series:
    """The fed funds target range implied by the effective rate (DFF), as a step series in %.

    The effective rate trades inside the 25 bp target range, so the range's
    upper limit is the effective rate's 5-day median rounded up to the next
    0.25: ceil(median5(DFF) / 0.25) * 0.25 (the lower limit is 0.25 below). A
    new level is accepted only when it differs from the current one by at least
    ``min_step_bp`` and holds for ``hold_days`` consecutive observations; it is
    dated from the first of them. Days before the first accepted level are empty.
    """
    values = effective.dropna()
    if values.empty:
        return values.astype("float64")
    smooth = values.rolling(5, min_periods=1).median()
    grid = smooth.map(lambda x: math.ceil(round(x / 0.25, 6)) * 0.25 if x > 0 else 0.25)
    out = pd.Series(float("nan"), index=values.index, dtype="float64")
    level: float | None = None
    run_start, run_value, run_length = 0, None, 0
    for i, candidate in enumerate(grid.to_numpy()):
        if run_value is not None and candidate == run_value:
            run_length += 1
        else:
            run_start, run_value, run_length = i, float(candidate), 1
        moved = level is None or abs(run_value - level) * 100.0 >= min_step_bp - 1e-9
        if moved and run_length >= hold_days:
            level = run_value
            out.iloc[run_start : i + 1] = level
        elif level is not None:
            out.iloc[i] = level
    out = out.dropna()
    if bound == "lower":
        out = out - 0.25
    elif bound != "upper":
        raise ValueError(f"bound must be 'upper' or 'lower', got {bound!r}")
    return out.rename(None)


@derivation
def sahm_rule(unemployment: pd.Series) -> pd.Series:
    """The Sahm rule recession indicator from the monthly unemployment rate, in percentage points.

    m3[t] = mean(u[t-2..t]) (the three-month average); sahm[t] = m3[t] -
    min(m3[t-12..t-1]) (its minimum over the previous twelve months). Claudia
    Sahm's published formula; FRED's SAHMREALTIME applies it to the rate as first
    published, so values computed from revised data can differ by a few hundredths.
    """
    u = unemployment.dropna()
    m3 = u.rolling(3).mean()
    previous_low = m3.shift(1).rolling(12).min()
    return (m3 - previous_low).dropna().rename(None)
