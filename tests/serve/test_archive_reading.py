"""The index reads only regular files inside the archive, never shows what a file it refused contains, and
no page shows the server's absolute paths."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

from serve_helpers import TODAY, Running, request

from generator.errors import OutputError
from generator.serve import create_app

SECRET = "TOP-SECRET-MARKER-91c2"


def test_index_does_not_follow_a_manifest_out_of_the_archive(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    outside = archive.parent / "elsewhere"
    outside.mkdir()
    # A valid manifest outside the archive (it would be listed), and a JSON file holding a secret.
    good = json.loads((archive / "2026-11-20" / "manifest.json").read_text())
    good["briefing_date"] = "2026-11-27"
    (outside / "manifest.json").write_text(json.dumps(good))
    (outside / "secret.json").write_text(json.dumps({"schema_version": SECRET}))
    for day, target in (("2026-11-27", "manifest.json"), ("2026-12-04", "secret.json")):
        (archive / day).mkdir()
        (archive / day / "manifest.json").symlink_to(outside / target)
    # and one inside the archive whose damaged field holds the secret
    damaged = json.loads((archive / "2026-11-13" / "manifest.json").read_text())
    damaged["stance"]["label"] = SECRET
    (archive / "2026-11-13" / "manifest.json").write_text(json.dumps(damaged))

    r = request(server.port, "GET", "/")
    assert r.status == 200
    links = re.findall(r'<a class="briefing-link" href="([^"]+)">', r.text)
    assert links == ["/2026-11-20/briefing.html"]
    assert SECRET not in r.text
    assert str(archive) not in r.text and str(outside) not in r.text
    problems = re.findall(r'<p class="error">([^<]*)</p>', r.text)
    assert problems == [
        "Unreadable: 2026-11-13/manifest.json is damaged; `briefing list` on the server says why",
        "Unreadable: 2026-11-27/manifest.json is not a file inside the archive; it was not read",
        "Unreadable: 2026-12-04/manifest.json is not a file inside the archive; it was not read",
    ]
    assert request(server.port, "GET", "/2026-11-27/manifest.json").status == 404  # as the file endpoint has it


def test_a_failed_build_shows_paths_relative_to_the_archive(archive: Path) -> None:
    def build(day: date, force: bool, progress) -> None:  # type: ignore[no-untyped-def]
        progress(f"writing {archive / day.isoformat()}")
        raise OutputError(f"cannot write briefing to {archive / day.isoformat()}: no space left on device")

    running = Running(create_app(archive, build, today=lambda: TODAY, min_interval=0))
    try:
        r = request(running.port, "POST", "/generate", b"date=2026-11-06")
        assert r.status == 303
        time.sleep(0.5)
        page = request(running.port, "GET", r.headers["location"])
        assert "Failed: cannot write briefing to 2026-11-06: no space left on device" in page.text
        assert "writing 2026-11-06" in page.text
        assert str(archive) not in page.text
    finally:
        running.stop()


def test_the_archive_overview_page_quotes_no_file_and_no_path(archive: Path) -> None:
    from generator.archive.index import index_rows
    from generator.render.archive_page import render_index

    damaged = json.loads((archive / "2026-11-13" / "manifest.json").read_text())
    damaged["stance"]["label"] = SECRET
    (archive / "2026-11-13" / "manifest.json").write_text(json.dumps(damaged))
    page = render_index(*index_rows(archive))
    assert SECRET not in page and str(archive) not in page
    assert "<li>2026-11-13/manifest.json is damaged; `briefing list` says why</li>" in page
