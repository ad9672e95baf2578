"""Only a POST from the app's own pages changes anything: no GET builds or rebuilds a briefing, and a
cross-site request is refused whatever it asks for."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from serve_helpers import request


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_no_get_builds_or_rebuilds(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree(archive)
    # What an <img src> on any web page could make a visitor's browser ask for:
    fresh = request(server.port, "GET", "/briefing?date=2026-11-13&fresh=1")
    assert (fresh.status, fresh.headers.get("location")) == (303, "/2026-11-13/briefing.html")
    missing = request(server.port, "GET", "/briefing?date=2026-11-06")
    assert missing.status == 200
    assert "2026-11-06 is not in the archive yet" in missing.text
    form = '<form method="post" action="/generate"><input type="hidden" name="date" value="2026-11-06">'
    assert form in missing.text
    time.sleep(1.0)
    assert tree(archive) == before  # nothing built, nothing replaced
    assert not (archive / "2026-11-13" / "revisions").exists()
    assert server.server.config.app.state.app.generator.current is None  # no job was started


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("POST", "/generate", b"date=2026-11-06"),
        ("POST", "/generate", b"date=2026-11-13&fresh=1"),
        ("GET", "/briefing?date=2026-11-06", None),
        ("GET", "/2026-11-20/briefing.pdf", None),
    ],
)
def test_cross_site_requests_are_refused(server, archive: Path, method: str, path: str, body: bytes | None) -> None:  # type: ignore[no-untyped-def]
    before = tree(archive)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "cross-site", "Origin": f"http://127.0.0.1:{server.port}"}):
        r = request(server.port, method, path, body, headers)
        assert r.status == 403, (headers, r.status)
        assert r.text == "cross-site request refused"
    if method == "POST":  # another site on this machine (another port) is same-site, not same-origin
        r = request(server.port, method, path, body, {"Sec-Fetch-Site": "same-site"})
        assert r.status == 403
    assert tree(archive) == before
