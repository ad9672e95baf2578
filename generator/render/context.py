"""Turn an :class:`Analysis` into the :class:`BriefingContext` the templates read.

Templates only format; every sentence fragment that depends on data is decided
here, so it can be tested without rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from generator.indicators.registry import FUNCTIONS
from generator.manifest import Comparison
from generator.model import Analysis, ChartImage, FlagResult, IndicatorValue, QualityNote, ThesisCheck
from generator.spec import LoadedSpec

ILLUSTRATIVE_MARK = "Illustrative data - not market data"
_PROVIDER_NAMES = {"yahoo": "Yahoo Finance", "fred": "FRED"}


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    intro: str
    indicators: list[IndicatorValue]
    flags: list[FlagResult]
    charts: list[ChartImage]


@dataclass(frozen=True)
class SourceRow:
    id: str
    label: str
    provider: str
    used: str
    first: str
    last: str
    stale: bool


@dataclass(frozen=True)
class MethodRow:
    id: str
    label: str
    unit: str
    formula: str
    inputs: str
    params: str


@dataclass(frozen=True)
class FlagMethodRow:
    label: str
    kind: str
    indicator: str
    thresholds: str
    rationale: str


@dataclass(frozen=True)
class BriefingContext:
    """Everything a template may show."""

    title: str
    subtitle: str
    author: str
    disclaimer: str
    page_size: str
    briefing_date: date
    data_as_of: date | None
    generated_at: datetime
    version: str
    spec_sha256: str
    illustrative: bool
    illustrative_mark: str
    stance: str
    stance_reasons: tuple[str, ...]
    sections: list[SectionView]
    scorecard: list[FlagResult]
    quality: tuple[QualityNote, ...]
    sources: list[SourceRow]
    methodology: list[MethodRow]
    flag_methodology: list[FlagMethodRow]
    point_in_time_policy: str
    extra: dict[str, object] = field(default_factory=dict)
    thesis: list[ThesisCheck] = field(default_factory=list)
    since_last: Comparison | None = None  # filled from the archive (generator/archive/document.py)
    flag_history: ChartImage | None = None


def _sources(loaded: LoadedSpec, analysis: Analysis) -> list[SourceRow]:
    rows = []
    for sid, s in loaded.spec.series.items():
        data = analysis.snapshot.series.get(sid)
        rows.append(
            SourceRow(
                id=sid,
                label=s.label,
                provider=f"{_PROVIDER_NAMES[s.provider]} {s.provider_symbol}",
                used=data.source if data else "missing",
                first=str(data.first_date) if data and data.first_date else "-",
                last=str(data.last_date) if data and data.last_date else "-",
                stale=bool(data and data.stale),
            )
        )
    return rows


def _methodology(loaded: LoadedSpec) -> list[MethodRow]:
    rows = []
    for ind in loaded.spec.indicators.values():
        inputs = ", ".join(f"{k} = {v if isinstance(v, str) else ' + '.join(v)}" for k, v in ind.inputs.items())
        params = ", ".join(f"{k} = {v}" for k, v in ind.params.items())
        formula = FUNCTIONS[ind.function].formula
        rows.append(MethodRow(ind.id, ind.label, ind.unit, formula, inputs, params or "-"))
    return rows


def build_context(
    loaded: LoadedSpec, analysis: Analysis, briefing_date: date, generated_at: datetime, version: str
) -> BriefingContext:
    spec = loaded.spec
    sections = [
        SectionView(
            id=sec.id,
            title=sec.title,
            intro=sec.intro,
            indicators=[analysis.indicators[i] for i in sec.indicators],
            flags=[analysis.flags[f] for f in sec.flags],
            charts=[analysis.charts[c] for c in sec.charts if c in analysis.charts],
        )
        for sec in spec.sections
    ]
    flag_rows = [
        FlagMethodRow(
            f.label,
            f.kind,
            (" and " if f.combine == "all" else " or ").join(spec.indicators[c.indicator].label for c in f.checks),
            analysis.flags[f.id].threshold_text,
            f.rationale,
        )
        for f in spec.flags.values()
    ]
    return BriefingContext(
        title=spec.report.title,
        subtitle=spec.report.subtitle,
        author=spec.report.author,
        disclaimer=spec.report.disclaimer,
        page_size=spec.report.page_size,
        briefing_date=briefing_date,
        data_as_of=analysis.snapshot.data_as_of,
        generated_at=generated_at,
        version=version,
        spec_sha256=loaded.sha256,
        illustrative=analysis.snapshot.illustrative,
        illustrative_mark=ILLUSTRATIVE_MARK,
        stance=analysis.stance.label,
        stance_reasons=analysis.stance.reasons,
        sections=sections,
        scorecard=list(analysis.flags.values()),
        quality=analysis.snapshot.quality,
        sources=_sources(loaded, analysis),
        methodology=_methodology(loaded),
        flag_methodology=flag_rows,
        point_in_time_policy=analysis.snapshot.point_in_time_policy,
        thesis=list(analysis.thesis),
    )
