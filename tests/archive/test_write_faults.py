"""Faults while writing: a full disk, real (tmpfs) or simulated, leaves every earlier briefing intact."""

from __future__ import annotations

import errno
from datetime import date
from pathlib import Path

import pytest

from generator.archive.write import write_briefing, write_file
from generator.errors import OutputError
from generator.manifest import Manifest, read_manifest

DAY = date(2026, 11, 20)


def full_after(n: int):  # type: ignore[no-untyped-def]
    """A writer that writes ``n`` files, then fails as a full disk does (after writing part of the file)."""
    calls = {"n": 0}

    def writer(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > n:
            path.write_bytes(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        write_file(path, data)

    return writer


@pytest.fixture
def manifest(illustrative_briefing) -> Manifest:  # type: ignore[no-untyped-def]
    return read_manifest(illustrative_briefing.directory / "manifest.json")


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_disk_full_on_a_new_date_leaves_nothing(tmp_path: Path, manifest: Manifest) -> None:
    files = {"briefing.html": b"<html>new</html>", "snapshot.parquet": b"PAR1" * 1000}
    with pytest.raises(OutputError) as err:
        write_briefing(tmp_path, DAY, files, manifest, writer=full_after(1))
    assert (
        str(err.value)
        == f"cannot write briefing to {tmp_path / '2026-11-20'}: no space left on device; the archive is unchanged"
    )
    assert list(tmp_path.iterdir()) == []


def test_disk_full_during_force_keeps_the_existing_briefing(tmp_path: Path, manifest: Manifest) -> None:
    write_briefing(tmp_path, DAY, {"briefing.html": b"<html>first</html>"}, manifest)
    write_briefing(
        tmp_path,
        date(2026, 11, 13),
        {"briefing.html": b"<html>earlier</html>"},
        manifest.model_copy(update={"briefing_date": date(2026, 11, 13)}),
    )
    before = tree(tmp_path)
    with pytest.raises(OutputError, match="no space left on device; the archive is unchanged"):
        write_briefing(
            tmp_path, DAY, {"briefing.html": b"<html>second</html>"}, manifest, force=True, writer=full_after(1)
        )
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-13", "2026-11-20"]


def test_force_keeps_numbered_revisions(tmp_path: Path, manifest: Manifest) -> None:
    for text in (b"one", b"two", b"three"):
        write_briefing(tmp_path, DAY, {"briefing.html": text}, manifest, force=True)
    d = tmp_path / "2026-11-20"
    assert (d / "briefing.html").read_bytes() == b"three"
    assert (d / "revisions" / "1" / "briefing.html").read_bytes() == b"one"
    assert (d / "revisions" / "2" / "briefing.html").read_bytes() == b"two"
    assert not (d / "revisions" / "2" / "revisions").exists()
    with pytest.raises(OutputError, match="already exists: use --force"):
        write_briefing(tmp_path, DAY, {"briefing.html": b"four"}, manifest)



@pytest.mark.slow
def test_real_full_disk_fails_cleanly_and_keeps_the_archive(small_disk: Path) -> None:
    from generator import build_briefing

    first = build_briefing(date(2026, 11, 13), source="illustrative", formats=["html"], output_dir=small_disk)
    size = sum(p.stat().st_size for p in first.directory.iterdir())
    assert 1_000_000 < size < 1_900_000, size  # one briefing fits the 2 MiB disk, two do not
    before = tree(small_disk)
    with pytest.raises(OutputError, match=r"no space left on device; the archive is unchanged"):
        build_briefing(DAY, source="illustrative", formats=["html"], output_dir=small_disk)
    assert tree(small_disk) == before
    with pytest.raises(OutputError, match=r"no space left on device.*the existing briefing is kept as it was"):
        build_briefing(date(2026, 11, 13), source="illustrative", formats=["html"], output_dir=small_disk, force=True)
    assert tree(small_disk) == before
