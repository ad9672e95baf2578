"""The compiled plan and its one executor: ``plan.evaluate(snapshot)`` is the only way analysis runs.

Generate, backfill, rerender, serve and the benchmark all call it. The
comparison with the previous period (what moved, which flags changed) is the
same plan evaluated on the earlier snapshot, explicitly and once, here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from generator.flags import evaluate_flags
from generator.indicators import evaluate_indicators
from generator.indicators.performance import performance_grid
from generator.model import Analysis, PreviousFlag, Readings, Snapshot
from generator.narrative import write_narrative
from generator.outlook import outlook
from generator.plan.resolve import resolve_fallbacks
from generator.pointintime import cut
from generator.spec import LoadedSpec
from generator.stance import decide_stance
from generator.thesis import evaluate_thesis
from generator.watch import Calendar


@dataclass(frozen=True)
class Plan(LoadedSpec):
    """A definition checked whole and ready to run.

    ``spec`` holds only what the plan uses (catalogue series nobody reads are
    left out); ``warnings`` are what ``briefing check`` reports without failing
    (a stance branch the report has no flags for).
    """

    warnings: tuple[str, ...] = field(default=())
    calendar: Calendar | None = None  # the report's events calendar, loaded and checked at compile

    @property
    def comparison_days(self) -> int:
        return self.spec.narrative.lookback_days

    def comparison_date(self, as_of: date) -> date:
        """The date the briefing compares with: ``lookback_days`` before ``as_of``."""
        return as_of - timedelta(days=self.comparison_days)

    def readings(self, snapshot: Snapshot, previous: Mapping[str, PreviousFlag] | None = None) -> Readings:
        """Indicators, flags (with hysteresis against ``previous``) and the stance of one resolved snapshot."""
        indicators = evaluate_indicators(self.spec, snapshot)
        flags = evaluate_flags(self.spec, indicators, previous=dict(previous or {}))
        return Readings(indicators, flags, decide_stance(self.spec.stance, flags))

    def evaluate(self, snapshot: Snapshot, previous: Mapping[str, PreviousFlag] | None = None) -> Analysis:
        """Everything a briefing computes from ``snapshot`` (charts aside: they are drawn from ``Analysis.snapshot``).

        ``previous``: the flags of the previous archived briefing (hysteresis, change labels).
        """
        resolved = resolve_fallbacks(self.spec, snapshot)
        now = self.readings(resolved, previous)
        grid = None
        if self.spec.performance is not None:
            prices = {sid: d.values for sid, d in resolved.series.items() if sid in self.spec.series}
            grid = performance_grid(prices, snapshot.as_of, self.spec.performance)
        day = self.comparison_date(snapshot.as_of)
        then = self.readings(resolve_fallbacks(self.spec, cut(self.spec, snapshot, day)))
        narrative = write_narrative(self.spec, now, then, day, grid)
        ahead = outlook(self.spec, now.indicators, now.flags, now.stance, narrative.then, resolved, self.calendar,
                        snapshot.as_of)
        return Analysis(
            snapshot=resolved,
            indicators=now.indicators,
            flags=now.flags,
            stance=now.stance,
            thesis=evaluate_thesis(self.spec, resolved),
            narrative=narrative,
            acquired=snapshot,
            performance=grid,
            outlook=ahead,
        )
