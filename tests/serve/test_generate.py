"""'Generate now' builds in the background: the server keeps answering, one build at a time, rate-limited."""

from __future__ import annotations

import hashlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from serve_helpers import request


def job_page(port: int, location: str) -> str:
    r = request(port, "GET", location)
    assert r.status == 200
    return r.text


REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=(/jobs/[A-Za-z0-9_-]+\?seen=\d+)">')


def follow(port: int, page: str, until: str, seconds: float = 60) -> str:
    """Follow the job page as a browser does (each refresh waits on the server for the next change)."""
    deadline = time.monotonic() + seconds
    while until not in page:
        assert time.monotonic() < deadline, f"no {until!r} after {seconds} s"
        found = REFRESH.search(page)
        assert found, page
        page = job_page(port, found.group(1))
    return page


@pytest.mark.slow
def test_generate_now_links_the_html_first_and_the_pdf_when_done(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    port = server.port
    r = request(port, "POST", "/generate", b"date=2026-11-06", {"Origin": f"http://127.0.0.1:{port}"})
    assert r.status == 303
    location = r.headers["location"]
    assert re.fullmatch(r"/jobs/[A-Za-z0-9_-]{16}", location)

    # The first view answers at once, and refreshes itself at once: the server holds each refresh until the
    # build has something new to show.
    page = job_page(port, location)
    assert REFRESH.search(page) and REFRESH.search(page).group(1).startswith(f"{location}?seen=")  # type: ignore[union-attr]
    assert "Generating (" in page
    # While it builds, other pages answer, and a second build is refused.
    paths = ["/", "/2026-11-20/briefing.html", "/2026-11-20/briefing.pdf", "/compare?a=2026-11-13&b=2026-11-20"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        timed = list(pool.map(lambda p: (p, time.monotonic(), request(port, "GET", p), time.monotonic()), paths))
    assert all(reply.status == 200 for _, _, reply, _ in timed)
    slowest = max(end - begin for _, begin, _, end in timed)
    assert slowest < 3.0, f"a request took {slowest:.2f} s while the build ran"
    busy = request(port, "POST", "/generate", b"date=2026-10-30")
    assert busy.status == 409
    assert "one runs at a time" in busy.text and f"url={location}?seen=" in busy.text
    assert not (archive / "2026-10-30").exists()

    # The HTML is linked as soon as it is published, while the PDF is still being laid out.
    page = follow(port, page, 'class="briefing-link"')
    if "Done in" not in page:  # on a fast machine the PDF may already be there by the next view
        assert "The PDF is being laid out" in page and 'class="pdf-link"' not in page
    built = request(port, "GET", "/2026-11-06/briefing.html")
    assert built.status == 200 and "<title>US Small-Cap Rotation Monitor - 2026-11-06</title>" in built.text

    # The PDF's link appears when it is added to the folder.
    page = follow(port, page, "Done in")
    assert '<a class="briefing-link" href="/2026-11-06/briefing.html">open the briefing</a>' in page
    assert '<a class="pdf-link" href="/2026-11-06/briefing.pdf">PDF</a>' in page
    assert "http-equiv" not in page  # done: nothing to wait for
    steps = re.findall(r"<li[^>]*>([^<]+)</li>", page)
    assert steps[0].startswith("generating illustrative data")
    assert steps[-3:] == ["writing the archive", "rendering PDF", "adding the PDF to the archive"]
    pdf = request(port, "GET", "/2026-11-06/briefing.pdf")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF-")
    manifest = json.loads(request(port, "GET", "/2026-11-06/manifest.json").body)
    assert manifest["pdf"]["state"] == "rendered" and manifest["pdf"]["mode"] == "eager"
    assert manifest["pdf"]["rendered_by"] == "serve"
    assert manifest["files"]["briefing.pdf"] == hashlib.sha256(pdf.body).hexdigest()
    assert '<a class="briefing-link" href="/2026-11-06/briefing.html">' in request(port, "GET", "/").text

    # Rate limit: the next build may start only 300 s after the last one did.
    limited = request(port, "POST", "/generate", b"date=2026-10-30", {"Origin": f"http://127.0.0.1:{port}"})
    assert limited.status == 429
    retry = int(limited.headers["retry-after"])
    assert 200 < retry <= 300
    assert not (archive / "2026-10-30").exists()
