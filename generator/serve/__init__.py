"""The web app over the archive (``briefing serve``), a top stage beside delivery.

``app`` (routes and pages), ``jobs`` (on-demand generation in a background
thread, one at a time, rate-limited) and ``security`` (loopback by default,
access token, host and origin checks, response headers). Nothing below imports it.
"""

from __future__ import annotations

from generator.serve.app import create_app
from generator.serve.jobs import pipeline_build

__all__ = ["create_app", "pipeline_build"]
