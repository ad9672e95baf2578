"""Fill the Jinja templates. Autoescape is on and undefined names are errors."""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.charts.style import FONT
from generator.render.context import BriefingContext
from generator.render.fonts import FAMILY, font_faces, stack
from generator.resources import templates_dir

TEMPLATES_DIR = templates_dir()
Target = Literal["html", "pdf"]


def _num(value: float | None, decimals: int = 1) -> str:
    return "no data" if value is None else f"{value:,.{decimals}f}"


_UNIT_AFTER_NUMBER = re.compile(r"(?<=\d) (?=(?:bp|pp|points?|days?|months?|years?|percentile|index points)\b)")


def _keep_units(text: str) -> str:
    """A number and its unit never part at a line end: '-48 bp' keeps a no-break space."""
    return _UNIT_AFTER_NUMBER.sub("\u00a0", text)


def _svg_for_pdf(svg: str) -> str:
    # Charts name DejaVu Sans; in the PDF they must use the same shipped file as the text.
    return svg.replace(f"'{FONT}'", f"'{FAMILY}'")


@lru_cache(maxsize=4)
def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "css"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["b64"] = lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii")
    env.filters["pdf_svg"] = _svg_for_pdf
    env.filters["units"] = _keep_units
    return env


def render_html(context: BriefingContext, target: Target = "html", templates_dir: Path = TEMPLATES_DIR) -> str:
    """The briefing as one self-contained HTML document for ``target``."""
    template = environment(templates_dir).get_template("briefing.html.j2")
    return template.render(c=context, target=target, font_faces=font_faces(target), font_stack=stack())
