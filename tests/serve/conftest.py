"""Fixtures for the web app: an archive with two real briefings, and the app running on a free port."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from serve_helpers import REPORT, Running, start


@pytest.fixture(scope="session")
def two_briefings(tmp_path_factory: pytest.TempPathFactory, illustrative_briefing) -> Path:  # type: ignore[no-untyped-def]
    """A pristine archive: the session briefing (2026-11-20) and one built a week earlier."""
    from generator import build_briefing

    root = tmp_path_factory.mktemp("serve") / "output"
    root.mkdir()
    shutil.copytree(illustrative_briefing.directory, root / "2026-11-20")
    build_briefing(date(2026, 11, 13), source="illustrative", output_dir=root, report=REPORT)
    return root


@pytest.fixture
def archive(two_briefings: Path, tmp_path: Path) -> Path:
    """A private copy of the two-briefing archive (some tests write into it)."""
    root = tmp_path / "output"
    shutil.copytree(two_briefings, root)
    return root


@pytest.fixture
def server(archive: Path) -> Iterator[Running]:
    running = start(archive)
    yield running
    running.stop()
