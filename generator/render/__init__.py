"""Rendering: the analysis as template context, then HTML (screen) and PDF (WeasyPrint)."""

from __future__ import annotations

from generator.render.context import BriefingContext, build_context
from generator.render.html import render_html
from generator.render.pdf import render_pdf

__all__ = ["BriefingContext", "build_context", "render_html", "render_pdf"]
