"""The report definition: what a briefing says, declared in ``reports/*.toml``.

The file is validated whole at load. Every problem is collected and reported at
once, each naming the file, the key and what was expected, e.g.::

    reports/small_cap_rotation.toml: flags.credit_stress.red: expected a number, got 'high'

This module is the schema and the loading of one file (with its includes,
``generator/spec_files.py``). Cross-references and the parameters of every
function, chart kind and check are checked when the definition is compiled
into a plan (``generator/plan``), with a suggestion when a name is close to a
known one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as date_type
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.errors import SpecError
from generator.spec_files import DefinitionSource, read_definition
from generator.spec_flags import FlagCondition as FlagCondition  # re-exported: part of the schema
from generator.spec_flags import FlagSpec, StanceSpec
from generator.spec_narrative import NarrativeSpec
from generator.spec_performance import PerformanceSpec

Frequency = Literal["daily", "weekly", "monthly", "quarterly"]
Provider = Literal["yahoo", "fred"]
SeriesKind = Literal["price", "commodity", "rate", "spread", "index", "level", "percent", "flag"]
"""What a series measures; validation's bounds follow from it (``generator/sources/validate.py``): a ``price``
(equity, fund) is above zero, a ``commodity`` price may go negative (WTI on 2020-04-20), a ``rate``,
``spread`` or ``percent`` moves in points."""
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9_^.\-]+$")]

Scalar = float | int | str | bool

# How old a series' last observation may be, beyond its own period and publication lag, before it is stale:
# a weekend and a holiday for daily data, a late release for the others.
GRACE_DAYS = {"daily": 4, "weekly": 5, "monthly": 10, "quarterly": 15}
PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportMeta(_Strict):
    """The ``[report]`` table: titles, the report's own words, and document-wide settings.

    Everything a reader sees that is specific to this report lives here, not in code:
    the cover's kicker line, the PDF's keywords, the email attachment's name.
    """

    id: Identifier = Field(default="", description="Names the report in the archive; default: the file name")
    title: str
    subtitle: str = ""
    kicker: str = Field(default="Macro strategy briefing", description="The small line above the cover's title")
    author: str = "macro-briefing"
    disclaimer: str = ""
    keywords: list[str] = Field(default_factory=list, description="PDF metadata keywords")
    attachment_name: str = Field(
        default="{report}-{date}.pdf", description="The PDF's file name in an email ({report}: the id, {date})"
    )
    page_size: Literal["A4", "Letter"] = "A4"
    recession_series: str | None = Field(
        default=None, description="A 0/1 recession series (e.g. USREC) shaded on multi-year charts"
    )
    calendar: str | None = Field(
        default=None, description="Events file for 'What to watch' (e.g. calendar.toml), relative to this file"
    )

    @model_validator(mode="after")
    def _attachment_pattern(self) -> ReportMeta:
        try:
            name = self.attachment_name.format(report="r", date="2026-01-02")
        except (KeyError, IndexError, ValueError):
            raise ValueError("attachment_name may use only {report} and {date}") from None
        if "/" in name or "\\" in name or not name.endswith(".pdf"):
            raise ValueError("attachment_name must be a plain file name ending in .pdf") from None
        return self


class FallbackSpec(_Strict):
    """What stands in for a series when it is missing or stale (``fallback = {...}`` on a series).

    Either another series (``series = "XLE"``: large-cap energy for small-cap
    energy) or a derivation registered in ``generator/derive.py`` from other
    series (``function = "target_from_effective"``, ``inputs = { effective = "DFF" }``).
    ``label`` is shown wherever the stand-in is used and recorded in the manifest.
    """

    label: str = Field(min_length=1)
    series: str | None = None
    function: str | None = None
    inputs: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Scalar] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_kind(self) -> FallbackSpec:
        if (self.series is None) == (self.function is None):
            raise ValueError("a fallback names either 'series' (a stand-in) or 'function' (a derivation)")
        if self.series is not None and (self.inputs or self.params):
            raise ValueError("a stand-in series takes no 'inputs' or 'params'")
        return self

    @property
    def sources(self) -> list[str]:
        """The series the fallback reads."""
        return [self.series] if self.series is not None else list(self.inputs.values())


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
    max_staleness_days: int | None = Field(
        default=None, ge=1, le=400, description="Override of the age limit derived from frequency and lag"
    )
    required: bool = True
    field: Literal["adjclose", "close", "volume", "value"] = "value"
    bounds: tuple[float, float] | None = Field(
        default=None, description="Plausible range [low, high], replacing the one of the series' kind"
    )
    plausible: list[date_type] = Field(
        default_factory=list, description="Dates whose values are kept whatever validation says of them"
    )

    @model_validator(mode="after")
    def _bounds_ordered(self) -> SeriesSpec:
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError("bounds must be [low, high] with low < high")
        return self
    fallback: FallbackSpec | None = None

    @property
    def provider_symbol(self) -> str:
        return self.symbol or self.id

    @property
    def max_age_days(self) -> int:
        """How old the last observation may be at the briefing date before the series is stale.

        Declared (``max_staleness_days``), or derived: one period of the series'
        frequency, plus its publication lag, plus a grace for weekends, holidays
        and late releases (daily 1 + lag + 4; weekly 7 + lag + 5; monthly
        31 + lag + 10; quarterly 92 + lag + 15).
        """
        if self.max_staleness_days is not None:
            return self.max_staleness_days
        return PERIOD_DAYS[self.frequency] + self.publication_lag_days + GRACE_DAYS[self.frequency]


class IndicatorSpec(_Strict):
    """One indicator (``[indicators.ID]``): a registered function applied to named inputs."""

    id: str = ""
    label: str
    function: str
    inputs: dict[str, str | list[str]]
    params: dict[str, Scalar] = Field(default_factory=dict)
    unit: str = Field(default="", description="Default: the unit the function declares")
    decimals: int = Field(default=1, ge=0, le=4)
    description: str = ""


class ChartSpec(_Strict):
    """A chart (``[charts.ID]``): a registered chart kind drawn from named series.

    ``title`` states the finding: a template reading the facts its kind computes
    (``generator/phrasing.py``), e.g. ``"Small caps {{ gap|abs }}% above..."``.
    ``subtitle`` says what is plotted, with units; ``alt`` describes the chart
    for readers who cannot see it (the latest values are appended).
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


QUOTE_FIELDS = ("trailingPE", "forwardPE", "marketCap")
FUND_RATIO_FIELDS = ("priceToEarnings", "priceToBook", "priceToSales", "priceToCashflow")


class ValuationInputSpec(_Strict):
    """A valuation input (``[valuation_inputs.ID]``): an analyst figure, a live quote field or a fund figure.

    ``origin = "analyst"``: read from the analyst file (each row has its own date
    and source). ``origin = "yahoo_quote"``: a field of Yahoo's quote for
    ``symbol`` (e.g. ``trailingPE``, ``marketCap``). ``origin = "yahoo_fund"``:
    Yahoo's fund data for ``symbol`` (yfinance's ``Ticker.funds_data``): a ratio
    of its equity holdings (``priceToEarnings``, ``priceToBook``, ...; needs
    ``valid_range``, which also tells Yahoo's inverted form from the ratio) or,
    with ``field = "holdingPercent"``, the summed weight of ``holdings`` among
    its top holdings. Quote and fund values are snapshotted into the local store
    on each live run, dated that day, so their history accrues. Values outside
    ``valid_range`` are rejected as nonsense. ``basis`` says exactly what the
    number is (forward or trailing, with or without loss-making members).
    """

    id: str = ""
    label: str
    unit: str
    origin: Literal["analyst", "yahoo_quote", "yahoo_fund"]
    basis: str = Field(min_length=1)
    symbol: str | None = None
    field: Literal[
        "trailingPE", "forwardPE", "marketCap",
        "priceToEarnings", "priceToBook", "priceToSales", "priceToCashflow", "holdingPercent",
    ] | None = None
    holdings: list[str] | None = None
    valid_range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _live_needs_symbol(self) -> ValuationInputSpec:
        if self.origin != "analyst" and (self.symbol is None or self.field is None):
            raise ValueError(f"origin '{self.origin}' needs 'symbol' and 'field'")
        if self.origin == "yahoo_quote" and self.field not in QUOTE_FIELDS:
            raise ValueError(f"origin 'yahoo_quote' takes field {', '.join(QUOTE_FIELDS)}")
        if self.origin == "yahoo_fund":
            if self.field not in (*FUND_RATIO_FIELDS, "holdingPercent"):
                raise ValueError(f"origin 'yahoo_fund' takes field {', '.join(FUND_RATIO_FIELDS)} or holdingPercent")
            if self.field in FUND_RATIO_FIELDS and self.valid_range is None:
                raise ValueError("a fund ratio needs 'valid_range' (it also tells Yahoo's inverted form apart)")
        if (self.field == "holdingPercent") != bool(self.holdings):
            raise ValueError("field 'holdingPercent' needs 'holdings' (the symbols whose weights are summed), "
                             "and 'holdings' needs field 'holdingPercent'")
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
    performance: PerformanceSpec | None = None

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
    """A validated definition together with where it came from and its content hash.

    ``sha256`` is the hash of :meth:`definition_bytes`: the file itself, or, when
    it includes others, the one self-contained TOML archived beside each briefing.
    """

    spec: ReportSpec
    path: Path
    sha256: str
    source: DefinitionSource | None = None

    @property
    def report_id(self) -> str:
        return self.spec.report.id

    def definition_bytes(self) -> bytes:
        """The bytes archived as ``report.toml``: re-read, and checked against the hash taken at load."""
        try:
            fresh = read_definition(self.path)
        except SpecError as exc:
            raise SpecError(f"{self.path}: cannot read report definition again ({exc})") from None
        if fresh.sha256() != self.sha256:
            raise SpecError(f"{self.path}: the report definition changed while the briefing was being built; run again")
        return fresh.canonical_bytes()


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``("flags", "credit_stress", "amber")`` -> ``flags.credit_stress.amber``; list positions as ``[i]``."""
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


def load_spec(path: str | Path) -> LoadedSpec:
    """Read and validate a definition and its includes; one ``SpecError`` lists every problem.

    Each line names the file that holds the key (the definition or an included
    catalogue), the key and what was expected. References between tables are
    checked when the definition is compiled (:func:`generator.plan.compile_plan`).
    """
    path = Path(path)
    source = read_definition(path)
    data = dict(source.data)
    report = data.get("report")
    if isinstance(report, dict) and not report.get("id"):
        data["report"] = {**report, "id": report_id_from_name(path.stem)}
    try:
        spec = ReportSpec.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            lines.append(f"{source.origin(loc)}: {format_loc(loc)}: {_describe(dict(e))}")
        raise SpecError("\n".join(dict.fromkeys(lines))) from None
    return LoadedSpec(spec=spec, path=path, sha256=source.sha256(), source=source)


def report_id_from_name(stem: str) -> str:
    """A report's archive name when its definition sets none: the file name, with other characters as "_"."""
    cleaned = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in stem)
    return cleaned or "report"
