"""Obtain every series the definition names, with fallbacks, as a point-in-time :class:`Snapshot`.

``--source`` decides where data may come from:

* ``auto`` (default): live providers first; what fails falls back to the local
  store; what is still missing falls back to the illustrative dataset. Each
  fallback becomes a note in the data-quality box and on the console.
* ``live``, ``store``, ``illustrative``: that source only; what it lacks is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Protocol

from generator.errors import UsageError
from generator.model import QualityNote, SeriesData, Snapshot
from generator.pointintime import is_stale, known_on
from generator.sources.base import Provider
from generator.sources.illustrative import IllustrativeProvider
from generator.spec import ReportSpec, SeriesSpec

log = logging.getLogger(__name__)

SOURCE_MODES = ("auto", "live", "store", "illustrative")
HISTORY_YEARS = 12  # ten-year windows plus a 200-day average need a little over ten years

Progress = Callable[[str], None]


class SeriesStore(Protocol):
    """The local store as acquisition sees it."""

    def read(self, spec: SeriesSpec) -> SeriesData | None: ...

    def write(self, data: SeriesData) -> None: ...


@dataclass
class DataSources:
    """The providers and store a run may use. Tests and the CLI build one; nothing is global."""

    live: dict[str, Provider] = field(default_factory=dict)
    store: SeriesStore | None = None
    illustrative: Provider = field(default_factory=IllustrativeProvider)
    unavailable_reason: str = "live providers are not configured"


def _check_mode(source: str) -> None:
    if source not in SOURCE_MODES:
        raise UsageError(f"unknown --source '{source}': expected one of {', '.join(SOURCE_MODES)}")


def _fetch_live(
    specs: Sequence[SeriesSpec], sources: DataSources, start: date, end: date, notes: list[QualityNote]
) -> dict[str, SeriesData]:
    got: dict[str, SeriesData] = {}
    by_provider: dict[str, list[SeriesSpec]] = {}
    for spec in specs:
        by_provider.setdefault(spec.provider, []).append(spec)
    for provider_name, group in by_provider.items():
        provider = sources.live.get(provider_name)
        if provider is None:
            for spec in group:
                notes.append(QualityNote(spec.id, "warning", f"live {provider_name}: {sources.unavailable_reason}"))
            continue
        result = provider.fetch(group, start, end)
        got.update(result.series)
        for sid, reason in result.failures.items():
            notes.append(QualityNote(sid, "warning", f"live {provider.name} failed: {reason}"))
    return got


def acquire(
    spec: ReportSpec,
    as_of: date,
    source: str = "auto",
    sources: DataSources | None = None,
    progress: Progress | None = None,
) -> Snapshot:
    """Collect every series in ``spec`` as known on ``as_of``, following the ``source`` policy."""
    _check_mode(source)
    sources = sources or DataSources()
    say = progress or (lambda _msg: None)
    specs = list(spec.series.values())
    start = as_of - timedelta(days=int(365.25 * HISTORY_YEARS))
    notes: list[QualityNote] = []
    got: dict[str, SeriesData] = {}

    if source in ("auto", "live"):
        say(f"fetching {len(specs)} series from live sources")
        got.update(_fetch_live(specs, sources, start, as_of, notes))
        if sources.store is not None:
            for data in got.values():
                sources.store.write(data)

    if source in ("auto", "store") and sources.store is not None:
        for s in specs:
            if s.id in got:
                continue
            stored = sources.store.read(s)
            if stored is not None and not stored.values.empty:
                got[s.id] = stored
                if source == "auto":
                    notes.append(QualityNote(s.id, "warning", f"using stored data up to {stored.last_date}"))
    elif source == "store":
        notes.append(QualityNote("*", "error", "no local store is configured"))

    missing = [s for s in specs if s.id not in got]
    if source == "illustrative" or (source == "auto" and missing):
        targets = specs if source == "illustrative" else missing
        say(f"generating illustrative data for {len(targets)} series")
        result = sources.illustrative.fetch(targets, start, as_of)
        got.update(result.series)
        if source == "auto":
            notes.append(
                QualityNote(
                    "*",
                    "warning",
                    f"{len(targets)} series fell back to illustrative data (not market data): "
                    + ", ".join(s.id for s in targets),
                )
            )

    return _point_in_time(spec, as_of, source, got, notes)


def _point_in_time(
    spec: ReportSpec, as_of: date, source: str, got: dict[str, SeriesData], notes: list[QualityNote]
) -> Snapshot:
    series: dict[str, SeriesData] = {}
    for s in spec.series.values():
        data = got.get(s.id)
        if data is None:
            level = "error" if s.required else "warning"
            notes.append(QualityNote(s.id, level, "missing: no source had this series"))
            continue
        data = known_on(data, s, as_of)
        if is_stale(data, s, as_of):
            data = replace(data, stale=True)
            notes.append(
                QualityNote(
                    s.id,
                    "warning",
                    f"stale: last observation {data.last_date} is older than {s.max_staleness_days} days",
                )
            )
        series[s.id] = data
    return Snapshot(as_of=as_of, series=series, requested_source=source, quality=tuple(notes))
