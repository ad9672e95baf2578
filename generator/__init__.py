"""macro-briefing: dated macro-strategy briefings on the US small-cap rotation.

The Python API::

    from generator import build_briefing
    result = build_briefing(source="illustrative", output_dir="output")
    result.manifest["stance"]["label"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.version import __version__

if TYPE_CHECKING:
    from generator.pipeline import BriefingResult, build_briefing

__all__ = ["BriefingResult", "__version__", "build_briefing"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `import generator` (e.g. for `briefing --help`) stays fast.
    if name in ("build_briefing", "BriefingResult"):
        from generator import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
