"""The archive's overview page (``index.html``): every briefing, the stance timeline, the flags' heat-map.

Rendered from rows the archive reads (:mod:`generator.archive.index`) and written by it; this module only
fills the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from generator.render.html import environment


def render_index(
    rows: Sequence[Any], timeline: Sequence[Any], heat: Sequence[Any], problems: Sequence[Any],
    now: datetime | None = None,
) -> str:
    """The page: ``rows`` newest first, ``timeline`` oldest first, the flags' ``heat`` map, unreadable briefings."""
    return environment().get_template("index.html.j2").render(
        rows=list(rows), timeline=list(timeline), heat=list(heat), problems=list(problems),
        generated=(now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
    )
