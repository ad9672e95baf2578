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


def test_two_writers_of_one_date_one_publishes_the_other_is_refused(tmp_path: Path, manifest: Manifest) -> None:
    # A is held inside its write (after its check that the date is free) until B has finished or 2 s passed.
    import threading

    a_writing, b_finished = threading.Event(), threading.Event()
    results: dict[str, str] = {}

    def held(path: Path, data: bytes) -> None:
        a_writing.set()
        b_finished.wait(2)
        write_file(path, data)

    def run(name: str, writer) -> None:  # type: ignore[no-untyped-def]
        try:
            write_briefing(tmp_path, DAY, {"briefing.html": name.encode()}, manifest, writer=writer)
            results[name] = "published"
        except OutputError as exc:
            results[name] = str(exc)
        finally:
            if name == "B":
                b_finished.set()

    a = threading.Thread(target=run, args=("A", held))
    a.start()
    assert a_writing.wait(10)
    b = threading.Thread(target=run, args=("B", write_file))
    b.start()
    a.join(20)
    b.join(20)
    assert results == {
        "A": "published",
        "B": f"{tmp_path / '2026-11-20'} already exists: use --force to replace it (the old one is kept as a revision)",
    }
    assert (tmp_path / "2026-11-20" / "briefing.html").read_bytes() == b"A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-20"]  # no revision, no lock file, no leftover
    assert not (tmp_path / "2026-11-20" / "revisions").exists()


@pytest.mark.slow
def test_two_generate_processes_for_one_date(tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "generator.cli", "generate", "--date", "2026-11-20", "--source", "illustrative"]
    command += ["--format", "html", "--output", str(tmp_path / "out"), "--quiet"]
    procs = [subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    done = sorted((p.wait(120), *p.communicate()) for p in procs)
    (ok, out, _), (refused, _, err) = done
    assert (ok, refused) == (0, 4), done
    assert out.strip() == str(tmp_path / "out" / "2026-11-20")
    assert err.splitlines() == [
        f"error: {tmp_path / 'out' / '2026-11-20'} already exists: use --force to replace it "
        "(the old one is kept as a revision)"
    ]
    assert not (tmp_path / "out" / "2026-11-20" / "revisions").exists()
