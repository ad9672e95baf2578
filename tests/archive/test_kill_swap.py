"""A run killed (SIGKILL, a real process) at every step of writing a briefing over an archived one.

After each kill the date must still name a complete briefing, old or new (with the atomic exchange, at
every instant; with two renames, once the next command has run), and the next command must finish or
roll back the swap, file the old version under revisions/, and remove every leftover, saying so in one line.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.archive.read import ArchivedBriefing, open_briefing
from generator.cli import main
from generator.manifest import read_manifest

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("kill_child.py")
REPO = Path(__file__).resolve().parents[2]
DAY = "2026-11-20"
LEFTOVER = (".tmp-", ".old-", ".swap-", ".lock-")


class Writer:
    """The helper process that forks one writing process per run (see kill_child.py)."""

    def __init__(self, manifest: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(manifest)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
        )

    def run(self, root: Path, version: int, kill_at: int, exchange: bool) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{root} {version} {kill_at} {1 if exchange else 0}\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(10)
        self.proc.stdout.close()


def version_of(folder: Path) -> int:
    """Which version a folder holds, after checking every file against its manifest (whole, not mixed)."""
    manifest = read_manifest(folder / "manifest.json")
    data = ArchivedBriefing(manifest.briefing_date, folder, manifest).verify()
    return data["briefing.pdf"][-1]


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_kill_at_every_step_of_a_forced_rewrite(tmp_path: Path, illustrative_briefing, capsys, exchange: bool) -> None:  # type: ignore[no-untyped-def]
    writer = Writer(illustrative_briefing.directory / "manifest.json")
    try:
        check_every_kill(writer, tmp_path, capsys, exchange)
    finally:
        writer.close()


def check_every_kill(writer: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str], exchange: bool) -> None:
    pristine = tmp_path / "pristine"
    assert writer.run(pristine, 1, 0, exchange).startswith("done ")
    assert writer.run(tmp_path / "count", 2, 0, exchange).startswith("done ")
    answer = writer.run(tmp_path / "count", 3, 0, exchange)  # over an archived one: every step
    assert answer.startswith("done "), answer
    total = int(answer.split()[1])
    assert total >= 12
    outcomes = []
    for kill_at in range(1, total + 1):
        root = tmp_path / f"k{kill_at}"
        shutil.copytree(pristine, root)
        assert writer.run(root, 2, kill_at, exchange) == "killed", kill_at
        if exchange:  # every instant: the date is a whole briefing, before any repair
            assert version_of(root / DAY) in (1, 2), kill_at
        left = sorted(p.name for p in root.iterdir() if p.name.startswith(LEFTOVER))

        assert main(["list", "--output", str(root)]) == 0
        out, err = capsys.readouterr()
        notes = [line for line in err.splitlines() if line.startswith("note: ")]
        assert err.splitlines() == notes
        if [n for n in left if not n.startswith(".lock-")]:
            assert len(notes) == 1 and notes[0].startswith(f"note: {DAY}: "), (kill_at, left, err)
        else:
            assert notes == [], (kill_at, err)
        assert [p.name for p in root.iterdir() if p.name.startswith(LEFTOVER)] == [], kill_at
        assert DAY in out
        version = version_of(root / DAY)
        revisions = sorted(p.name for p in (root / DAY / "revisions").iterdir()) if version == 2 else []
        if version == 2:
            assert revisions == ["1"], kill_at
            assert version_of(root / DAY / "revisions" / "1") == 1, kill_at
        else:
            assert not (root / DAY / "revisions").exists(), kill_at
        outcomes.append(version)
        assert main(["list", "--output", str(root)]) == 0  # nothing more to repair, nothing said
        assert "note:" not in capsys.readouterr().err
        shutil.rmtree(root)
    # Early kills keep the old version, late ones the new: both paths were exercised.
    assert outcomes[0] == 1 and outcomes[-1] == 2


def test_leftovers_of_the_previous_program_are_repaired(tmp_path: Path, illustrative_briefing, capsys) -> None:  # type: ignore[no-untyped-def]
    # Killed between the two renames of the earlier code: the date's folder was gone, the old one in
    # .old-DATE-*/briefing, the new one complete in .tmp-DATE-*.
    root = tmp_path / "out"
    root.mkdir()
    shutil.copytree(illustrative_briefing.directory, root / f".old-{DAY}-x1y2z3/briefing")
    shutil.copytree(illustrative_briefing.directory, root / f".tmp-{DAY}-a1b2c3")
    assert main(["list", "--output", str(root)]) == 0
    out, err = capsys.readouterr()
    assert DAY in out
    assert err.splitlines() == [
        f"note: {DAY}: restored the briefing from .old-{DAY}-x1y2z3; removed .tmp-{DAY}-a1b2c3, "
        "left unfinished by an interrupted run"
    ]
    assert sorted(p.name for p in root.iterdir()) == [DAY]
    assert open_briefing(root / DAY).verify()
