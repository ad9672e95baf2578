"""The earlier briefings a new one compares with: which count, and what a new briefing reads from them.

Only briefings of the same report and the same kind of data count as "past":
an illustrative briefing never compares with a real one (synthetic-versus-real
differences are not revisions), nor feeds its hysteresis, and neither does a
briefing of another report sharing the archive. Reading them from disk is the
archive's job (:mod:`generator.archive.past`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from generator.manifest import HistoryPoint, Manifest
from generator.model import FlagState, PreviousFlag, Snapshot


@dataclass(frozen=True)
class Earlier:
    """An earlier briefing: its manifest, and its data snapshot when asked for (read lazily)."""

    manifest: Manifest
    load_snapshot: Callable[[], Snapshot]

    @classmethod
    def in_memory(cls, manifest: Manifest, snapshot: Snapshot) -> Earlier:
        return cls(manifest, lambda: snapshot)


@dataclass(frozen=True)
class Past:
    """The briefings before a date that a new one may compare with, oldest first."""

    earlier: list[Earlier] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # earlier briefings that could not be read, and why
    skipped: list[str] = field(default_factory=list)  # why some archived briefings were not compared with

    @property
    def manifests(self) -> list[Manifest]:
        return [e.manifest for e in self.earlier]

    @property
    def previous(self) -> Earlier | None:
        return self.earlier[-1] if self.earlier else None

    @property
    def previous_flags(self) -> dict[str, PreviousFlag]:
        """The previous briefing's flags as recorded (state and value): hysteresis and change labels read them."""
        if self.previous is None:
            return {}
        return {
            fid: PreviousFlag(state=FlagState(f.state), value=f.value)
            for fid, f in self.previous.manifest.flags.items()
        }


def comparable(manifest: Manifest, report_id: str | None, illustrative: bool | None) -> bool:
    """Whether an archived briefing is of the same report and the same kind of data (real or illustrative)."""
    theirs = manifest.report_definition.id
    if report_id is not None and theirs is not None and theirs != report_id:
        return False
    return illustrative is None or manifest.source.illustrative == illustrative


def select_past(earlier: list[Earlier], day: date, report_id: str | None, illustrative: bool | None) -> Past:
    """The comparable briefings dated before ``day``; the others are listed in ``skipped``."""
    kept, skipped = [], []
    for e in earlier:
        if e.manifest.briefing_date >= day:
            continue
        if comparable(e.manifest, report_id, illustrative):
            kept.append(e)
        else:
            kind = "illustrative" if e.manifest.source.illustrative else "real"
            skipped.append(f"{e.manifest.briefing_date} ({kind} data, report "
                           f"'{e.manifest.report_definition.id or e.manifest.report_definition.title}')")
    return Past(earlier=kept, skipped=skipped)


def history_now(past: Past, day: date, stance: str, flags: dict[str, str], limit: int = 52) -> list[HistoryPoint]:
    """The flag history a new briefing shows: the last ``limit`` earlier comparable briefings, then itself."""
    ordered = sorted(past.manifests, key=lambda m: m.briefing_date)[-limit:]
    points = [HistoryPoint(date=m.briefing_date, stance=m.stance.label, flags=m.flag_states()) for m in ordered]
    return [*points, HistoryPoint(date=day, stance=stance, flags=flags)]  # type: ignore[arg-type]
