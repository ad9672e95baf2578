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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date as date_type
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.errors import SpecError
from generator.spec_narrative import NarrativeSpec, check_narrative, check_template

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


def _threshold_problem(kind: str, direction: str, amber: float, red: float | None, green: float | None) -> str | None:
    """Why a condition's thresholds cannot work for a flag of ``kind``, or ``None`` when they can."""
    if kind == "risk" and red is None:
        return "a risk flag needs 'red' (and 'amber') thresholds"
    if kind == "support" and green is None:
        return "a support signal needs 'green' (and 'amber') thresholds"
    top, name = (red, "red") if kind == "risk" else (green, "green")
    assert top is not None
    if not (top >= amber if direction == "above" else top <= amber):
        return f"with direction '{direction}', '{name}' must be beyond 'amber'"
    return None


class FlagCondition(_Strict):
    """One test of one indicator against thresholds: the unit a flag is built from.

    ``direction = "above"``: for a risk flag, values at or above ``amber``/``red``
    are amber/red; for a support signal, values at or above ``green``/``amber``
    are green/amber. ``"below"`` mirrors it. ``hysteresis`` (in the indicator's
    unit) is how far the value must move back past a threshold before the flag
    calms down again (see :mod:`generator.flags`).
    """

    indicator: str
    direction: Literal["above", "below"]
    amber: float
    red: float | None = None
    green: float | None = None
    hysteresis: float = Field(default=0.0, ge=0)


class FlagSpec(_Strict):
    """A risk flag or supportive signal (``[flags.ID]``) with traffic-light thresholds.

    The top-level ``indicator``/``direction``/thresholds are the primary
    condition; ``[[flags.ID.conditions]]`` may add more, combined with
    ``combine = "all"`` (every condition must be met: the flag takes the least
    alarming of their states) or ``"any"`` (one is enough: the most alarming).
    """

    id: str = ""
    label: str
    kind: Literal["risk", "support"]
    indicator: str
    direction: Literal["above", "below"]
    amber: float
    red: float | None = None
    green: float | None = None
    hysteresis: float = Field(default=0.0, ge=0)
    conditions: list[FlagCondition] = Field(default_factory=list)
    combine: Literal["all", "any"] = "all"
    rationale: str = Field(min_length=1)

    @model_validator(mode="after")
    def _thresholds_match_kind(self) -> FlagSpec:
        problem = _threshold_problem(self.kind, self.direction, self.amber, self.red, self.green)
        if problem:
            raise ValueError(problem)
        for i, cond in enumerate(self.conditions):
            problem = _threshold_problem(self.kind, cond.direction, cond.amber, cond.red, cond.green)
            if problem:
                raise ValueError(f"conditions[{i}]: {problem}")
        return self

    @property
    def checks(self) -> tuple[FlagCondition, ...]:
        """Every condition, the primary one first."""
        primary = FlagCondition(
            indicator=self.indicator,
            direction=self.direction,
            amber=self.amber,
            red=self.red,
            green=self.green,
            hysteresis=self.hysteresis,
        )
        return (primary, *self.conditions)


class ChartSpec(_Strict):
    """A chart (``[charts.ID]``): a registered chart kind drawn from named series.

    ``title`` states the finding: a template reading the facts its kind computes
    (``generator/phrasing.py``), e.g. ``"Small caps {{ gap|abs }}% above..."``.
    ``subtitle`` says what is plotted, with units; ``alt`` describes the chart
    for readers who cannot see it (the latest values are appended). Both are
    templates too, reading the same facts (e.g. ``{{ span }}``: what was plotted).
    """

    id: str = ""
    kind: str
    title: str
    subtitle: str = ""
    series: list[str]
    years: float = Field(default=10, gt=0, le=50)
    params: dict[str, float | int | str | bool | list[str] | list[float]] = Field(default_factory=dict)
    alt: str = ""


class SectionSpec(_Strict):
    """A section of the document, in reading order (``[[sections]]``)."""

    id: str
    title: str
    intro: str = ""
    indicators: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    charts: list[str] = Field(default_factory=list)
    blocks: list[Literal["thesis", "implications"]] = Field(
        default_factory=list, description="Computed blocks shown after the charts (templates/blocks/NAME.html.j2)"
    )


class StanceSpec(_Strict):
    """The rule that turns flags and signals into the overall stance (``[stance]``).

    Fragile when at least ``fragile_if_red_at_least`` risk flags are red;
    otherwise Supportive when at least ``supportive_if_green_support_at_least``
    supportive signals are green, at most ``supportive_max_red`` risk flags are
    red and at most ``supportive_max_amber`` are amber (no limit when unset);
    Mixed otherwise. Unknown flags count for nothing, so missing data can never
    make the stance look better.
    """

    fragile_if_red_at_least: int = Field(default=2, ge=1)
    supportive_if_green_support_at_least: int = Field(default=2, ge=1)
    supportive_max_red: int = Field(default=0, ge=0)
    supportive_max_amber: int | None = Field(default=None, ge=0)


class ClaimSpec(_Strict):
    """One quantitative claim of the article (``[[claims]]``) and the check that tests it against data."""

    id: Identifier
    claim: str = Field(min_length=1)
    check: str
    params: dict[str, float | int | str | bool | list[str]] = Field(default_factory=dict)
    settle: str = Field(min_length=1, description="What evidence would settle the claim")


class ThesisSpec(_Strict):
    """``[thesis]``: the article being checked."""

    article: str = ""
    article_date: date_type


class ValuationInputSpec(_Strict):
    """A valuation input (``[valuation_inputs.ID]``): an analyst figure or a live quote field.

    ``origin = "analyst"``: read from the analyst file (each row has its own date
    and source). ``origin = "yahoo_quote"``: a field of Yahoo's quote for
    ``symbol`` (e.g. ``trailingPE``, ``marketCap``), recorded in the manifest so
    a history builds up in the archive. Values outside ``valid_range`` are
    rejected as nonsense. ``basis`` says exactly what the number is (forward or
    trailing, with or without loss-making members).
    """

    id: str = ""
    label: str
    unit: str
    origin: Literal["analyst", "yahoo_quote"]
    basis: str = Field(min_length=1)
    symbol: str | None = None
    field: Literal["trailingPE", "forwardPE", "marketCap"] | None = None
    valid_range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _quote_needs_symbol(self) -> ValuationInputSpec:
        if self.origin == "yahoo_quote" and (self.symbol is None or self.field is None):
            raise ValueError("origin 'yahoo_quote' needs 'symbol' and 'field'")
        if self.valid_range is not None and self.valid_range[0] >= self.valid_range[1]:
            raise ValueError("valid_range must be [low, high] with low < high")
        return self


class ValuationSpec(_Strict):
    """``[valuation]``: where analyst inputs live (a CSV beside the definition, or none)."""

    analyst_file: str | None = None


class ReportSpec(_Strict):
    """The whole definition. Built only by :func:`load_spec`, which also cross-checks it."""

    report: ReportMeta
    series: dict[Identifier, SeriesSpec]
    indicators: dict[Identifier, IndicatorSpec]
    flags: dict[Identifier, FlagSpec] = Field(default_factory=dict)
    charts: dict[Identifier, ChartSpec] = Field(default_factory=dict)
    sections: list[SectionSpec]
    stance: StanceSpec = Field(default_factory=StanceSpec)
    valuation: ValuationSpec = Field(default_factory=ValuationSpec)
    valuation_inputs: dict[Identifier, ValuationInputSpec] = Field(default_factory=dict)
    thesis: ThesisSpec | None = None
    claims: list[ClaimSpec] = Field(default_factory=list)
    narrative: NarrativeSpec = Field(default_factory=NarrativeSpec)

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, data: Any) -> Any:
        # The table key is the id; copying it in lets each entry know its own name.
        if isinstance(data, dict):
            for table in ("series", "indicators", "flags", "charts", "valuation_inputs"):
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


def _check_chart_title(chart: ChartSpec, facts: Mapping[str, str]) -> list[str]:
    """A chart's title, subtitle and alt text may read only its kind's facts; a per-series fact only its series."""
    known: dict[str, list[str] | None] = {
        name: (list(chart.series) if kind == "series" else None) for name, kind in facts.items()
    }
    texts = {"title": chart.title, "subtitle": chart.subtitle, "alt": chart.alt}
    return [p for key, text in texts.items() for p in check_template(f"charts.{chart.id}.{key}", text, known)]


def _cross_check(
    spec: ReportSpec, functions: list[str], chart_kinds: Sequence[str] | Mapping[str, Mapping[str, str]],
    claim_checks: list[str] | None = None,
) -> list[str]:
    problems: list[str] = []
    series_ids = list(spec.series)
    input_ids = series_ids + list(spec.valuation_inputs)
    for ind in spec.indicators.values():
        if functions and ind.function not in functions:
            problems.append(
                f"indicators.{ind.id}.function: unknown indicator function "
                f"'{ind.function}'{_suggest(ind.function, functions)}"
            )
        for arg, ref in ind.inputs.items():
            for sid in [ref] if isinstance(ref, str) else ref:
                if sid not in spec.series and sid not in spec.valuation_inputs:
                    problems.append(
                        f"indicators.{ind.id}.inputs.{arg}: unknown series '{sid}'{_suggest(sid, input_ids)}"
                    )
    for vid in spec.valuation_inputs:
        if vid in spec.series:
            problems.append(f"valuation_inputs.{vid}: the id is already a series; pick another")
    indicator_ids = list(spec.indicators)
    for flag in spec.flags.values():
        for i, cond in enumerate(flag.checks):
            key = "indicator" if i == 0 else f"conditions[{i - 1}].indicator"
            if cond.indicator not in spec.indicators:
                problems.append(
                    f"flags.{flag.id}.{key}: unknown indicator '{cond.indicator}'"
                    f"{_suggest(cond.indicator, indicator_ids)}"
                )
    seen_claims: set[str] = set()
    for i, claim in enumerate(spec.claims):
        if claim.id in seen_claims:
            problems.append(f"claims[{i}].id: duplicate claim id '{claim.id}'")
        seen_claims.add(claim.id)
        if claim_checks is not None and claim.check not in claim_checks:
            problems.append(
                f"claims[{i}].check: unknown thesis check '{claim.check}'{_suggest(claim.check, claim_checks)}"
            )
    if spec.claims and spec.thesis is None:
        problems.append("thesis: a [thesis] table with 'article_date' is required when [[claims]] are declared")
    for chart in spec.charts.values():
        if chart_kinds and chart.kind not in chart_kinds:
            problems.append(
                f"charts.{chart.id}.kind: unknown chart kind '{chart.kind}'{_suggest(chart.kind, list(chart_kinds))}"
            )
        for sid in chart.series:
            if sid not in spec.series:
                problems.append(f"charts.{chart.id}.series: unknown series '{sid}'{_suggest(sid, series_ids)}")
        if isinstance(chart_kinds, Mapping) and chart.kind in chart_kinds:
            problems += _check_chart_title(chart, chart_kinds[chart.kind])
    for i, section in enumerate(spec.sections):
        for table, refs in (("indicators", section.indicators), ("flags", section.flags), ("charts", section.charts)):
            known = getattr(spec, table)
            for ref in refs:
                if ref not in known:
                    problems.append(f"sections[{i}].{table}: unknown {table[:-1]} '{ref}'{_suggest(ref, list(known))}")
    problems += check_narrative(spec.narrative, spec)
    return problems


def load_spec(
    path: str | Path = DEFAULT_REPORT,
    *,
    functions: list[str] | None = None,
    chart_kinds: Sequence[str] | Mapping[str, Mapping[str, str]] | None = None,
    claim_checks: list[str] | None = None,
) -> LoadedSpec:
    """Read, validate and cross-check a report definition; raise one ``SpecError`` listing every problem.

    ``functions``, ``chart_kinds`` and ``claim_checks`` are the registered names to
    check references against; the pipeline passes the registries' keys. When
    ``chart_kinds`` maps each kind to its facts (name -> "value" | "text" |
    "series"), chart title templates are checked against them too.
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
    problems = _cross_check(spec, functions or [], chart_kinds or [], claim_checks)
    if problems:
        raise SpecError("\n".join(f"{path}: {p}" for p in problems))
    return LoadedSpec(spec=spec, path=path, sha256=hashlib.sha256(raw).hexdigest())
