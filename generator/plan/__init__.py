"""The report definition compiled into a checked plan, and the one executor that runs it.

``compile_plan(path)`` loads a definition (and what it includes), checks every
reference and parameter before any data is fetched, and returns a :class:`Plan`;
``plan.evaluate(snapshot)`` computes a briefing's content from a snapshot.
"""

from __future__ import annotations

from generator.model import SeriesRef
from generator.plan.compile import compile_loaded, compile_plan
from generator.plan.plan import Plan

__all__ = ["Plan", "SeriesRef", "compile_loaded", "compile_plan"]
