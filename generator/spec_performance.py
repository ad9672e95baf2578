"""The report definition's ``[performance]`` table: the weekly note's performance grid.

Kept apart from ``generator/spec.py`` (which adds it to ``ReportSpec`` as
``performance: PerformanceSpec | None = None``) because it carries its own
cross-checks: every row's series and the benchmark must be declared series,
row ids must be unique, a basket needs its own id. Example::

    [performance]
    benchmark = "SPY"
    horizons = ["1w", "1m", "3m", "ytd", "12m"]

    [[performance.rows]]
    id = "IWM"
    label = "Russell 2000"
    group = "small caps"

    [[performance.rows]]
    id = "MAG7_EW"
    label = "Magnificent 7, equal weight"
    group = "Magnificent 7"
    members = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"]

How the numbers are computed is in :mod:`generator.indicators.performance`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from generator.errors import SpecError

Horizon = Literal["1w", "1m", "3m", "ytd", "12m"]
HORIZONS: tuple[Horizon, ...] = ("1w", "1m", "3m", "ytd", "12m")
Group = Literal["small caps", "large caps", "Magnificent 7", "small-cap sectors", "large-cap sectors"]
_Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9_^.\-]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerformanceRowSpec(_Strict):
    """One row of the grid (``[[performance.rows]]``): a series, or an equal-weight basket of several.

    Without ``members`` the row is the series named ``id``. With ``members`` it
    is their equal-weight basket, rebalanced daily (see
    :func:`generator.indicators.leadership.equal_weight_index`), and ``id`` is
    the basket's own name.
    """

    id: _Identifier
    label: str = Field(min_length=1)
    group: Group
    members: list[_Identifier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _basket_members(self) -> PerformanceRowSpec:
        if len(self.members) == 1:
            raise ValueError("a basket needs at least two members; for one series leave out 'members' and use its id")
        repeated = sorted({m for m in self.members if self.members.count(m) > 1})
        if repeated:
            raise ValueError(f"members listed twice: {', '.join(repeated)}")
        return self

    @property
    def series_ids(self) -> tuple[str, ...]:
        """The series the row is computed from: its members, or its own id."""
        return tuple(self.members) if self.members else (self.id,)

    @property
    def is_basket(self) -> bool:
        return bool(self.members)


class PerformanceSpec(_Strict):
    """The grid (``[performance]``): total returns by horizon, relative to ``benchmark``, in declared rows.

    ``horizons``: which columns, in order (1 week, 1 month, 3 months, year to
    date, 12 months; definitions in :mod:`generator.indicators.performance`).
    ``max_staleness_days``: a row whose last close is more calendar days older
    than the briefing date is marked stale. ``percentile_years``: the history
    the 3-month relative return is ranked in. ``min_percentile_years``: less
    history than this and no percentile is given.
    """

    benchmark: _Identifier
    horizons: list[Horizon] = Field(default_factory=lambda: list(HORIZONS))
    max_staleness_days: int = Field(default=5, ge=1, le=60)
    percentile_years: int = Field(default=10, ge=1, le=30)
    min_percentile_years: float = Field(default=1.0, gt=0, le=30)
    rows: list[PerformanceRowSpec]

    @field_validator("horizons", "rows")
    @classmethod
    def _not_empty(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        if not value:
            raise ValueError(
                f"list at least one of {', '.join(HORIZONS)}"
                if info.field_name == "horizons"
                else "declare at least one row ([[performance.rows]])"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PerformanceSpec:
        repeated = sorted({h for h in self.horizons if self.horizons.count(h) > 1})
        if repeated:
            raise ValueError(f"horizons listed twice: {', '.join(repeated)}")
        if self.min_percentile_years > self.percentile_years:
            raise ValueError("min_percentile_years must not exceed percentile_years")
        return self


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_performance(perf: PerformanceSpec, series_ids: Iterable[str]) -> list[str]:
    """Cross-check ``[performance]`` against the definition's series; one problem per line, each naming its key.

    ``spec.py``'s ``_cross_check`` adds these to its list:
    ``problems += check_performance(spec.performance, spec.series)``.
    """
    known = list(series_ids)
    problems: list[str] = []
    if perf.benchmark not in known:
        problems.append(f"performance.benchmark: unknown series '{perf.benchmark}'{_suggest(perf.benchmark, known)}")
    first: dict[str, int] = {}
    for i, row in enumerate(perf.rows):
        where = f"performance.rows[{i}]"
        if row.id in first:
            problems.append(f"{where}.id: duplicate row id '{row.id}' (also rows[{first[row.id]}])")
        first.setdefault(row.id, i)
        if row.is_basket:
            if row.id in known:
                problems.append(f"{where}.id: '{row.id}' is a series; a basket needs its own id, e.g. '{row.id}_EW'")
            for member in row.members:
                if member not in known:
                    problems.append(f"{where}.members: unknown series '{member}'{_suggest(member, known)}")
        elif row.id not in known:
            problems.append(
                f"{where}.id: unknown series '{row.id}'{_suggest(row.id, known)}"
                " (declare it under [series], or list 'members' for a basket)"
            )
    return problems


def parse_performance(table: Mapping[str, Any], series_ids: Iterable[str], where: str) -> PerformanceSpec:
    """Validate a ``[performance]`` table on its own, whole: one ``SpecError`` listing every problem.

    For a definition loaded by ``load_spec`` this is done there; this entry
    point validates a table outside it (e.g. ``reports/performance.example.toml``)
    with the same messages: ``where: performance.rows[3].group: expected one of ...``.
    """
    from generator.spec import _describe, format_loc  # here, not at the top: spec.py imports this module

    try:
        perf = PerformanceSpec.model_validate(table)
    except ValidationError as exc:
        lines = [f"{where}: {format_loc(('performance', *e['loc']))}: {_describe(dict(e))}" for e in exc.errors()]
        raise SpecError("\n".join(lines)) from None
    problems = check_performance(perf, series_ids)
    if problems:
        raise SpecError("\n".join(f"{where}: {p}" for p in problems))
    return perf
