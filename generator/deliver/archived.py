"""An archived briefing as delivery sees it: its files, its manifest, its charts, and whether it is safe to send.

Delivery works from the archive folder alone (``output/YYYY-MM-DD/``), never from
a fresh computation, so that what is emailed is exactly what was archived. The
charts are read back from ``briefing.html``: each is an inline ``<svg>`` inside
``<figure class="chart" id="chart-ID">`` with a ``<figcaption>`` title and an
``aria-label`` (or ``alt``) description.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from generator.archive import find_briefing
from generator.errors import ArchiveError, SpecError, UnsafeToSend
from generator.spec import LoadedSpec, load_spec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchivedChart:
    id: str
    title: str
    alt: str
    svg: str
    source_line: str


@dataclass(frozen=True)
class ArchivedBriefing:
    """The files of one archived briefing, read once."""

    date: date
    directory: Path
    manifest: dict[str, Any]
    html: str
    pdf: bytes
    charts: list[ArchivedChart]
    disclaimer: str
    report_copy: Path | None = None

    @property
    def title(self) -> str:
        return str(self.manifest.get("report_definition", {}).get("title") or "Macro briefing")

    @property
    def illustrative(self) -> bool:
        source = self.manifest.get("source", {})
        series = self.manifest.get("series", {})
        return bool(source.get("illustrative")) or any(s.get("source") == "illustrative" for s in series.values())

    @property
    def stance(self) -> str:
        return str(self.manifest.get("stance", {}).get("label", "unknown"))


class _ChartParser(HTMLParser):
    """Collects ``figure.chart`` blocks (id, caption, description, raw SVG, source line) and the disclaimer."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self._line_starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self.charts: list[ArchivedChart] = []
        self.disclaimer = ""
        self._figure: dict[str, str] | None = None
        self._capture: str | None = None  # which text field is being collected
        self._svg_start: int | None = None
        self._svg_depth = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "figure" and "chart" in classes and a.get("id", "").startswith("chart-"):
            self._figure = {
                "id": a["id"].removeprefix("chart-"),
                "title": "",
                "caption": "",
                "alt": "",
                "svg": "",
                "source": "",
            }
        elif self._figure is not None:
            if tag == "svg":
                if self._svg_depth == 0:
                    self._svg_start = self._offset()
                self._svg_depth += 1
            elif tag == "figcaption":
                self._capture = "caption"
            elif "chart-title" in classes:
                # The caption also holds the chart's number ("Chart 1.1") and subtitle: the title is its own span.
                self._capture = "title"
            elif "chart-source" in classes:
                self._capture = "source"
            if not self._figure["alt"] and (a.get("aria-label") or (tag == "img" and a.get("alt"))):
                self._figure["alt"] = a.get("aria-label") or a.get("alt", "")
        elif tag == "p" and "disclaimer" in classes:
            self._capture = "disclaimer"

    def handle_endtag(self, tag: str) -> None:
        if self._figure is not None and tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
            if self._svg_depth == 0 and self._svg_start is not None:
                end = self.text.index(">", self._offset()) + 1
                self._figure["svg"] = self.text[self._svg_start : end]
        elif tag in ("figcaption", "p"):
            self._capture = None
        elif tag == "span" and self._capture == "title":
            self._capture = "caption"
        elif tag == "figure" and self._figure is not None:
            f = self._figure
            if f["svg"]:
                title = " ".join((f["title"] or f["caption"]).split())
                alt = " ".join(f["alt"].split()) or title
                self.charts.append(ArchivedChart(f["id"], title, alt, f["svg"], " ".join(f["source"].split())))
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._capture == "disclaimer":
            self.disclaimer += data
        elif self._capture and self._figure is not None and not self._svg_depth:
            self._figure[self._capture] += data
            if self._capture == "title":
                self._figure["caption"] += data


def parse_charts(html: str) -> tuple[list[ArchivedChart], str]:
    """The charts of an archived ``briefing.html``, in document order, and its disclaimer text."""
    parser = _ChartParser(html)
    parser.feed(html)
    parser.close()
    return parser.charts, " ".join(parser.disclaimer.split())


def open_briefing(root: Path, day: date) -> ArchivedBriefing:
    """Read ``root/DAY/`` through the archive (manifest validated); it must hold the HTML and the PDF."""
    archived = find_briefing(Path(root), day)  # ArchiveError: unknown date, damaged manifest
    folder = archived.directory
    missing = [n for n in ("briefing.html", "briefing.pdf") if not (folder / n).is_file()]
    if missing:
        raise ArchiveError(
            f"{folder} lacks {', '.join(missing)}: the email needs the HTML and the PDF "
            f"(rebuild with `briefing generate --date {day} --force`)"
        )
    # Every file is checked against the manifest before anything is composed: a damaged PDF is never sent.
    files = archived.verify()
    for name in ("briefing.html", "briefing.pdf"):
        if name not in files:
            files[name] = archived.read_verified(name)
    html = files["briefing.html"].decode("utf-8")
    charts, disclaimer = parse_charts(html)
    report = archived.report_path
    return ArchivedBriefing(
        date=day,
        directory=folder,
        manifest=archived.manifest.model_dump(mode="json"),
        html=html,
        pdf=files["briefing.pdf"],
        charts=charts,
        disclaimer=disclaimer,
        report_copy=report if report.is_file() else None,
    )


def archived_definition(briefing: ArchivedBriefing) -> LoadedSpec | None:
    """The definition the briefing was built with: the copy archived beside the manifest; for an older
    briefing without one, the file the manifest names if its hash still matches. ``None`` when unknown."""
    ref = briefing.manifest.get("report_definition", {})
    candidates = [briefing.report_copy] if briefing.report_copy else []
    candidates.append(Path(ref.get("path", "")))
    for path in candidates:
        try:
            loaded = load_spec(path)
        except SpecError:
            continue
        if loaded.sha256 == ref.get("sha256"):
            return loaded
        log.info("report definition %s differs from the one the briefing was built with", path)
    return None


def _required_series(briefing: ArchivedBriefing) -> set[str] | None:
    """Which series are required (``None``: unknown, then every stale series counts)."""
    loaded = archived_definition(briefing)
    return None if loaded is None else {sid for sid, s in loaded.spec.series.items() if s.required}


def data_problems(briefing: ArchivedBriefing) -> list[str]:
    """Required series that are stale or missing, as readable lines (empty when the data are fresh)."""
    manifest = briefing.manifest
    required = _required_series(briefing)
    problems = []
    for sid, s in sorted(manifest.get("series", {}).items()):
        if s.get("stale") and (required is None or sid in required):
            problems.append(f"{sid} is stale (last observation {s.get('last')})")
    for note in manifest.get("data_quality", []):
        if note.get("level") == "error":
            problems.append(f"{note.get('series')}: {note.get('message')}")
    return problems


def check_sendable(briefing: ArchivedBriefing, allow_illustrative: bool, allow_stale: bool) -> list[str]:
    """Refuse (``UnsafeToSend``) unless the data are real and fresh or overridden; return the overridden problems."""
    overridden: list[str] = []
    if briefing.illustrative:
        if not allow_illustrative:
            raise UnsafeToSend(
                f"the {briefing.date} briefing is built on illustrative data (not market data): "
                "refusing to email it; pass --allow-illustrative to send it anyway, marked as such"
            )
        overridden.append("built on illustrative data")
    problems = data_problems(briefing)
    if problems:
        if not allow_stale:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            raise UnsafeToSend(
                f"the {briefing.date} briefing has required series stale or missing beyond their limits: {shown}; "
                "pass --allow-stale to send it anyway"
            )
        overridden.extend(problems)
    return overridden
