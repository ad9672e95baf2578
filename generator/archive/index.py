"""The archive index page (``ROOT/index.html``) and the rows of ``briefing list``.

The page is one self-contained file (inline CSS, no script, no network): every
briefing with links, a timeline of the stance and a heat-map of each flag's
state across briefings. It is regenerated after each briefing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.archive.lock import name_lock
from generator.archive.read import ArchivedBriefing, Problem, scan, source_kind
from generator.archive.write import Writer, write_atomic, write_file
from generator.render.html import environment

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


def render_index(root: Path, now: datetime | None = None) -> str:
    good, bad = scan(root)
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            rows=[list_row(b) for b in reversed(good)],
            timeline=[list_row(b) for b in good],
            heat=heat_map(good),
            problems=bad,
            generated=(now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def write_index(root: Path, writer: Writer = write_file) -> Path:
    """Regenerate ``ROOT/index.html`` atomically; return its path."""
    path = Path(root) / INDEX_FILE
    page = render_index(Path(root)).encode("utf-8")
    with name_lock(Path(root), INDEX_FILE):  # its temporary file is a leftover only once nobody holds this
        write_atomic(path, page, writer)
    return path
