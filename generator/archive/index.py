"""The archive index page (``ROOT/index.html``) and the rows of ``briefing list``.

The page is one self-contained file (inline CSS, no script, no network): every
briefing with links, a timeline of the stance and a heat-map of each flag's
state across briefings. It is regenerated after each briefing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.archive.lock import name_lock
from generator.archive.read import ArchivedBriefing, Problem, scan, source_kind
from generator.archive.write import Writer, write_atomic, write_file

INDEX_FILE = "index.html"


@dataclass(frozen=True)
class ListRow:
    """One archived briefing as ``briefing list`` and the index page show it."""

    date: str
    stance: str
    red: int
    amber: int
    green: int
    unknown: int
    source: str
    illustrative: bool
    revisions: int
    generated_at: str
    html: str | None
    pdf: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "date": self.date,
            "stance": self.stance,
            "flags": {"red": self.red, "amber": self.amber, "green": self.green, "unknown": self.unknown},
            "source": self.source,
            "illustrative": self.illustrative,
            "revisions": self.revisions,
            "generated_at": self.generated_at,
            "files": {k: v for k, v in (("html", self.html), ("pdf", self.pdf)) if v},
        }


def list_row(b: ArchivedBriefing) -> ListRow:
    states = [f.state for f in b.manifest.flags.values()]
    day = b.date.isoformat()
    return ListRow(
        date=day,
        stance=b.manifest.stance.label,
        red=states.count("red"),
        amber=states.count("amber"),
        green=states.count("green"),
        unknown=states.count("unknown"),
        source=source_kind(b.manifest),
        illustrative=b.manifest.source.illustrative,
        revisions=b.revisions,
        generated_at=b.manifest.generated_at.isoformat(),
        html=f"{day}/briefing.html" if (b.directory / "briefing.html").exists() else None,
        pdf=f"{day}/briefing.pdf" if (b.directory / "briefing.pdf").exists() else None,
    )


def list_rows(root: Path) -> tuple[list[ListRow], list[Problem]]:
    """Rows newest first, and the folders that could not be read."""
    good, bad = scan(root)
    return [list_row(b) for b in reversed(good)], bad


@dataclass(frozen=True)
class HeatRow:
    id: str
    label: str
    kind: str
    cells: list[str]  # state per briefing, oldest first; "" where the flag did not exist


def heat_map(briefings: list[ArchivedBriefing]) -> list[HeatRow]:
    """Each flag's state across ``briefings`` (oldest first); flags of the latest definition first."""
    order: dict[str, tuple[str, str]] = {}
    for b in reversed(briefings):
        for fid, f in b.manifest.flags.items():
            order.setdefault(fid, (f.label, f.kind))
    rows = []
    for fid, (label, kind) in order.items():
        cells = [b.manifest.flags[fid].state if fid in b.manifest.flags else "" for b in briefings]
        rows.append(HeatRow(fid, label, kind, cells))
    return rows


def index_rows(root: Path) -> tuple[list[ListRow], list[ListRow], list[HeatRow], list[Problem]]:
    """What the overview page shows: rows newest first, the timeline oldest first, the heat-map, problems."""
    good, bad = scan(root)
    return [list_row(b) for b in reversed(good)], [list_row(b) for b in good], heat_map(good), bad


def write_index(root: Path, page: str, writer: Writer = write_file) -> Path:
    """Write ``ROOT/index.html`` (rendered by :func:`generator.render.archive_page.render_index`) atomically."""
    path = Path(root) / INDEX_FILE
    with name_lock(Path(root), INDEX_FILE):  # its temporary file is a leftover only once nobody holds this
        write_atomic(path, page.encode("utf-8"), writer)
    return path
