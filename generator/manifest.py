"""The manifest: every number of a briefing with where it came from, as JSON.

Schema version 2, documented field by field in ``output/README.md``. The
schema is the pydantic model :class:`Manifest`: a manifest is built through it
and validated by it on every read, so a damaged or hand-edited file is refused
with an error naming the file and the field. Values are plain JSON types so a
manifest can be read without this package.

Version 1 (the first pipeline) lacked the snapshot, the report-definition copy,
the comparison with the previous briefing and the flag history; it is still
read (for ``list``, ``history`` and the index), but cannot be re-rendered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.errors import ArchiveError
from generator.model import Analysis
from generator.spec import LoadedSpec

SCHEMA_VERSION: Literal[2] = 2
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.toml"

State = Literal["green", "amber", "red", "unknown"]
Presence = Literal["both", "added", "removed"]
UpdateKind = Literal["new observation", "revision", "new observation and revision", "unchanged", "added", "removed"]
StanceLabel = Literal["Supportive", "Mixed", "Fragile", "Insufficient evidence"]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportDefinitionEntry(_Record):
    path: str  # as given, relative to the working folder when inside it, else the file name only
    sha256: Sha256
    title: str
    file: str | None = None  # the copy kept beside the manifest (v2)
    id: str | None = None  # the report's id: briefings compare only with briefings of the same report


class SourceEntry(_Record):
    requested: str
    illustrative: bool
    point_in_time_policy: str


class SeriesEntry(_Record):
    source: str
    first: date | None
    last: date | None
    observations: int = Field(ge=0)
    stale: bool
    fetched_at: datetime | None
    label: str | None = None
    provider: str | None = None
    frequency: str | None = None
    fallback: str | None = None  # what stood in for the series' own data, when something did


class IndicatorEntry(_Record):
    label: str
    value: float | None
    unit: str
    decimals: int = Field(ge=0)
    formatted: str
    status: str
    detail: str
    inputs_as_of: dict[str, str]
    stale_inputs: list[str]
    stale: bool = False  # an input is older than its series allows: the value is not current
    as_of: date | None = None  # the date the value describes (its oldest input)
    fallbacks: list[str] = Field(default_factory=list)


class ConditionEntry(_Record):
    """One condition of a flag with its own value and state."""

    indicator: str
    value: float | None
    unit: str
    state: State
    thresholds: str


class FlagEntry(_Record):
    label: str
    kind: Literal["risk", "support"]
    state: State
    value: float | None
    indicator: str
    thresholds: str
    previous_state: State | None = None
    previous_value: float | None = None
    change: Literal["new", "persisting", "cleared"] | None = None  # against the previous briefing
    detail: str = ""
    stale_as_of: date | None = None  # unknown because its input is stale, as of this date
    reading: str = ""
    driver: str | None = None
    conditions: list[ConditionEntry] = Field(default_factory=list)


class ThesisEntry(_Record):
    """One row of "the thesis vs the data"."""

    id: str
    verdict: Literal["consistent", "not supported by the data", "no data"]
    data_says: str
    evidence: list[str]


class StanceEntry(_Record):
    label: StanceLabel
    reasons: list[str]
    missing: list[str] = Field(default_factory=list)  # signals that could not be read (no data, stale)
    evidence: float | None = None  # share of the drivers known and fresh


class PerformanceRowEntry(_Record):
    """One row of the performance grid: total returns (%) and returns relative to the benchmark (pp) by horizon."""

    id: str
    label: str
    group: str
    as_of: date | None
    stale: bool
    returns: dict[str, float | None]
    relative: dict[str, float | None]
    pctile_3m_rel: float | None = None
    pctile_years: float | None = None
    notes: list[str] = Field(default_factory=list)


class MoveEntry(_Record):
    """An indicator's move over the comparison horizon, as the dashboard states it."""

    id: str
    label: str
    before: float | None
    after: float | None
    unit: str
    decimals: int
    text: str


class Dashboard(_Record):
    """Page 1: the reading, what changed, what to watch, what would change the view (``generator/dashboard.py``)."""

    compared_with: date
    compared_what: str  # "the previous briefing (6 Aug 2025)" | "the data of 6 Aug 2025 (7 days earlier)"
    gap_note: str = ""  # "the previous briefing is 15 months old: changes are measured against ..."
    reading: list[str]
    evidence: str
    flag_changes: list[str] = Field(default_factory=list)
    moves: list[MoveEntry] = Field(default_factory=list)
    releases: list[str] = Field(default_factory=list)
    watch: list[str] = Field(default_factory=list)
    watch_note: str = ""
    thresholds: list[str] = Field(default_factory=list)


class QualityEntry(_Record):
    series: str
    level: Literal["info", "warning", "error"]
    message: str


class SnapshotEntry(_Record):
    file: str
    sha256: Sha256
    series: int = Field(ge=0)
    observations: int = Field(ge=0)


# ---------------------------------------------------------------- comparison between two briefings


class IndicatorMove(_Record):
    """One indicator in two briefings. ``presence`` says if it exists in both, or was added or removed."""

    id: str
    label: str
    unit: str
    decimals: int
    before: float | None
    after: float | None
    change: float | None
    sd_change: float | None = None  # change in standard deviations of past briefing-to-briefing changes
    sd_basis: int = 0  # how many past changes that standard deviation is computed from
    presence: Presence = "both"


class FlagTransition(_Record):
    id: str
    label: str
    kind: Literal["risk", "support"]
    before: State | None  # None: the flag did not exist in the earlier briefing
    after: State | None  # None: the flag was removed from the definition

    @property
    def changed(self) -> bool:
        return self.before != self.after


class Revision(_Record):
    date: date
    before: float
    after: float


class SeriesUpdate(_Record):
    """What changed in one macro series between two snapshots: new observations, revisions, or nothing."""

    id: str
    label: str
    frequency: str
    what: UpdateKind
    new_dates: list[date] = Field(default_factory=list)
    last_before: float | None = None
    last_after: float | None = None
    revisions: list[Revision] = Field(default_factory=list)


class Comparison(_Record):
    """Briefing ``before`` against briefing ``after``: the record behind 'Since the last briefing' and ``compare``."""

    before: date
    after: date
    stance_before: StanceLabel
    stance_after: StanceLabel
    indicators: list[IndicatorMove]
    movers: list[str]  # ids of the indicators that moved most, biggest first
    flags: list[FlagTransition]
    series: list[SeriesUpdate]
    notes: list[str] = Field(default_factory=list)

    @property
    def flags_changed(self) -> list[FlagTransition]:
        return [f for f in self.flags if f.changed]

    @property
    def top_movers(self) -> list[IndicatorMove]:
        by_id = {m.id: m for m in self.indicators}
        return [by_id[i] for i in self.movers if i in by_id]

    @property
    def series_changed(self) -> list[SeriesUpdate]:
        return [s for s in self.series if s.what != "unchanged"]

    @property
    def releases(self) -> list[SeriesUpdate]:
        """Changed series worth a line each: every non-daily release and every revision."""
        return [s for s in self.series_changed if s.frequency != "daily" or s.revisions]

    @property
    def daily_new(self) -> list[SeriesUpdate]:
        """Daily series whose only change is new observations (summarised in one sentence)."""
        return [s for s in self.series_changed if s.frequency == "daily" and not s.revisions]


class HistoryPoint(_Record):
    """One earlier briefing as the flag-history chart needs it."""

    date: date
    stance: StanceLabel
    flags: dict[str, State]


PDF_FILE = "briefing.pdf"
PdfMode = Literal["eager", "lazy"]


class PdfEntry(_Record):
    """Where the briefing's PDF stands. The HTML and the manifest are published first; the PDF is added to the
    same folder after them: at once by the command that built the briefing (``eager``), or when something first
    needs it (``lazy``: serve, send, rerender). ``pending`` until then; ``rendered`` once it is in the folder
    and in ``files``."""

    state: Literal["pending", "rendered"]
    mode: PdfMode
    rendered_at: datetime | None = None
    rendered_by: str | None = None  # the command that rendered it: generate, backfill, serve, send, rerender


class Manifest(_Record):
    schema_version: Literal[1, 2]
    briefing_date: date
    data_as_of: date | None
    generated_at: datetime
    generator_version: str
    report_definition: ReportDefinitionEntry
    source: SourceEntry
    series: dict[str, SeriesEntry]
    indicators: dict[str, IndicatorEntry]
    flags: dict[str, FlagEntry]
    stance: StanceEntry
    thesis: list[ThesisEntry] = Field(default_factory=list)
    data_quality: list[QualityEntry]
    snapshot: SnapshotEntry | None = None
    since_last: Comparison | None = None
    history: list[HistoryPoint] = Field(default_factory=list)
    performance: list[PerformanceRowEntry] = Field(default_factory=list)
    dashboard: Dashboard | None = None
    pdf: PdfEntry | None = None  # absent in briefings archived before PDFs were added after the HTML
    files: dict[str, Sha256]

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def flag_states(self) -> dict[str, State]:
        return {fid: f.state for fid, f in self.flags.items()}

    @property
    def pdf_state(self) -> Literal["pending", "rendered", "none"]:
        """``rendered``: the PDF is in the folder and in ``files``; ``pending``: it can be rendered from the
        folder when needed; ``none``: a first-schema briefing without one, which cannot be rendered."""
        if self.pdf is not None:
            return self.pdf.state
        if PDF_FILE in self.files:
            return "rendered"  # archived before the PDF had a state of its own
        return "pending" if self.schema_version >= 2 and self.snapshot is not None else "none"


def pending(manifest: Manifest, mode: PdfMode) -> Manifest:
    """``manifest`` as published before its PDF: the PDF pending, to be added at once (eager) or when needed."""
    return manifest.model_copy(update={"pdf": PdfEntry(state="pending", mode=mode)})


def rendered(by: str, at: datetime) -> Callable[[Manifest], Manifest]:
    """The change to a manifest once its PDF is added: rendered, when and by which command."""

    def update(manifest: Manifest) -> Manifest:
        mode: PdfMode = manifest.pdf.mode if manifest.pdf is not None else "lazy"
        entry = PdfEntry(state="rendered", mode=mode, rendered_at=at, rendered_by=by)
        return manifest.model_copy(update={"pdf": entry})

    return update


# ---------------------------------------------------------------- building and reading


def build_manifest(
    loaded: LoadedSpec,
    analysis: Analysis,
    briefing_date: date,
    generated_at: datetime,
    version: str,
    *,
    snapshot: SnapshotEntry | None = None,
    since_last: Comparison | None = None,
    history: list[HistoryPoint] | None = None,
) -> Manifest:
    snap = analysis.snapshot
    spec = loaded.spec
    return Manifest(
        schema_version=SCHEMA_VERSION,
        briefing_date=briefing_date,
        data_as_of=snap.data_as_of,
        generated_at=generated_at,
        generator_version=version,
        report_definition=ReportDefinitionEntry(
            path=shown_path(loaded.path), sha256=loaded.sha256, title=spec.report.title, file=REPORT_FILE,
            id=spec.report.id,
        ),
        source=SourceEntry(
            requested=snap.requested_source,
            illustrative=snap.illustrative,
            point_in_time_policy=snap.point_in_time_policy,
        ),
        series={
            sid: SeriesEntry(
                source=s.source,
                first=s.first_date,
                last=s.last_date,
                observations=int(s.values.size),
                stale=s.stale,
                fetched_at=s.fetched_at,
                label=spec.series[sid].label if sid in spec.series else None,
                provider=spec.series[sid].provider if sid in spec.series else None,
                frequency=spec.series[sid].frequency if sid in spec.series else None,
                fallback=s.fallback or None,
            )
            for sid, s in sorted(snap.series.items())
        },
        indicators={
            iid: IndicatorEntry(
                label=v.label,
                value=v.value,
                unit=v.unit,
                decimals=v.decimals,
                formatted=v.formatted(),
                status=v.status,
                detail=v.detail,
                inputs_as_of=v.inputs_as_of,
                stale_inputs=list(v.stale_inputs),
                stale=v.stale,
                as_of=v.as_of,
                fallbacks=list(v.fallbacks),
            )
            for iid, v in analysis.indicators.items()
        },
        flags={
            fid: FlagEntry(
                label=f.label,
                kind=f.kind,
                state=f.state.value,
                value=f.value,
                indicator=f.indicator,
                thresholds=f.threshold_text,
                previous_state=f.previous_state.value if f.previous_state else None,
                previous_value=f.previous_value,
                change=f.change,
                detail=f.detail,
                stale_as_of=f.stale_as_of,
                reading=f.reading,
                driver=f.driver or None,
                conditions=[
                    ConditionEntry(indicator=c.indicator, value=c.value, unit=c.unit, state=c.state.value,
                                   thresholds=c.thresholds)
                    for c in f.conditions
                ],
            )
            for fid, f in analysis.flags.items()
        },
        stance=StanceEntry(
            label=analysis.stance.label, reasons=list(analysis.stance.reasons),
            missing=list(analysis.stance.missing), evidence=round(analysis.stance.evidence, 4),
        ),
        thesis=[
            ThesisEntry(id=t.id, verdict=t.verdict, data_says=t.data_says, evidence=list(t.evidence))
            for t in analysis.thesis
        ],
        data_quality=[QualityEntry(series=q.series_id, level=q.level, message=q.message) for q in snap.quality],
        snapshot=snapshot,
        since_last=since_last,
        history=history or [],
        performance=[
            PerformanceRowEntry(
                id=r.id, label=r.label, group=r.group, as_of=r.as_of, stale=r.stale,
                returns={h: _round(v) for h, v in r.returns.items()},
                relative={h: _round(v) for h, v in r.relative.items()},
                pctile_3m_rel=_round(r.pctile_3m_rel_10y), pctile_years=_round(r.pctile_years), notes=list(r.notes),
            )
            for r in (analysis.performance.rows if analysis.performance is not None else ())
        ],
        files={},
    )


def _round(value: float | None, places: int = 6) -> float | None:
    return None if value is None else round(float(value), places)


def shown_path(path: Path) -> str:
    """A path as a manifest may show it: relative to the working folder when inside it, else the bare name."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).name


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_manifest(text: str | bytes, path: Path) -> Manifest:
    """Validate manifest JSON; a problem raises :class:`ArchiveError` naming ``path`` and the field."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ArchiveError(f"{path}: expected a JSON object at the top level")
    version = data.get("schema_version")
    if version not in (1, 2):
        raise ArchiveError(
            f"{path}: schema_version: expected 1 or {SCHEMA_VERSION}, got {version!r}"
            + (" (written by a newer generator?)" if isinstance(version, int) and version > SCHEMA_VERSION else "")
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        got = first.get("input")
        shown = "" if first["type"] == "missing" or isinstance(got, dict | list) else f", got {got!r}"
        message = "is required but missing" if first["type"] == "missing" else first["msg"]
        raise ArchiveError(f"{path}: {_loc(first['loc'])}: {message}{shown}{more}") from None


def read_manifest(path: Path) -> Manifest:
    """Read and validate ``path`` (a ``manifest.json``)."""
    try:
        text = Path(path).read_bytes()
    except FileNotFoundError:
        raise ArchiveError(f"{path}: manifest is missing") from None
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read manifest ({exc.strerror})") from None
    return parse_manifest(text, path)


def manifest_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.as_json(), indent=2, sort_keys=False) + "\n").encode("utf-8")
