"""One briefing date travels through the stages once, in data-flow order, never re-entering a stage it has left.

The serial path (``parallel=False``: charts drawn in this process) is traced with ``sys.setprofile``: every call
into a ``generator`` module is mapped to its stage. Shared value types and pure helpers every stage uses (the
model, the manifest's schema, phrasing, point-in-time cuts, the calendar's dates, the chart kinds' declarations)
are not stages and are left out; so is the archive's check, before anything else, that the date is free to write.
The trace ends once the briefing is written: the archive's overview page that follows is rebuilt from every
briefing, a job of the archive, not of this date.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from generator import build_briefing

STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("definition", ("generator.reports", "generator.resources", "generator.spec_files", "generator.plan.compile",
                    "generator.plan.signature")),
    ("acquisition", ("generator.acquire", "generator.live_fetch", "generator.sources", "generator.store")),
    ("past briefings", ("generator.archive.past", "generator.archive.read")),
    ("analysis", ("generator.plan.plan", "generator.plan.resolve", "generator.derive", "generator.indicators",
                  "generator.flags", "generator.stance", "generator.narrative", "generator.thesis",
                  "generator.outlook")),
    ("charts", ("generator.charts",)),
    ("record", ("generator.record", "generator.compare", "generator.dashboard")),
    ("render", ("generator.render",)),
    ("archive", ("generator.archive.write", "generator.archive.index")),
]
SHARED = ("generator.model", "generator.manifest", "generator.phrasing", "generator.errors", "generator.pointintime",
          "generator.spec", "generator.spec_flags", "generator.spec_narrative",  # the definition's value types
          "generator.past",  # the earlier briefings as values: what a new one compares with
          # The registered formulas are pure functions: a chart reuses its indicator's, so that a title states
          # the table's number. Evaluating them for the briefing (indicators.evaluate) is the analysis stage.
          "generator.indicators.returns", "generator.indicators.leadership", "generator.indicators.levels",
          "generator.indicators.registry", "generator.indicators.performance", "generator.indicators.horizon_returns",
          "generator.watch", "generator.flag_distance", "generator.snapshot_io", "generator.plan.graph",
          "generator.charts.kinds", "generator.charts.params", "generator.charts.worker", "generator.pipeline",
          "generator.version", "generator.spec_performance",
          # The archive's locks and crash-safe replacement: used where it is read (an interrupted replacement is
          # finished first) and where it is written.
          "generator.archive.swap", "generator.archive.lock")
# Before anything: may the date be written? (An interrupted replacement is repaired then, too.)
TARGET_CHECK = ("generator.archive.write", "generator.archive.swap", "generator.archive.lock")


def _stage(module: str) -> str | None:
    if module.startswith(SHARED):
        return None
    for name, prefixes in STAGES:
        if module.startswith(prefixes):
            return name
    raise AssertionError(f"{module}: in no stage; add it to STAGES or SHARED")


def test_a_briefing_goes_through_each_stage_once_in_order(tmp_path: Path) -> None:
    visits: list[str] = []
    started = ended = False

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal started, ended
        name = frame.f_code.co_name
        if ended or (frame.f_globals.get("__name__") == "generator.pipeline" and name == "refresh_index"):
            ended = True
            return
        if event != "call" or name.startswith(("<", "__")):  # module code, comprehensions, a value's own dunders
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("generator."):
            return
        if module in TARGET_CHECK and not started:
            return
        stage = _stage(module)
        if stage is None:
            return
        started = started or stage == "acquisition"
        if not visits or visits[-1] != stage:
            visits.append(stage)

    sys.setprofile(profile)
    try:
        build_briefing(date(2026, 11, 20), source="illustrative", output_dir=tmp_path, parallel=False,
                       formats=("html",))
    finally:
        sys.setprofile(None)
    order = [name for name, _ in STAGES]
    assert visits == order, visits  # each stage once, in data-flow order
