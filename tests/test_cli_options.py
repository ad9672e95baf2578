"""Option values that used to be taken as they came: an empty --output, a port in use, a negative interval,
an unchecked --report, too many workers, listing an archive that does not exist."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from cli_errors import one_error

from generator.cli import main


@pytest.mark.parametrize(
    "command",
    [
        ["generate", "--source", "illustrative"],
        ["list"],
        ["send"],
        ["weekly"],
        ["backfill", "--from", "2026-11-13", "--to", "2026-11-20"],
        ["history", "vix"],
        ["rerender", "2026-11-20"],
        ["serve"],
        ["doctor", "--offline"],
    ],
)
def test_an_empty_output_is_refused(capsys, tmp_path: Path, monkeypatch, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    code, line = one_error(capsys, *command, "--output", "")
    assert (code, line) == (2, "error: --output is empty: name the archive folder (default: output)")
    assert list(tmp_path.iterdir()) == []  # nothing written into the current folder


def test_serve_refuses_a_port_in_use_in_one_line(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, line = one_error(capsys, "serve", "--port", str(port), "--output", str(tmp_path / "out"))
    assert (code, line) == (
        2, f"error: --port {port}: 127.0.0.1:{port} is already in use (another `briefing serve`?): choose another port"
    )  # fmt: skip


def test_serve_refuses_a_negative_interval_and_a_broken_report_at_once(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, line = one_error(capsys, "serve", "--generate-interval", "-1", "--output", str(tmp_path / "out"))
    assert (code, line) == (2, "error: --generate-interval -1.0: expected 0 or more seconds between two builds")
    code, line = one_error(capsys, "serve", "--report", str(tmp_path / "none.toml"), "--output", str(tmp_path / "out"))
    assert code == 2 and line.startswith(f"error: {tmp_path / 'none.toml'}: report definition not found")


def test_backfill_workers_have_an_upper_bound(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    limit = 2 * len(os.sched_getaffinity(0))
    args = ["backfill", "--from", "2026-11-13", "--to", "2026-11-20", "--output", str(tmp_path / "out")]
    code, line = one_error(capsys, *args, "--workers", str(limit + 1))
    assert (code, line) == (
        2, f"error: --workers {limit + 1}: at most {limit} (twice the {limit // 2} CPU core(s) here); "
        "each worker needs about 250 MiB"
    )  # fmt: skip
    assert not (tmp_path / "out").exists()


def test_list_of_an_archive_that_does_not_exist(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, line = one_error(capsys, "list", "--output", str(tmp_path / "nowhere"))
    assert (code, line) == (5, f"error: no archive at {tmp_path / 'nowhere'}: check --output (or BRIEFING_OUTPUT)")
    (tmp_path / "empty").mkdir()
    assert main(["list", "--output", str(tmp_path / "empty")]) == 0  # an empty archive is not an error
