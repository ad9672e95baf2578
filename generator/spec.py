"""The report definition: what a briefing says, declared in ``reports/*.toml``.

The file is validated whole at load. Every problem is collected and reported at
once, each naming the file, the key and what was expected, e.g.::

    reports/small_cap_rotation.toml: flags.credit_stress.red: expected a number, got 'high'

Cross-references (an indicator naming an unknown series, a flag naming an
unknown indicator, an indicator function that is not registered) are checked
too, with a suggestion when the name is close to a known one.
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.errors import SpecError

Frequency = Literal["daily", "weekly", "monthly", "quarterly"]
Provider = Literal["yahoo", "fred"]
SeriesKind = Literal["price", "rate", "spread", "index", "level", "percent", "flag"]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9_^.\-]+$")]

DEFAULT_REPORT = Path("reports/small_cap_rotation.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportMeta(_Strict):
    """The ``[report]`` table: titles and document-wide settings."""

    title: str
    subtitle: str = ""
    author: str = "macro-briefing"
    disclaimer: str = ""
    page_size: Literal["A4", "Letter"] = "A4"


class SeriesSpec(_Strict):
    """One input series (``[series.ID]``). The id is the canonical name used everywhere."""

    id: str = ""
    provider: Provider
    symbol: str | None = Field(default=None, description="Provider's own symbol, if not the id")
    label: str
    frequency: Frequency
    kind: SeriesKind
    unit: str
    publication_lag_days: int = Field(default=0, ge=0, le=200)
    max_staleness_days: int = Field(default=7, ge=1, le=400)
    required: bool = True
    field: Literal["adjclose", "close", "volume", "value"] = "value"

    @property
    def provider_symbol(self) -> str:
        return self.symbol or self.id


class IndicatorSpec(_Strict):
    """One indicator (``[indicators.ID]``): a registered function applied to named inputs."""

    id: str = ""
    label: str
    function: str
    inputs: dict[str, str | list[str]]
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    unit: str
    decimals: int = Field(default=1, ge=0, le=4)
    description: str = ""


class FlagSpec(_Strict):
    """A risk flag or supportive signal (``[flags.ID]``) with traffic-light thresholds.

    ``direction = "above"`` means larger values are worse for a risk flag (red at
    or above ``red``); ``"below"`` means smaller values are worse. For a support
    signal, green means the signal is on: ``direction = "above"`` makes values at
    or above ``green`` green, and values at or above ``amber`` amber.
    """

    id: str = ""
    label: str
    kind: Literal["risk", "support"]
    indicator: str
    direction: Literal["above", "below"]
    amber: float
    red: float | None = None
    green: float | None = None
    rationale: str

    @model_validator(mode="after")
    def _thresholds_match_kind(self) -> FlagSpec:
        if self.kind == "risk" and self.red is None:
            raise ValueError("a risk flag needs 'red' (and 'amber') thresholds")
        if self.kind == "support" and self.green is None:
            raise ValueError("a support signal needs 'green' (and 'amber') thresholds")
        worse_first = self.direction == "above"
        if self.kind == "risk" and self.red is not None:
            ok = self.red >= self.amber if worse_first else self.red <= self.amber
            if not ok:
                raise ValueError(f"with direction '{self.direction}', 'red' must be beyond 'amber'")
        if self.kind == "support" and self.green is not None:
            ok = self.green >= self.amber if worse_first else self.green <= self.amber
            if not ok:
                raise ValueError(f"with direction '{self.direction}', 'green' must be beyond 'amber'")
        return self


class ChartSpec(_Strict):
    """A chart (``[charts.ID]``): a registered chart kind drawn from named series."""

    id: str = ""
    kind: str
    title: str
    series: list[str]
    years: float = Field(default=10, gt=0, le=50)
    params: dict[str, float | int | str | bool | list[str]] = Field(default_factory=dict)
    alt: str = ""


class SectionSpec(_Strict):
    """A section of the document, in reading order (``[[sections]]``)."""

    id: str
    title: str
    intro: str = ""
    indicators: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    charts: list[str] = Field(default_factory=list)


class StanceSpec(_Strict):
    """The rule that turns flags and signals into the overall stance."""

    fragile_if_red_at_least: int = Field(default=2, ge=1)
    supportive_if_green_support_at_least: int = Field(default=2, ge=1)
    supportive_max_red: int = Field(default=0, ge=0)


class ReportSpec(_Strict):
    """The whole definition. Built only by :func:`load_spec`, which also cross-checks it."""

    report: ReportMeta
    series: dict[Identifier, SeriesSpec]
    indicators: dict[Identifier, IndicatorSpec]
    flags: dict[Identifier, FlagSpec] = Field(default_factory=dict)
    charts: dict[Identifier, ChartSpec] = Field(default_factory=dict)
    sections: list[SectionSpec]
    stance: StanceSpec = Field(default_factory=StanceSpec)

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, data: Any) -> Any:
        # The table key is the id; copying it in lets each entry know its own name.
        if isinstance(data, dict):
            for table in ("series", "indicators", "flags", "charts"):
                entries = data.get(table)
                if isinstance(entries, dict):
                    data[table] = {
                        key: ({**value, "id": key} if isinstance(value, dict) else value)
                        for key, value in entries.items()
                    }
        return data


@dataclass(frozen=True)
class LoadedSpec:
    """A validated definition together with where it came from and its content hash."""

    spec: ReportSpec
    path: Path
    sha256: str


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    got = error.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known key (check the spelling)"
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type"}:
        return f"expected a number, got {got!r}"
    if kind in {"string_type"}:
        return f"expected text, got {got!r}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"expected one of {expected}, got {got!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{message}" + (f", got {got!r}" if kind not in {"value_error"} and got is not None else "")


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _cross_check(spec: ReportSpec, functions: list[str], chart_kinds: list[str]) -> list[str]:
    problems: list[str] = []
    series_ids = list(spec.series)
    for ind in spec.indicators.values():
        if functions and ind.function not in functions:
            problems.append(
                f"indicators.{ind.id}.function: unknown indicator function "
                f"'{ind.function}'{_suggest(ind.function, functions)}"
            )
        for arg, ref in ind.inputs.items():
            for sid in [ref] if isinstance(ref, str) else ref:
                if sid not in spec.series:
                    problems.append(
                        f"indicators.{ind.id}.inputs.{arg}: unknown series '{sid}'{_suggest(sid, series_ids)}"
                    )
    indicator_ids = list(spec.indicators)
    for flag in spec.flags.values():
        if flag.indicator not in spec.indicators:
            problems.append(
                f"flags.{flag.id}.indicator: unknown indicator '{flag.indicator}'"
                f"{_suggest(flag.indicator, indicator_ids)}"
            )
    for chart in spec.charts.values():
        if chart_kinds and chart.kind not in chart_kinds:
            problems.append(
                f"charts.{chart.id}.kind: unknown chart kind '{chart.kind}'{_suggest(chart.kind, chart_kinds)}"
            )
        for sid in chart.series:
            if sid not in spec.series:
                problems.append(f"charts.{chart.id}.series: unknown series '{sid}'{_suggest(sid, series_ids)}")
    for i, section in enumerate(spec.sections):
        for table, refs in (("indicators", section.indicators), ("flags", section.flags), ("charts", section.charts)):
            known = getattr(spec, table)
            for ref in refs:
                if ref not in known:
                    problems.append(f"sections[{i}].{table}: unknown {table[:-1]} '{ref}'{_suggest(ref, list(known))}")
    return problems


def load_spec(
    path: str | Path = DEFAULT_REPORT,
    *,
    functions: list[str] | None = None,
    chart_kinds: list[str] | None = None,
) -> LoadedSpec:
    """Read, validate and cross-check a report definition; raise one ``SpecError`` listing every problem.

    ``functions`` and ``chart_kinds`` are the registered names to check references
    against; the pipeline passes the registries' keys.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{path}: report definition not found") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read report definition ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    try:
        spec = ReportSpec.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {_format_loc(e['loc'])}: {_describe(dict(e))}" for e in exc.errors()]
        raise SpecError("\n".join(lines)) from None
    problems = _cross_check(spec, functions or [], chart_kinds or [])
    if problems:
        raise SpecError("\n".join(f"{path}: {p}" for p in problems))
    return LoadedSpec(spec=spec, path=path, sha256=hashlib.sha256(raw).hexdigest())
