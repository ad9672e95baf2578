"""Edited copies of the production definition, for the tests that check how it loads.

The definition names its series catalogue and its calendar by relative paths,
so a copy written elsewhere gets them beside it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

REPORTS = Path(__file__).resolve().parents[1] / "reports"
REPORT = REPORTS / "small_cap_rotation.toml"


def report_copy(folder: Path, edit: Callable[[str], str] = lambda text: text, name: str = "r.toml") -> Path:
    """Write ``edit(production definition)`` to ``folder/name`` with the catalogue beside it; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    for beside in ("series.toml", "calendar.toml"):  # what the definition names by relative path
        shutil.copy(REPORTS / beside, folder / beside)
    path = folder / name
    path.write_text(edit(REPORT.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def replaced(old: str, new: str) -> Callable[[str], str]:
    """An edit replacing the first ``old`` (which must be there) with ``new``."""

    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit
