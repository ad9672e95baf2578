"""A short archive of real (illustrative-data) briefings, shared by the archive tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_helpers import ARCHIVE_DATES, REPORT


@pytest.fixture(scope="session")
def short_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three weekly HTML-only briefings on illustrative data, oldest first (read-only for tests)."""
    from generator import build_briefing

    root = tmp_path_factory.mktemp("short-archive")
    for day in ARCHIVE_DATES:
        build_briefing(day, source="illustrative", formats=["html"], output_dir=root, report=REPORT)
    return root
