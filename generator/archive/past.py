"""Read the past from the archive: the earlier briefings a new one compares with (see :mod:`generator.record`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from generator.archive.read import ArchivedBriefing, scan
from generator.past import Earlier, Past, select_past


def earlier(briefing: ArchivedBriefing) -> Earlier:
    """An archived briefing as a new one reads it: its manifest now, its snapshot when asked."""
    return Earlier(briefing.manifest, lambda: briefing.snapshot)


def load_past(root: Path, day: date, report_id: str | None = None, illustrative: bool | None = None) -> Past:
    """Read the briefings dated before ``day`` that a briefing of ``report_id`` on such data compares with.

    Damaged ones are skipped and listed in ``problems``; incomparable ones in ``skipped``.
    """
    good, bad = scan(root)
    past = select_past([earlier(b) for b in good], day, report_id, illustrative)
    return Past(past.earlier, [p.message for p in bad if p.directory.name < day.isoformat()], past.skipped)
