"""End to end in headless Chromium: open the index, follow a briefing link, find the briefing's title."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from generator.render.chromium import FLAGS, find_chromium

CHROMIUM = find_chromium()
# The document tests drive Chromium over DevTools; here one --dump-dom per page is enough.
DUMP_FLAGS = [flag for flag in FLAGS if not flag.startswith("--remote-debugging")]


def dump_dom(url: str, profile: Path) -> str:
    """The DOM after Chromium loaded ``url`` (a fresh profile, no network beyond the URL)."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, *DUMP_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_index_link_leads_to_the_briefing(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index = dump_dom(f"{server.base}/", tmp_path / "profile-1")
    assert "<h1>Briefing archive</h1>" in index
    links = re.findall(r'<a class="briefing-link" href="([^"]+)">', index)
    assert links[0] == "/2026-11-20/briefing.html"
    page = dump_dom(server.base + html.unescape(links[0]), tmp_path / "profile-2")
    title = re.search(r"<title>([^<]*)</title>", page)
    assert title is not None and html.unescape(title.group(1)) == "US Small-Cap Rotation Monitor - 2026-11-20"
    assert "Illustrative data - not market data" in page
