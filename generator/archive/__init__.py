"""The archive of briefings: one folder per date under a configurable root.

``write`` (atomic writes, numbered revisions), ``read`` (validated manifests,
snapshots, listing), ``document`` (what a folder holds, including the
comparison with the previous briefing) and ``index`` (the archive index page).
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
