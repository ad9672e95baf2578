"""Write a briefing into the archive, atomically: a temporary folder, then one rename.

An interrupted run (a crash, a full disk) leaves the archive as it was: every
file is written and flushed into a hidden staging folder beside the target,
and only a complete folder is renamed into place (:mod:`generator.archive.swap`,
which also repairs what a killed run left). A date that already exists is
never silently overwritten: it needs ``force``, and the previous version is
kept under ``revisions/N`` of the new folder. The date's lock is held from the
check that it is free to the rename, so two runs for one date cannot both
publish it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from generator.archive.lock import name_lock
from generator.archive.swap import REVISIONS, STAGING_PREFIX, recover, recover_name, sha256_of, swap_in
from generator.errors import OutputError
from generator.manifest import MANIFEST_FILE, Manifest, manifest_bytes

__all__ = [
    "REVISIONS",
    "Writer",
    "briefing_dir",
    "check_new_folder",
    "check_target",
    "prepare_root",
    "write_briefing",
    "write_file",
    "write_new_folder",
]

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
    """Create the archive root if needed, check it is writable, and repair what interrupted runs left."""
    try:
        Path(root).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {root}: {exc.strerror}") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise OutputError(f"output directory {root} is not writable")
    recover(Path(root))


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
    prepare_root(root)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest = manifest.model_copy(update={"files": hashes})
    body = manifest_bytes(manifest)
    with name_lock(root, day.isoformat()):
        recover_name(root, day.isoformat())  # what a killed run left for this date, before looking at it
        target = check_target(root, day, force)  # under the lock: nobody publishes the date between check and rename
        publish_folder(root, target, {**files, MANIFEST_FILE: body}, writer)
    return target, manifest


def publish_folder(
    root: Path, target: Path, files: Mapping[str, bytes], writer: Writer = write_file, replace: bool = True
) -> None:
    """Write ``files`` into a staging folder beside ``target`` and swap it in (call under ``target``'s lock).

    ``replace=False``: ``target`` must be missing or an empty folder, which the staged one takes the place of.
    """
    existed = target.exists()
    try:
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{target.name}-", dir=root))
        staging.chmod(0o755)  # mkdtemp makes it private; the published folder should read like any other
    except OSError as exc:
        raise OutputError(f"cannot write in {root}: {_why(exc)}") from None
    try:
        for name, data in files.items():
            writer(staging / name, data)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            f"cannot write briefing to {target}: {_why(exc)}; the archive is unchanged"
            + (" (the existing briefing is kept as it was)" if existed else "")
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    new_sha = sha256_of(staging / MANIFEST_FILE) or ""
    try:
        if replace:
            swap_in(root, staging, target, new_sha)
        else:
            os.rename(staging, target)  # over an empty folder at most: anything in it refuses the rename
    except OSError as exc:
        if sha256_of(target / MANIFEST_FILE) == new_sha:
            raise OutputError(
                f"{target} was written, but the previous version could not yet be filed under {REVISIONS}/ "
                f"({_why(exc)}); the next command that opens the archive files it"
            ) from None
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            f"cannot write briefing to {target}: {_why(exc)}; the archive is unchanged"
            + (" (the existing briefing is kept as it was)" if existed else "")
        ) from None


def write_atomic(path: Path, data: bytes, writer: Writer = write_file) -> None:
    """Replace one file atomically (temporary file in the same folder, then ``os.replace``)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_why(exc)}") from None
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


# ---------------------------------------------------------------- a folder of its own (re-render)

_DATE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_archive(folder: Path, depth: int = 1) -> bool:
    """An archive root: it has the index page or a dated folder holding a manifest; or (``depth``) it holds
    such roots, one per report (``output/<report-id>/YYYY-MM-DD/``)."""
    try:
        if (folder / "index.html").is_file():
            return True
        children = [p for p in folder.iterdir() if p.is_dir()]
    except OSError:
        return False
    if any(_DATE_NAME.match(p.name) and (p / MANIFEST_FILE).is_file() for p in children):
        return True
    return depth > 0 and any(_is_archive(p, depth - 1) for p in children if not _DATE_NAME.match(p.name))


def check_new_folder(target: Path, archive: Path) -> None:
    """Refuse a folder for a copy of a briefing (a re-render) that is inside an archive or not new.

    Allowed: a folder that does not exist or is empty, neither an archive root nor inside an archived
    briefing (``archive`` is the root the briefing comes from; others are recognised by their contents),
    nor a dated folder of an archive, where it would pass for a briefing of that date.
    """
    resolved = Path(target).resolve()
    archive = Path(archive).resolve()
    why = None
    for folder in (resolved, *resolved.parents):
        if _DATE_NAME.match(folder.name) and (folder / MANIFEST_FILE).is_file():
            why = f"is inside the archived briefing {Path(target) if folder == resolved else folder}"
            break
    if why is None and (resolved == archive or _is_archive(resolved)):
        why = "is an archive"
    elif why is None and _DATE_NAME.match(resolved.name) and (resolved.parent == archive or _is_archive(resolved.parent)):
        why = f"would look like an archived briefing of {Path(target).parent}"
    elif why is None and resolved.is_file():
        why = "is a file"
    elif why is None and resolved.is_dir() and any(resolved.iterdir()):
        why = "is not empty"
    if why is not None:
        raise OutputError(f"{target} {why}: re-render into a new folder, or an empty one, outside any archive")


def write_new_folder(target: Path, archive: Path, files: Mapping[str, bytes], writer: Writer = write_file) -> None:
    """Write ``files`` as the new folder ``target`` the way a briefing is written: staged beside it, then one
    rename; the folder is checked again under its lock (:func:`check_new_folder`)."""
    target = Path(target)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {parent}: {_why(exc)}") from None
    with name_lock(parent, target.name):
        recover_name(parent, target.name)  # what a killed re-render into the same folder left
        check_new_folder(target, archive)
        publish_folder(parent, target, files, writer, replace=False)
