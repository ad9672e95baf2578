"""'Generate now' builds in the background: the server keeps answering, one build at a time, rate-limited."""

from __future__ import annotations

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


@pytest.mark.slow
def test_generate_now_with_progress_while_serving_others(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    port = server.port
    r = request(port, "POST", "/generate", b"date=2026-11-06", {"Origin": f"http://127.0.0.1:{port}"})
    assert r.status == 303
    location = r.headers["location"]
    assert re.fullmatch(r"/jobs/[A-Za-z0-9_-]{16}", location)

    # While it builds: the progress page refreshes itself, other pages answer, a second build is refused.
    page = job_page(port, location)
    assert f'<meta http-equiv="refresh" content="1; url={location}">' in page
    assert "Generating (" in page
    paths = ["/", "/2026-11-20/briefing.html", "/2026-11-20/briefing.pdf", "/compare?a=2026-11-13&b=2026-11-20"] * 3
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        timed = list(pool.map(lambda p: (p, time.monotonic(), request(port, "GET", p), time.monotonic()), paths))
    assert all(reply.status == 200 for _, _, reply, _ in timed)
    slowest = max(end - begin for _, begin, _, end in timed)
    assert "Generating (" in job_page(port, location), "the build finished before the concurrent requests did"
    assert slowest < 3.0, (
        f"a request took {slowest:.2f} s while the build ran (all took {time.monotonic() - started:.2f} s)"
    )
    busy = request(port, "POST", "/generate", b"date=2026-10-30")
    assert busy.status == 409
    assert "one runs at a time" in busy.text and f'url={location}"' in busy.text
    assert not (archive / "2026-10-30").exists()

    deadline = time.monotonic() + 60
    while "Generating (" in (page := job_page(port, location)):
        assert time.monotonic() < deadline, "the build did not finish in 60 s"
        time.sleep(0.25)
    assert '<a class="briefing-link" href="/2026-11-06/briefing.html">open the briefing</a>' in page
    assert '<meta http-equiv="refresh" content="2; url=/2026-11-06/briefing.html">' in page
    steps = re.findall(r"<li[^>]*>([^<]+)</li>", page)
    assert steps[0].startswith("generating illustrative data") and steps[-1] == "writing the archive"
    built = request(port, "GET", "/2026-11-06/briefing.html")
    assert built.status == 200 and "<title>US Small-Cap Rotation Monitor - 2026-11-06</title>" in built.text
    assert '<a class="briefing-link" href="/2026-11-06/briefing.html">' in request(port, "GET", "/").text

    # Rate limit: the next build may start only 300 s after the last one did.
    limited = request(port, "POST", "/generate", b"date=2026-10-30", {"Origin": f"http://127.0.0.1:{port}"})
    assert limited.status == 429
    retry = int(limited.headers["retry-after"])
    assert 200 < retry <= 300
    assert not (archive / "2026-10-30").exists()
