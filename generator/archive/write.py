"""Write a briefing into the archive, atomically: a temporary folder, then one rename.

An interrupted run (a crash, a full disk) leaves the archive as it was: every
file is written and flushed into a hidden staging folder beside the target,
and only a complete folder is renamed into place. A date that already exists is
never silently overwritten: it needs ``force``, and the previous version is
kept under ``revisions/N`` of the new folder.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from generator.errors import OutputError
from generator.manifest import MANIFEST_FILE, Manifest, manifest_bytes

REVISIONS = "revisions"

Writer = Callable[[Path, bytes], None]


def briefing_dir(root: Path, day: date) -> Path:
    return Path(root) / day.isoformat()


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
        Path(root).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {root}: {exc.strerror}") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise OutputError(f"output directory {root} is not writable")


def write_file(path: Path, data: bytes) -> None:
    """Write and flush ``data`` so that a later rename publishes complete bytes."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    return exc.strerror or str(exc)


def write_briefing(
    root: Path,
    day: date,
    files: Mapping[str, bytes],
    manifest: Manifest,
    force: bool = False,
    writer: Writer = write_file,
) -> tuple[Path, Manifest]:
    """Write ``files`` and ``manifest.json`` as ``root/DAY/``; return that folder and the manifest written.

    The manifest's ``files`` gets the SHA-256 of every other file. ``writer``
    writes one file; tests pass one that fails to simulate a full disk.
    """
    root = Path(root)
    target = check_target(root, day, force)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest = manifest.model_copy(update={"files": hashes})
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".tmp-{day.isoformat()}-", dir=root))
        staging.chmod(0o755)  # mkdtemp makes it private; the published folder should read like any other
    except OSError as exc:
        raise OutputError(f"cannot write in {root}: {_why(exc)}") from None
    try:
        for name, data in files.items():
            writer(staging / name, data)
        writer(staging / MANIFEST_FILE, manifest_bytes(manifest))
        _swap_in(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            f"cannot write briefing to {target}: {_why(exc)}; the archive is unchanged"
            + (" (the existing briefing is kept as it was)" if target.exists() else "")
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target, manifest


def write_atomic(path: Path, data: bytes, writer: Writer = write_file) -> None:
    """Replace one file atomically (temporary file in the same folder, then ``os.replace``)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp), data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the index is meant to be read
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_why(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    # Keep the old version: move it aside (atomic), move the new one in (atomic),
    # then file the old one, with its own revisions, under the new folder.
    aside = Path(tempfile.mkdtemp(prefix=f".old-{target.name}-", dir=target.parent))
    old = aside / "briefing"
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)  # put the old one back: the archive must stay as it was
        aside.rmdir()
        raise
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
