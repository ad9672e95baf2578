"""The archive of briefings: one folder per date under a configurable root.

It stores and reads; it does not draw or render. ``write`` (atomic writes,
numbered revisions, per-date locks), ``swap`` (crash-safe replacement),
``read`` (validated manifests, snapshots, listing), ``past`` (the earlier
briefings a new one compares with) and ``index`` (the rows of the overview
page, and writing it).
"""

from __future__ import annotations

from generator.archive.read import ArchivedBriefing, Problem, find_briefing, open_briefing, previous_briefing, scan
from generator.archive.write import REVISIONS, briefing_dir, check_target, prepare_root, write_briefing

__all__ = [
    "REVISIONS",
    "ArchivedBriefing",
    "Problem",
    "briefing_dir",
    "check_target",
    "find_briefing",
    "open_briefing",
    "prepare_root",
    "previous_briefing",
    "scan",
    "write_briefing",
]
