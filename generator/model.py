"""Typed values passed between pipeline stages.

sources/store -> :class:`Snapshot` -> indicators -> :class:`IndicatorValue`
-> flags -> :class:`FlagResult` / :class:`Stance` -> charts -> render -> archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, NewType

import pandas as pd

if TYPE_CHECKING:  # the grid's own module imports this one
    from generator.indicators.performance import PerformanceGrid
    from generator.outlook import Outlook

SeriesRef = NewType("SeriesRef", str)
"""A parameter naming a series (or valuation input) of the definition: checked to exist when the plan compiles."""

SourceKind = Literal[
    "yahoo", "fred", "alfred", "fred-csv", "csv", "store", "illustrative", "analyst", "yahoo-quote", "yahoo-fund",
    "derived",
]


class FlagState(StrEnum):
    """Traffic-light state of a flag. ``UNKNOWN`` (grey) is never shown as green."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Rejection:
    """An observation that failed validation: left out of the values, kept here with the reason.

    ``reason`` is written for a reader, with the value and its unit
    (``"1.0e+300 USD is 4.5e+297 times the median of the nearby observations (220.1 USD)"``).
    """

    date: date
    value: float
    reason: str


@dataclass(frozen=True)
class SeriesData:
    """One series as the pipeline sees it: float values on a sorted, unique DatetimeIndex.

    ``known_since`` holds, when the source says so (ALFRED), the date each
    observation was first published (``NaT`` where it is not known: the
    declared publication lag is used for those); without it publication is
    inferred from the series' declared publication lag. ``rejected`` lists the
    observations validation refused: they are not in ``values``, and a
    rejected latest observation makes the series' indicators "no data"
    (:attr:`blocking_rejection`) instead of letting
    an older value pass as current.
    """

    id: str
    values: pd.Series
    source: SourceKind
    fetched_at: datetime | None = None
    known_since: pd.Series | None = None
    stale: bool = False
    notes: tuple[str, ...] = ()
    fallback: str = ""  # what stands in, when it is not the series' own data: "derived from the effective rate (DFF)"
    rejected: tuple[Rejection, ...] = ()

    @property
    def last_date(self) -> date | None:
        return None if self.values.empty else self.values.index[-1].date()

    @property
    def first_date(self) -> date | None:
        return None if self.values.empty else self.values.index[0].date()

    @property
    def blocking_rejection(self) -> str | None:
        """Why the series has no current value, when its latest observation was rejected; else ``None``.

        A rejection dated after the last kept observation means the source's
        newest value is unusable: an indicator must then say "no data" with this
        reason, not compute on the observation before it as if it were current.
        """
        last = self.last_date
        late = [r for r in self.rejected if last is None or r.date > last]
        if not late:
            return None
        newest = max(late, key=lambda r: r.date)
        return f"{self.id}'s latest observation ({newest.date}) was rejected: {newest.reason}"


@dataclass(frozen=True)
class QualityNote:
    """One line of the data-quality box: what happened to which series and why."""

    series_id: str
    level: Literal["info", "warning", "error"]
    message: str


@dataclass(frozen=True)
class Snapshot:
    """Everything the briefing may know on ``as_of``: point-in-time truncated series."""

    as_of: date
    series: dict[str, SeriesData]
    requested_source: str
    quality: tuple[QualityNote, ...] = ()
    point_in_time_policy: str = "publication lag declared per series"

    @property
    def illustrative(self) -> bool:
        return any(s.source == "illustrative" for s in self.series.values())

    @property
    def data_as_of(self) -> date | None:
        """Latest observation date across daily market series (what 'data as of' means to a reader)."""
        dates = [s.last_date for s in self.series.values() if s.last_date is not None]
        return max(dates) if dates else None

    def sources_used(self) -> dict[str, str]:
        return {sid: s.source for sid, s in sorted(self.series.items())}


@dataclass(frozen=True)
class IndicatorValue:
    """A computed indicator with everything needed to trace it.

    ``value`` is ``None`` when it could not be computed; ``status`` then says why
    (``"insufficient history"``, ``"missing input"``, ...). ``inputs_as_of`` maps
    each input series to the date of the last observation the value used.
    """

    id: str
    label: str
    value: float | None
    unit: str
    decimals: int
    inputs_as_of: dict[str, str]
    status: Literal["ok", "insufficient history", "missing input", "error"] = "ok"
    detail: str = ""
    stale_inputs: tuple[str, ...] = ()
    description: str = ""
    fallbacks: tuple[str, ...] = ()  # "DFEDTARU: derived from the effective rate (DFF)" for each stand-in input

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def stale(self) -> bool:
        """Computed from an input older than its series allows at the briefing date: not a current number."""
        return bool(self.stale_inputs)

    @property
    def as_of(self) -> date | None:
        """The date the value describes: its oldest input's last observation."""
        dates = [date.fromisoformat(d) for d in self.inputs_as_of.values() if d and d != "None"]
        return min(dates) if dates else None

    def formatted(self) -> str:
        if self.value is None:
            return "no data" if self.status == "missing input" else self.status
        return f"{self.value:,.{self.decimals}f}"


FlagChange = Literal["new", "persisting", "cleared"]
"""Against the previous briefing: a flag raised (risk amber/red, signal green) now but not then is
``new``; raised then and now ``persisting``; raised then but not now ``cleared``."""


@dataclass(frozen=True)
class ConditionReading:
    """One condition of a flag with its own indicator's value and the state it alone would give."""

    indicator: str
    label: str
    value: float | None
    unit: str
    decimals: int
    state: FlagState
    thresholds: str  # "amber >= 3, red >= 3.5 (hysteresis 0.2)"
    stale_as_of: date | None = None


@dataclass(frozen=True)
class FlagResult:
    """A risk flag's or supportive signal's evaluated state.

    A flag whose input is stale is ``UNKNOWN`` with ``stale_as_of`` set: it is
    shown as stale with that date, and counts for nothing in the stance.
    """

    id: str
    label: str
    kind: Literal["risk", "support"]
    state: FlagState
    value: float | None
    indicator: str
    threshold_text: str
    rationale: str
    previous_state: FlagState | None = None
    change: FlagChange | None = None
    previous_value: float | None = None
    detail: str = ""
    conditions: tuple[ConditionReading, ...] = ()
    stale_as_of: date | None = None
    reading: str = ""  # the flag in words for a reader (its declared template, or indicator and value)
    driver: str = ""  # flags sharing a driver count once in the stance

    @property
    def stale(self) -> bool:
        return self.stale_as_of is not None

    @property
    def shown_state(self) -> str:
        """What a reader sees: the state, or "stale" for a flag whose input is out of date."""
        return "stale" if self.stale else self.state.value


@dataclass(frozen=True)
class PreviousFlag:
    """A flag as the previous archived briefing recorded it (its manifest's state and value)."""

    state: FlagState
    value: float | None = None


StanceLabel = Literal["Supportive", "Mixed", "Fragile", "Insufficient evidence"]


@dataclass(frozen=True)
class Stance:
    """The overall stance with the reasons that produced it, written for a reader.

    ``missing`` names the signals that could not be read (unknown or stale);
    ``evidence`` is the share of the report's drivers that were known and fresh.
    """

    label: StanceLabel
    reasons: tuple[str, ...]
    missing: tuple[str, ...] = ()
    evidence: float = 1.0


Verdict = Literal["consistent", "not supported by the data", "no data"]


@dataclass(frozen=True)
class ThesisCheck:
    """One row of "the thesis vs the data": an article claim beside what the series say."""

    id: str
    claim: str
    data_says: str
    verdict: Verdict
    settle: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart: inline SVG markup plus the text a reader needs without seeing it.

    ``title`` states the finding, written from the data; ``subtitle`` says what is plotted;
    ``note`` what the reader must know about the plotted data (a series missing, a
    history starting inside the window). A chart that could not be drawn at all has
    no ``svg`` and says why in ``note``. ``svg_phone`` is the same chart laid out for
    a phone screen (narrower, larger text), shown by the HTML on small screens.
    """

    id: str
    title: str
    svg: str
    alt: str
    source_line: str
    subtitle: str = ""
    note: str = ""
    svg_phone: str = ""

    @property
    def drawn(self) -> bool:
        return bool(self.svg)


@dataclass(frozen=True)
class Takeaway:
    """One key takeaway of the executive summary, and why the rules chose it."""

    id: str
    text: str
    section: str | None
    reason: str
    score: float


@dataclass(frozen=True)
class ConditionResult:
    """One condition of an implication rule, evaluated: ``holds`` is ``None`` without data."""

    says: str
    holds: bool | None
    today: str


@dataclass(frozen=True)
class ImplicationResult:
    """What an implication rule reads from the signals today: favoured, not favoured or undecided."""

    id: str
    tilt: str
    article: str
    verdict: Literal["favoured", "not favoured", "undecided"]
    conditions: tuple[ConditionResult, ...]
    leadership: tuple[str, ...] = ()  # "Leading small-cap sectors over 3 months: ...; lagging: ..." per group read
    match: Literal["all", "any"] = "all"  # favoured when every condition holds, or when any one does


@dataclass(frozen=True)
class Narrative:
    """The written part of the briefing: takeaways, implications, and the values they compared against."""

    lookback_date: date
    takeaways: tuple[Takeaway, ...]
    implications: tuple[ImplicationResult, ...]
    then: dict[str, float | None] = field(default_factory=dict)
    flags_then: dict[str, FlagState] = field(default_factory=dict)


@dataclass(frozen=True)
class Readings:
    """Indicators, flags and stance of one snapshot: what the plan computes twice, now and a period before."""

    indicators: dict[str, IndicatorValue]
    flags: dict[str, FlagResult]
    stance: Stance


@dataclass(frozen=True)
class Analysis:
    """The computed content of a briefing, before any rendering.

    ``snapshot`` is what the numbers were computed from, fallbacks resolved;
    ``acquired`` the data as acquired (what is archived, so that a re-render
    resolves the same fallbacks again).
    """

    snapshot: Snapshot
    indicators: dict[str, IndicatorValue]
    flags: dict[str, FlagResult]
    stance: Stance
    charts: dict[str, ChartImage] = field(default_factory=dict)
    thesis: list[ThesisCheck] = field(default_factory=list)
    narrative: Narrative | None = None
    acquired: Snapshot | None = None
    performance: PerformanceGrid | None = None
    outlook: Outlook | None = None  # page 1's analysis (generator/outlook.py)
