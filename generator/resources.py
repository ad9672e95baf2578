"""Where the files that ship with the package are: the templates and the bundled report definitions.

In a checkout (and an editable install) they are the top-level ``templates/``
and ``reports/`` folders; in an installed wheel the same folders sit inside the
package (``generator/templates``, ``generator/reports``: pyproject.toml maps
them there). Either way they are found from this file, never from the working
folder, so ``briefing`` works from any directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _folder(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the package's {name}/ folder is missing (a broken install?)")


def templates_dir() -> Path:
    """The Jinja templates and stylesheets."""
    return _folder("templates")


def reports_dir() -> Path:
    """The report definitions that ship with the package (the default report and its series catalogue)."""
    return _folder("reports")
