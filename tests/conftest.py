"""Shared fixtures: a briefing built once per session on illustrative data, and the shared data folder."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from bench.support.loopback import Loopback

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
BRIEFING_DATE = date(2026, 11, 20)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recorded data beside the repo; tests using it skip where it is absent (a user's clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def illustrative_briefing(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One full HTML + PDF briefing on illustrative data, shared by the read-only tests."""
    from generator import build_briefing

    out = tmp_path_factory.mktemp("archive")
    return build_briefing(
        BRIEFING_DATE, source="illustrative", output_dir=out, report=REPO / "reports" / "small_cap_rotation.toml"
    )


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Headless Chromium (generator/render/chromium.py) for reading the HTML as a browser shows it."""
    from generator.render.chromium import chromium, find_chromium

    if find_chromium() is None:
        pytest.fail("headless Chromium is required: apt-get install chromium (see .ci/run)")
    with chromium() as b:
        yield b


# ---------------------------------------------------------------- loopback HTTP server (live-source tests)


@pytest.fixture
def loopback():  # type: ignore[no-untyped-def]
    server = Loopback()
    yield server
    server.close()


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 2 MiB tmpfs (needs root and mount permission; skipped otherwise)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            # Still busy (a file a failed write left open until garbage collection): detach it anyway.
            subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.fixture
def freeze_disk(small_disk: Path):  # type: ignore[no-untyped-def]
    """``freeze_disk()`` remounts the ``small_disk`` tmpfs read-only (as a full or damaged disk may be)."""

    def freeze() -> Path:
        done = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.decode().strip()}")
        return small_disk

    return freeze
