"""Predicted pagination: what a part is told about the others, and the last pagination seen for each document
shape, kept between runs (in memory and, best effort, in a small JSON file in the user's cache folder).

Only the speed depends on these: a part laid out with wrong numbers is laid out again (``pdf_parts``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.render.pdf_split import Cut, Numbers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pagination:
    """How many pages each part has, and where its anchors that other parts link to are (page index in it)."""

    pages: tuple[int, ...]
    anchors: tuple[dict[str, int], ...]

    def numbers(self, cut: Cut, spans: Sequence[range], i: int) -> Numbers:
        """What part ``i`` must be told, if the parts have these pages."""
        owner = cut.owner
        part_of = {u: k for k, span in enumerate(spans) for u in span}
        refs = sorted({r for u in spans[i] for r in cut.units[u].refs if r in owner and part_of[owner[r]] != i})
        before, after = [], []
        for ref in refs:
            k = part_of[owner[ref]]
            local = self.anchors[k].get(ref)
            if local is None:  # its part has no box for it: left out, so WeasyPrint warns as in one pass
                continue
            if k < i:
                before.append((ref, sum(self.pages[:k]) + local + 1))
            else:
                after.append((ref, sum(self.pages[i + 1 : k]) + local + 1))
        return Numbers(sum(self.pages[:i]), sum(self.pages[i + 1 :]), tuple(before), tuple(after))


class PageHints:
    """The last pagination seen for each document shape, in memory and (best effort) in a small JSON file."""

    def __init__(self, path: Path | None = None, keep: int = 32) -> None:
        self.path = path
        self.keep = keep
        self._memory: dict[str, dict[str, Any]] = {}

    @classmethod
    def default(cls) -> PageHints:
        try:
            import platformdirs

            return cls(Path(platformdirs.user_cache_dir("macro-briefing", appauthor=False)) / "pdf-pages.json")
        except Exception:  # no cache folder to be had: keep them in memory
            return cls(None)

    def _load(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return self._memory
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return dict(self._memory)

    def get(self, key: str) -> Pagination | None:
        entry = self._load().get(key)
        try:
            return Pagination(tuple(int(n) for n in entry["pages"]),  # type: ignore[index]
                              tuple({str(k): int(v) for k, v in a.items()} for a in entry["anchors"]))  # type: ignore[index]
        except (TypeError, KeyError, ValueError, AttributeError):
            return None

    def put(self, key: str, pagination: Pagination) -> None:
        data = self._load()
        data.pop(key, None)
        data[key] = {"pages": list(pagination.pages), "anchors": [dict(a) for a in pagination.anchors]}
        while len(data) > self.keep:
            data.pop(next(iter(data)))
        self._memory = data
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, prefix=".pdf-pages-", delete=False,
                                             encoding="utf-8") as tmp:
                json.dump(data, tmp)
            os.replace(tmp.name, self.path)
        except OSError as exc:  # a read-only or full cache folder only costs speed
            log.debug("page hints not saved: %s", exc)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp.name)


def shape_key(cut: Cut, spans: Sequence[range]) -> str:
    title = next((t.text or "" for t in cut.root.iter("title")), "")
    units = [f"{u.element.tag}#{u.element.get('id', '')}.{u.element.get('class', '')}" for u in cut.units]
    text = json.dumps([title, units, [[s.start, s.stop] for s in spans]])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


