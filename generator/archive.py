"""Write a briefing into the archive, atomically: a temporary folder, then one rename.

An interrupted run leaves the archive as it was. A date that already exists is
never silently overwritten: it needs ``force``, and the previous version is kept
under ``revisions/N`` of the new folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from generator.errors import OutputError

REVISIONS = "revisions"


def briefing_dir(root: Path, day: date) -> Path:
    return root / day.isoformat()


def check_target(root: Path, day: date, force: bool) -> Path:
    """Fail fast, before any work: the root must be writable and the date free unless ``force``."""
    prepare_root(root)
    target = briefing_dir(root, day)
    if target.exists() and not force:
        raise OutputError(f"{target} already exists: use --force to replace it (the old one is kept as a revision)")
    return target


def prepare_root(root: Path) -> None:
    """Create the archive root if needed and check it is writable."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {root}: {exc.strerror}") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise OutputError(f"output directory {root} is not writable")


def write_briefing(
    root: Path, day: date, files: Mapping[str, bytes], manifest: dict[str, Any], force: bool = False
) -> tuple[Path, dict[str, Any]]:
    """Write ``files`` and ``manifest.json`` as ``root/DAY/``; return that folder and the manifest written."""
    root = Path(root)
    target = check_target(root, day, force)
    manifest = {**manifest, "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".tmp-{day.isoformat()}-", dir=root))
    except OSError as exc:
        raise OutputError(f"cannot write in {root}: {exc.strerror}") from None
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        _swap_in(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write briefing to {target}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target, manifest


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    # Keep the old version: move it aside (atomic), move the new one in (atomic),
    # then file the old one, with its own revisions, under the new folder.
    aside = Path(tempfile.mkdtemp(prefix=f".old-{target.name}-", dir=target.parent))
    old = aside / "briefing"
    os.rename(target, old)
    os.rename(staging, target)
    revisions = target / REVISIONS
    revisions.mkdir(exist_ok=True)
    older = old / REVISIONS
    if older.exists():
        for rev in sorted(older.iterdir()):
            os.rename(rev, revisions / rev.name)
        older.rmdir()
    number = 1 + max((int(p.name) for p in revisions.iterdir() if p.name.isdigit()), default=0)
    os.rename(old, revisions / str(number))
    aside.rmdir()
