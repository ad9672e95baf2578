"""A re-run of send or weekly on an archive it cannot write (read-only, or another user's): one line, exit 4,
nothing sent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from deliver_helpers import write_config

from generator.cli import main

REPO = Path(__file__).resolve().parents[2]
ONE_CHART = 'charts = ["core_cpi"]'


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A read-only bind mount of ``tmp_path/rw`` at ``tmp_path/ro`` (needs root and mount permission)."""
    rw, ro = tmp_path / "rw", tmp_path / "ro"
    rw.mkdir()
    ro.mkdir()
    if subprocess.run(["mount", "--bind", str(rw), str(ro)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        yield rw
    finally:
        if subprocess.run(["umount", str(ro)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(ro)], check=False)


def test_rerun_on_a_read_only_archive(archive: Path, smtp_server, config_for, read_only: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, email=ONE_CHART).path
    shutil.copytree(archive, read_only / "output")
    first = ["--date", "2026-11-20", "--output", str(read_only / "output"), "--config", str(config)]
    assert main(["send", *first, "--to", "pm@example.com"]) == 0  # the first run, while it was writable
    capsys.readouterr()
    ro = read_only.parent / "ro" / "output"
    ledger = ro / "2026-11-20" / "delivery"
    for command in (["send"], ["weekly"], ["send", "--dry-run"]):
        code = main([*command, "--date", "2026-11-20", "--output", str(ro), "--config", str(config)])
        _, err = capsys.readouterr()
        assert code == 4, (command, err)
        line = err.strip().splitlines()[-1]
        assert "Traceback" not in err and line.startswith("error: ") and "Read-only file system" in line, err
        assert str(ledger) in line or str(ledger / "dry-run") in line, line
    assert [r.rcpt_tos for r in smtp_server.received] == [["pm@example.com"]]


def test_rerun_by_another_user(archive: Path, smtp_server, capsys) -> None:  # type: ignore[no-untyped-def]
    shared = Path(tempfile.mkdtemp(prefix="briefing-foreign-", dir="/tmp"))  # a place another user can reach
    try:
        shared.chmod(0o755)
        config = write_config(shared, smtp_server.port, email=ONE_CHART)
        config.chmod(0o644)
        shutil.copytree(archive, shared / "output")
        base = ["--date", "2026-11-20", "--output", str(shared / "output"), "--config", str(config)]
        assert main(["send", *base, "--to", "pm@example.com"]) == 0  # the owner's run
        capsys.readouterr()
        for command in (["send"], ["weekly"]):
            done = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "generator.cli",
                 *command, *base],
                cwd=REPO, capture_output=True, text=True, timeout=120,
                env={"PATH": os.environ["PATH"], "HOME": str(shared)},
            )  # fmt: skip
            if "setpriv" in done.stderr and done.returncode not in (4,):
                pytest.skip(f"cannot run as another user here: {done.stderr.strip()}")
            assert done.returncode == 4, done.stderr
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
            assert lines[0] == (
                f"error: cannot write the send ledger in {shared / 'output' / '2026-11-20' / 'delivery'}: "
                "Permission denied"
            )
        assert [r.rcpt_tos for r in smtp_server.received] == [["pm@example.com"]]
    finally:
        shutil.rmtree(shared)


def test_dry_run_on_a_full_disk_leaves_no_message_file(archive: Path, smtp_server, config_for, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    delivery = archive / "2026-11-20" / "delivery"
    delivery.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(delivery)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with open(delivery / "filler", "wb") as handle:  # leave about 100 KB: less than one message
            handle.write(b"\0" * (512 - 100) * 1024)
        config = config_for(smtp_server.port, email=ONE_CHART).path
        code = main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(config), "--dry-run"])
        _, err = capsys.readouterr()
        assert code == 4
        assert err.strip().splitlines()[-1].startswith(f"error: cannot write {delivery / 'dry-run'}")
        assert err.strip().splitlines()[-1].endswith(": no space left on device")
        assert sorted(p.name for p in delivery.rglob("*")) == ["dry-run", "filler"]  # no .eml, whole or empty
    finally:
        if subprocess.run(["umount", str(delivery)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(delivery)], check=False)
