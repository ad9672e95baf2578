"""The CLI's contract for a user's mistake, checked the same way everywhere: one line, no traceback."""

from __future__ import annotations

import pytest

from generator.cli import main


def one_error(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the CLI with ``args``; assert it wrote exactly one ``error:`` line; return the exit code and that line."""
    code = main(list(args))
    _, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return code, lines[0]
