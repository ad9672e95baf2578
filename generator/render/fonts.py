"""The document font: DejaVu Sans as shipped inside matplotlib (a dependency), never the machine's fonts.

The PDF declares it with ``@font-face`` under a private family name, so layout
cannot silently fall back to whatever the system has: a font that fails to
load is a WeasyPrint warning, and warnings fail the tests. The PDF fetcher may
read files from this folder and nothing else.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

FAMILY = "Briefing Sans"
FALLBACK = '"DejaVu Sans", Verdana, "Segoe UI", system-ui, sans-serif'
_FACES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """matplotlib's bundled TrueType folder (``matplotlib.get_data_path()/fonts/ttf``).

    Found from the installed package without importing it: importing matplotlib
    costs 0.4 s, and the process laying out the PDF does not otherwise need it.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("matplotlib is not installed: its DejaVu Sans files are the briefing's font")
    return (Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf").resolve()


def font_faces(target: str) -> str:
    """``@font-face`` rules for ``target``: the shipped files for the PDF; local() names for the HTML.

    The HTML stays one self-contained file with no requests: it names the font
    and falls back to similar system fonts rather than embedding 700 kB of it.
    """
    rules = []
    for (weight, style), name in _FACES.items():
        path = font_dir() / name
        if target == "pdf":
            src = f'url("{path.as_uri()}") format("truetype")'
        else:
            local = "DejaVu Sans" + {"bold": " Bold"}.get(weight, "") + (" Oblique" if style == "italic" else "")
            src = f'local("{local}"), local("{name.removesuffix(".ttf")}")'
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: {style}; src: {src}; }}'
        )
        if target == "pdf":
            # Charts drawn elsewhere name "DejaVu Sans" in their SVG: in the PDF that name is the shipped file too.
            rules.append(
                f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; font-style: {style}; src: {src}; }}'
            )
    return "\n".join(rules)


def stack() -> str:
    """The CSS font-family value used everywhere, charts included."""
    return f'"{FAMILY}", {FALLBACK}'
