"""Put a complete staged folder in place of an archived one so that no crash can lose either, and repair
what a killed run left.

Publishing a new date is one ``rename`` of the staged folder. Replacing a date
(``--force``) is more steps, each recorded first in a journal ``.swap-NAME.json``
(the staged folder, the name the old one may take aside, the SHA-256 of the new
manifest):

1. write and flush the journal;
2. swap the staged folder and the archived one in one step (Linux
   ``renameat2(RENAME_EXCHANGE)``): at every instant the date names a complete
   briefing, the old one or the new one. Where the system cannot swap, the old
   folder is renamed aside and the new one into place;
3. file the old folder under ``NAME/revisions/N`` (its own revisions first);
4. remove the journal.

A run killed at any step leaves enough to tell how far it got: the date's
manifest is the new one (its hash is in the journal) or not. The next command
that opens the archive (:func:`recover`) finishes the swap when the new
briefing is in place or complete, rolls it back otherwise, and removes what
interrupted runs left (unfinished ``.tmp-*`` folders, ``.old-*`` folders,
stale lock files), saying so in one line per name. Each name is repaired under
its lock (:mod:`generator.archive.lock`), which a running writer holds, so a
write in progress is never mistaken for a leftover.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import logging
import os
import secrets
import shutil
import sys
from pathlib import Path

from generator.archive.lock import LOCK_PREFIX, acquire, release
from generator.manifest import MANIFEST_FILE

log = logging.getLogger(__name__)

REVISIONS = "revisions"
STAGING_PREFIX = ".tmp-"
ASIDE_PREFIX = ".old-"
JOURNAL_PREFIX = ".swap-"
INDEX_TMP_PREFIX = ".index.html."
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

exchange_supported = sys.platform == "linux"  # tests turn it off to exercise the two-rename path


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (a crash of the machine, not only of the process)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step; ``False`` where the system or file system cannot."""
    if not exchange_supported:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        renameat2 = libc.renameat2
    except AttributeError:  # a C library older than glibc 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def journal_path(root: Path, name: str) -> Path:
    return root / f"{JOURNAL_PREFIX}{name}.json"


def write_journal(root: Path, name: str, staging: Path, aside: Path, manifest_sha256: str) -> Path:
    path = journal_path(root, name)
    entry = {"name": name, "staging": staging.name, "aside": aside.name, "manifest_sha256": manifest_sha256}
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(entry))
        handle.flush()
        os.fsync(handle.fileno())
    fsync_dir(root)
    return path


def file_revision(old: Path, target: Path) -> int:
    """Move the replaced folder ``old``, with its own revisions first, to ``target/revisions/N``; return N.

    Every step is a rename and the function can be run again after an interruption: it continues.
    """
    revisions = target / REVISIONS
    revisions.mkdir(exist_ok=True)
    older = old / REVISIONS
    if older.is_dir():
        for rev in sorted(older.iterdir()):
            if not (revisions / rev.name).exists():
                os.rename(rev, revisions / rev.name)
        shutil.rmtree(older)  # empty, or copies already filed by an interrupted earlier attempt
    number = 1 + max((int(p.name) for p in revisions.iterdir() if p.name.isdigit()), default=0)
    os.rename(old, revisions / str(number))
    fsync_dir(revisions)
    return number


def swap_in(root: Path, staging: Path, target: Path, manifest_sha256: str) -> None:
    """Publish the complete folder ``staging`` as ``target`` (see the module docstring). Call under the lock
    of ``target.name``. On ``OSError`` before the new folder is in place, the archive is as it was and
    ``staging`` is left to the caller; after it, the journal is left for :func:`recover` to finish."""
    if not target.exists():
        os.rename(staging, target)
        fsync_dir(root)
        return
    aside = root / f"{ASIDE_PREFIX}{target.name}-{secrets.token_hex(4)}"
    journal = write_journal(root, target.name, staging, aside, manifest_sha256)
    try:
        if exchange(staging, target):
            old = staging
        else:
            os.rename(target, aside)
            try:
                os.rename(staging, target)
            except OSError:
                os.rename(aside, target)  # put the old one back: the archive must stay as it was
                raise
            old = aside
        fsync_dir(root)
    except OSError:
        journal.unlink(missing_ok=True)
        raise
    file_revision(old, target)
    journal.unlink()
    fsync_dir(root)


# ---------------------------------------------------------------- repairing what killed runs left


def _key(entry: str) -> str | None:
    """The name a leftover belongs to: ``.tmp-2026-11-20-ab12cd34`` -> ``2026-11-20``."""
    for prefix in (STAGING_PREFIX, ASIDE_PREFIX):
        if entry.startswith(prefix) and "-" in entry[len(prefix) :]:
            return entry[len(prefix) :].rsplit("-", 1)[0]
    if entry.startswith(JOURNAL_PREFIX) and entry.endswith(".json"):
        return entry[len(JOURNAL_PREFIX) : -len(".json")]
    if entry.startswith(LOCK_PREFIX):
        return entry[len(LOCK_PREFIX) :]
    if entry.startswith(INDEX_TMP_PREFIX) and entry.endswith(".tmp"):
        return "index.html"
    return None


def leftovers(root: Path) -> dict[str, list[str]]:
    """What interrupted runs may have left in ``root``, by the name it belongs to."""
    try:
        entries = [p.name for p in Path(root).iterdir() if p.name.startswith(".")]
    except OSError:
        return {}
    found: dict[str, list[str]] = {}
    for entry in sorted(entries):
        key = _key(entry)
        if key:
            found.setdefault(key, []).append(entry)
    return found


def recover(root: Path) -> list[str]:
    """Finish or roll back interrupted swaps in ``root`` and remove leftovers; one line per name repaired.

    Names whose lock is held (a write in progress) are left alone, and so is an archive this process cannot
    write: nothing is changed then.
    """
    root = Path(root)
    notes: list[str] = []
    for name in leftovers(root):
        try:
            fd = acquire(root, name, timeout=0)
        except OSError:
            return notes  # read-only here: nothing can be repaired
        if fd is None:
            continue  # being written right now
        try:
            note = recover_name(root, name)
        except OSError as exc:
            note = f"could not repair what an interrupted run left for {name}: {exc.strerror or exc}"
        finally:
            release(root, name, fd)
        if note:
            log.warning("%s", note)
            notes.append(note)
    return notes


def recover_name(root: Path, name: str) -> str | None:
    """Repair ``name`` (call under its lock): the one-line account of what was done, or ``None``."""
    done: list[str] = []
    target = root / name
    journal = journal_path(root, name)
    if journal.exists():
        done.append(_replay(root, target, journal))
    for entry in sorted(p for p in root.iterdir() if p.name.startswith(f"{ASIDE_PREFIX}{name}-")):
        done.append(_file_aside(entry, target))
    for entry in sorted(p for p in root.iterdir() if _key(p.name) == name and p.name.startswith(STAGING_PREFIX)):
        shutil.rmtree(entry)
        done.append(f"removed {entry.name}, left unfinished by an interrupted run")
    for entry in sorted(p for p in root.iterdir() if _key(p.name) == name and p.name.startswith(INDEX_TMP_PREFIX)):
        entry.unlink()
        done.append(f"removed {entry.name}, left unfinished by an interrupted run")
    fsync_dir(root)
    return f"{name}: " + "; ".join(done) if done else None


def _replay(root: Path, target: Path, journal: Path) -> str:
    """Finish a swap whose new folder is in place or complete; roll back one that had not happened."""
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
        staging, aside, new_sha = root / entry["staging"], root / entry["aside"], entry["manifest_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        # Cut short while being written: the swap, which follows it, had not started.
        journal.unlink()
        return "rolled back an interrupted replacement (the briefing is as it was)"
    if not target.exists() and sha256_of(staging / MANIFEST_FILE) == new_sha:
        os.rename(staging, target)  # killed between the two renames: the new folder was complete
    if sha256_of(target / MANIFEST_FILE) == new_sha:
        old = next((p for p in (aside, staging) if p.exists()), None)
        number = file_revision(old, target) if old is not None else None
        journal.unlink()
        filed = f" (the previous version is {target.name}/{REVISIONS}/{number})" if number else ""
        return f"finished an interrupted replacement{filed}"
    if not target.exists() and aside.exists():
        os.rename(aside, target)
    journal.unlink()
    return "rolled back an interrupted replacement (the briefing is as it was)"


def _file_aside(entry: Path, target: Path) -> str:
    """An old version set aside by a run that died (or by an earlier version of this program, inside a
    ``briefing`` subfolder): back in place if the date is missing, else under its revisions."""
    folder = entry / "briefing" if (entry / "briefing").is_dir() else entry
    if not (folder / MANIFEST_FILE).exists() and not any(folder.iterdir()):
        shutil.rmtree(entry)
        return f"removed the empty {entry.name}"
    if not target.exists():
        os.rename(folder, target)
        what = f"restored the briefing from {entry.name}"
    else:
        number = file_revision(folder, target)
        what = f"filed the previous version kept in {entry.name} as {REVISIONS}/{number}"
    if entry.exists():
        shutil.rmtree(entry)
    return what
