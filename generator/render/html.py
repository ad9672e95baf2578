"""Fill the Jinja templates. Autoescape is on and undefined names are errors."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.render.context import BriefingContext

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
Target = Literal["html", "pdf"]


def _num(value: float | None, decimals: int = 1) -> str:
    return "no data" if value is None else f"{value:,.{decimals}f}"


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
    return env


def render_html(context: BriefingContext, target: Target = "html", templates_dir: Path = TEMPLATES_DIR) -> str:
    """The briefing as one self-contained HTML document for ``target``."""
    return environment(templates_dir).get_template("briefing.html.j2").render(c=context, target=target)
