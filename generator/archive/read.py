"""Read the archive: which briefings exist, their validated manifests, their snapshots and definitions.

Every manifest is validated on read (:func:`generator.manifest.read_manifest`);
a damaged one is reported with its file and field, never half-trusted.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

from generator.archive.swap import recover
from generator.archive.write import REVISIONS, briefing_dir
from generator.errors import ArchiveError
from generator.manifest import MANIFEST_FILE, REPORT_FILE, Manifest, read_manifest
from generator.model import Snapshot
from generator.snapshot_io import SNAPSHOT_FILE, read_snapshot

log = logging.getLogger(__name__)

_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ArchivedBriefing:
    """One briefing folder with its validated manifest."""

    date: date
    directory: Path
    manifest: Manifest

    @property
    def revisions(self) -> int:
        folder = self.directory / REVISIONS
        return sum(1 for p in folder.iterdir() if p.name.isdigit()) if folder.is_dir() else 0

    @property
    def snapshot_path(self) -> Path:
        entry = self.manifest.snapshot
        return self.directory / (entry.file if entry else SNAPSHOT_FILE)

    @property
    def report_path(self) -> Path:
        return self.directory / (self.manifest.report_definition.file or REPORT_FILE)

    def read_verified(self, name: str) -> bytes:
        """The bytes of file ``name`` of this folder, checked against the SHA-256 the manifest recorded for it.

        A file the manifest does not list, a missing one, or one whose bytes changed since it was archived
        (cut short by a full disk, edited, swapped) is an :class:`ArchiveError` naming it: nothing may use it.
        """
        path = self.directory / name
        expected = self.manifest.files.get(name)
        if expected is None:
            raise ArchiveError(f"{path}: not recorded in manifest.json's files, so it cannot be checked")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ArchiveError(f"{path}: missing (manifest.json records it)") from None
        except OSError as exc:
            raise ArchiveError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        if hashlib.sha256(data).hexdigest() != expected:
            raise ArchiveError(
                f"{path}: damaged: its SHA-256 differs from the one manifest.json recorded for it "
                "(changed or cut short since it was archived)"
            )
        return data

    def verify(self, *names: str) -> dict[str, bytes]:
        """Check ``names`` (default: every file the manifest lists) as :meth:`read_verified` does; their bytes."""
        return {name: self.read_verified(name) for name in (names or sorted(self.manifest.files))}

    @cached_property
    def snapshot(self) -> Snapshot:
        """The data this briefing was computed from; :class:`ArchiveError` when missing or damaged."""
        if self.manifest.snapshot is None:
            raise ArchiveError(
                f"{self.directory / MANIFEST_FILE}: snapshot: this briefing was archived without a data snapshot "
                f"(manifest schema_version {self.manifest.schema_version})"
            )
        return read_snapshot(self.snapshot_path)


@dataclass(frozen=True)
class Problem:
    """An archive folder that could not be read, and why (``reason`` says it without quoting the file)."""

    directory: Path
    message: str
    reason: Literal["missing", "outside", "damaged"] = "damaged"


class OutsideArchive(ArchiveError):
    """A manifest that is not a regular file inside the archive (a link out of it, a device): never read."""


def _manifest_path(directory: Path) -> Path:
    """``directory/manifest.json``, if it is a regular file inside the archive (links resolved; the rule the
    web app's file endpoint applies), so that nothing outside the archive is ever read or quoted."""
    path = directory / MANIFEST_FILE
    if not path.exists() and not path.is_symlink():
        raise ArchiveError(f"{path}: manifest is missing")
    root = directory.parent.resolve()
    resolved = path.resolve()
    if not resolved.is_relative_to(root) or not resolved.is_file():
        raise OutsideArchive(f"{path}: not a file inside the archive (a link out of it, or not a regular file); not read")
    return path


def _dated_dirs(root: Path) -> list[tuple[date, Path]]:
    if not root.is_dir():
        return []
    recover(root)  # an interrupted replacement is finished or rolled back before the archive is read
    out = []
    for path in root.iterdir():
        if path.is_dir() and _DATE_DIR.match(path.name):
            try:
                out.append((date.fromisoformat(path.name), path))
            except ValueError:
                continue  # e.g. 2026-02-30: not one of ours
    return sorted(out)


def open_briefing(directory: Path, day: date | None = None) -> ArchivedBriefing:
    """Open one briefing folder; raise :class:`ArchiveError` when its manifest is missing or invalid."""
    manifest = read_manifest(_manifest_path(directory))
    day = day or date.fromisoformat(directory.name)
    if manifest.briefing_date != day:
        raise ArchiveError(
            f"{directory / MANIFEST_FILE}: briefing_date: {manifest.briefing_date} does not match its folder {day}"
        )
    return ArchivedBriefing(date=day, directory=directory, manifest=manifest)


def scan(root: Path) -> tuple[list[ArchivedBriefing], list[Problem]]:
    """Every readable briefing under ``root`` (oldest first) and every folder that could not be read."""
    good: list[ArchivedBriefing] = []
    bad: list[Problem] = []
    for day, path in _dated_dirs(Path(root)):
        try:
            good.append(open_briefing(path, day))
        except OutsideArchive as exc:
            bad.append(Problem(path, str(exc), "outside"))
        except ArchiveError as exc:
            missing = not (path / MANIFEST_FILE).exists() and not (path / MANIFEST_FILE).is_symlink()
            bad.append(Problem(path, str(exc), "missing" if missing else "damaged"))
    return good, bad


def dates(root: Path) -> list[date]:
    return [d for d, _ in _dated_dirs(Path(root))]


def find_briefing(root: Path, day: date) -> ArchivedBriefing:
    """The briefing of ``day``; an unknown date names the nearest archived ones."""
    path = briefing_dir(root, day)
    if Path(root).is_dir():
        recover(Path(root))
    if not path.is_dir():
        known = dates(root)
        if not known:
            raise ArchiveError(f"no briefing for {day}: the archive {root} is empty")
        before = [d for d in known if d < day]
        after = [d for d in known if d > day]
        near = ", ".join(str(d) for d in ([before[-1]] if before else []) + ([after[0]] if after else []))
        raise ArchiveError(f"no briefing for {day} in {root} (nearest: {near}); `briefing list` shows them all")
    return open_briefing(path, day)


def previous_briefing(root: Path, day: date) -> tuple[ArchivedBriefing | None, list[Problem]]:
    """The latest readable briefing dated before ``day``, and the damaged ones skipped on the way."""
    skipped: list[Problem] = []
    for d, path in reversed(_dated_dirs(Path(root))):
        if d >= day:
            continue
        try:
            return open_briefing(path, d), skipped
        except ArchiveError as exc:
            log.warning("%s", exc)
            skipped.append(Problem(path, str(exc)))
    return None, skipped


def source_kind(manifest: Manifest) -> str:
    """What kind of data a briefing used: 'live', 'store', 'csv', 'illustrative', or a mix such as 'live+store'."""
    kinds = {"yahoo": "live", "fred": "live", "alfred": "live", "fred-csv": "live"}
    used = {kinds.get(s.source, s.source) for s in manifest.series.values()}
    return "+".join(sorted(used)) or "none"
