"""Turn an :class:`Analysis` into the :class:`BriefingContext` the templates read.

Templates only format; every sentence fragment that depends on data is decided
here (or in ``narrative``), so it can be tested without rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from generator.manifest import Comparison, Dashboard
from generator.model import (
    Analysis,
    ChartImage,
    FlagResult,
    FlagState,
    ImplicationResult,
    IndicatorValue,
    QualityNote,
    ThesisCheck,
)
from generator.render.appendix import (
    FlagMethodRow,
    FormulaGroup,
    MethodRow,
    SourceRow,
    flag_rows,
    formula_groups,
    methodology,
    narrative_rules,
    sources,
)
from generator.render.weekly import ConditionView, GridView, condition_views, grid_view, inputs_text, stale_note
from generator.spec import FlagSpec, LoadedSpec

ILLUSTRATIVE_MARK = "Illustrative data - not market data"
_SEVERITY = {FlagState.GREEN: 0, FlagState.AMBER: 1, FlagState.RED: 2}

__all__ = [
    "ILLUSTRATIVE_MARK",
    "BriefingContext",
    "ChartView",
    "ContentsEntry",
    "FlagMethodRow",
    "IndicatorRow",
    "MethodRow",
    "ScoreRow",
    "SectionView",
    "SourceRow",
    "TakeawayView",
    "build_context",
]


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator as a section table shows it: latest value, its change over the lookback, inputs' dates."""

    ind: IndicatorValue
    change: str  # "+1.2" or "" when either end has no data
    as_of: str  # "IWM, SPY 2026-11-20; CPILFESL Jun 2025 (Jul due ~15 Aug)": inputs by their last observation
    stale: str = ""  # "stale: as of 13 Jun 2025" when an input is older than its series allows


@dataclass(frozen=True)
class ChartView:
    number: str  # "2.1": section 2, first chart
    image: ChartImage

    @property
    def anchor(self) -> str:
        return f"chart-{self.image.id}"


@dataclass(frozen=True)
class SectionView:
    id: str
    number: int
    title: str
    intro: str
    indicators: list[IndicatorRow]
    flags: list[FlagResult]
    charts: list[ChartView]
    blocks: list[str] = field(default_factory=list)

    @property
    def with_data(self) -> list[IndicatorRow]:
        return [r for r in self.indicators if r.ind.ok]

    @property
    def without_data(self) -> list[IndicatorRow]:
        """Indicators with no value: listed once under the table with the reason, not as rows of dashes."""
        return [r for r in self.indicators if not r.ind.ok]


@dataclass(frozen=True)
class TakeawayView:
    text: str
    section_id: str | None
    section_title: str


@dataclass(frozen=True)
class ScoreRow:
    """A scorecard line: the flag, where it is discussed, and how it changed since the previous briefing."""

    flag: FlagResult
    section_id: str | None
    change: str  # "worse" | "better" | "same" | "unknown" | "" (nothing to compare with)
    value: str  # the indicator as its section prints it, with its unit: "317 bp"
    thresholds: str  # the primary condition, short: "amber ≥ 3, red ≥ 3.5 · or 1 more"
    conditions: list[ConditionView] = field(default_factory=list)  # every condition with its own value and state
    combine: str = ""  # "all conditions must hold" | "any condition is enough"

    before: FlagState | None = None  # the state it is compared with (previous briefing, or the lookback's data)

    @property
    def previous(self) -> str:
        return self.before.value if self.before else ""


@dataclass(frozen=True)
class ContentsEntry:
    id: str
    number: str
    title: str


@dataclass(frozen=True)
class BriefingContext:
    """Everything a template may show."""

    title: str
    subtitle: str
    kicker: str
    keywords: tuple[str, ...]
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
    scorecard: list[ScoreRow]
    quality: tuple[QualityNote, ...]
    sources: list[SourceRow]
    methodology: list[MethodRow]
    flag_methodology: list[FlagMethodRow]
    formulas: list[FormulaGroup]
    point_in_time_policy: str
    takeaways: list[TakeawayView] = field(default_factory=list)
    implications: list[ImplicationResult] = field(default_factory=list)
    narrative_rules: list[str] = field(default_factory=list)
    contents: list[ContentsEntry] = field(default_factory=list)
    lookback_date: date | None = None
    lookback_days: int = 30
    has_previous: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    thesis: list[ThesisCheck] = field(default_factory=list)
    since_last: Comparison | None = None  # filled from the record (generator/render/documents.py)
    flag_history: ChartImage | None = None
    dashboard: Dashboard | None = None  # page 1, from the record
    grid: GridView | None = None  # the performance grid

    @property
    def compared_with(self) -> str:
        """What the scorecard's change column compares with: "" when there is nothing to compare."""
        if self.has_previous:
            return "the previous briefing"
        if self.lookback_date and any(row.before is not None for row in self.scorecard):
            return f"{self.lookback_date.day} {self.lookback_date:%b}"
        return ""

    @property
    def date_long(self) -> str:
        """'20 November 2026': the date as the cover and running header print it."""
        return f"{self.briefing_date.day} {self.briefing_date:%B %Y}"


def _change(flag: FlagResult, before: FlagState | None) -> str:
    if before is None:
        return ""
    if FlagState.UNKNOWN in (before, flag.state):
        return "same" if before == flag.state else "unknown"
    delta = _SEVERITY[flag.state] - _SEVERITY[before]
    return "worse" if delta > 0 else "better" if delta < 0 else "same"


def _change_text(ind: IndicatorValue, then: float | None) -> str:
    if ind.value is None or then is None:
        return ""
    delta = round(ind.value - then, ind.decimals)
    text = f"{delta:+,.{ind.decimals}f}"
    return text.replace("-0", "0").replace("+0", "0") if delta == 0 else text


def _short_thresholds(flag: FlagSpec) -> str:
    """The primary condition's thresholds; the full rule is in the appendix."""
    first, *more = flag.checks
    sign = "≥" if first.direction == "above" else "≤"
    if flag.kind == "risk":
        text = f"amber {sign} {first.amber:g}, red {sign} {first.red:g}"
    else:
        text = f"green {sign} {first.green:g}, amber {sign} {first.amber:g}"
    if more:
        text += f" · {'and' if flag.combine == 'all' else 'or'} {len(more)} more"
    return text


def _value_text(ind: IndicatorValue) -> str:
    return f"{ind.formatted()} {ind.unit}" if ind.ok else ind.formatted()


def build_context(
    loaded: LoadedSpec, analysis: Analysis, briefing_date: date, generated_at: datetime, version: str
) -> BriefingContext:
    spec = loaded.spec
    narrative = analysis.narrative
    then = narrative.then if narrative else {}
    titles = {s.id: s.title for s in spec.sections}
    sections = []
    for number, sec in enumerate(spec.sections, start=1):
        images = [analysis.charts[c] for c in sec.charts if c in analysis.charts]
        sections.append(
            SectionView(
                id=sec.id,
                number=number,
                title=sec.title,
                intro=sec.intro,
                indicators=[
                    IndicatorRow(
                        analysis.indicators[i],
                        _change_text(analysis.indicators[i], then.get(i)),
                        inputs_text(analysis.indicators[i], spec, analysis.snapshot),
                        stale_note(analysis.indicators[i]),
                    )
                    for i in sec.indicators
                ],
                flags=[analysis.flags[f] for f in sec.flags],
                charts=[ChartView(f"{number}.{k}", image) for k, image in enumerate(images, start=1)],
                blocks=list(sec.blocks),
            )
        )
    flag_home = {f: sec.id for sec in spec.sections for f in sec.flags}
    # The change column compares with the previous briefing when the archive has one, else with the same
    # analysis on the lookback's data, as page 1's "What changed" does: one comparison on both pages.
    has_previous = any(f.previous_state is not None for f in analysis.flags.values())
    before = {fid: f.previous_state if has_previous else (narrative.flags_then.get(fid) if narrative else None)
              for fid, f in analysis.flags.items()}
    scorecard = [
        ScoreRow(
            f,
            flag_home.get(fid),
            _change(f, before[fid]),
            _value_text(analysis.indicators[f.indicator]),
            _short_thresholds(spec.flags[fid]),
            condition_views(f.conditions),
            "all conditions must hold" if spec.flags[fid].combine == "all" else "any condition is enough",
            before[fid],
        )
        for fid, f in analysis.flags.items()
    ]
    takeaways = [
        TakeawayView(t.text, t.section, titles.get(t.section, "") if t.section else "")
        for t in (narrative.takeaways if narrative else ())
    ]
    contents = [ContentsEntry("summary", "", "Signals and scorecard")]
    if analysis.performance is not None:
        contents.append(ContentsEntry("performance", "", "Performance"))
    contents += [ContentsEntry(s.id, str(s.number), s.title) for s in sections]
    contents.append(ContentsEntry("appendix", "A", "Appendix: Methodology and sources"))
    return BriefingContext(
        title=spec.report.title,
        subtitle=spec.report.subtitle,
        kicker=spec.report.kicker,
        keywords=tuple(spec.report.keywords),
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
        scorecard=scorecard,
        quality=analysis.snapshot.quality,
        sources=sources(loaded, analysis),
        methodology=methodology(loaded),
        flag_methodology=flag_rows(loaded, analysis),
        formulas=formula_groups(loaded),
        point_in_time_policy=analysis.snapshot.point_in_time_policy,
        thesis=list(analysis.thesis),
        takeaways=takeaways,
        implications=list(narrative.implications) if narrative else [],
        narrative_rules=narrative_rules(loaded),
        contents=contents,
        lookback_date=narrative.lookback_date if narrative else None,
        lookback_days=spec.narrative.lookback_days,
        has_previous=has_previous,
        grid=grid_view(analysis.performance),
    )
