"""A briefing whose PDF is pending (a backfill's, or an HTML-only build) gets it on the first request, rendered in
a worker process; the workers are replaced after a few jobs."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import date
from pathlib import Path

import pytest
from serve_helpers import REPORT, request, start

from generator import build_briefing
from generator.serve.workers import Workers


@pytest.mark.slow
def test_a_pending_pdf_is_rendered_on_the_first_request(archive: Path) -> None:
    build_briefing(date(2026, 11, 6), source="illustrative", output_dir=archive, report=REPORT, formats=("html",))
    before = json.loads((archive / "2026-11-06" / "manifest.json").read_text())
    assert before["pdf"] == {"state": "pending", "mode": "lazy", "rendered_at": None, "rendered_by": None}
    assert not (archive / "2026-11-06" / "briefing.pdf").exists()
    running = start(archive)
    try:
        port = running.port
        index = request(port, "GET", "/").text
        row = re.search(r"<tr>\s*<td><a class=\"briefing-link\" href=\"/2026-11-06/briefing.html\">.*?</tr>", index, re.S)
        assert row and '<a href="/2026-11-06/briefing.pdf">PDF</a> <span class="muted">(rendered when first opened)' in row.group(0)
        # Served as it is meanwhile: the HTML and a manifest that says the PDF is pending.
        assert request(port, "GET", "/2026-11-06/briefing.html").status == 200
        assert json.loads(request(port, "GET", "/2026-11-06/manifest.json").body)["pdf"]["state"] == "pending"

        deadline = time.monotonic() + 120
        reply = request(port, "GET", "/2026-11-06/briefing.pdf")
        while reply.status == 202:  # took longer than the request waits: the page refreshes itself
            assert "The PDF is being laid out" in reply.text and reply.headers["retry-after"] == "1"
            assert time.monotonic() < deadline
            time.sleep(1)
            reply = request(port, "GET", "/2026-11-06/briefing.pdf")
        assert reply.status == 200 and reply.body.startswith(b"%PDF-")
        after = json.loads(request(port, "GET", "/2026-11-06/manifest.json").body)
        assert after["pdf"]["state"] == "rendered" and after["pdf"]["mode"] == "lazy"
        assert after["pdf"]["rendered_by"] == "serve" and after["pdf"]["rendered_at"]
        assert after["files"]["briefing.pdf"] == hashlib.sha256(reply.body).hexdigest()
        # Nothing else of the briefing changed.
        assert {k: v for k, v in after.items() if k not in ("pdf", "files")} == {
            k: v for k, v in before.items() if k not in ("pdf", "files")
        }
        assert {k: v for k, v in after["files"].items() if k != "briefing.pdf"} == before["files"]
        index = request(port, "GET", "/").text
        assert '· <a href="/2026-11-06/briefing.pdf">PDF</a> · <a href="/2026-11-06/manifest.json">' in index
        assert "rendered when first opened" not in index
    finally:
        running.stop()


def test_workers_are_replaced_after_their_jobs(two_briefings: Path) -> None:
    """Each worker takes at most ``jobs_per_worker`` jobs, then a fresh one takes over (forked from the fork
    server, which already imported the pipeline). The jobs here are real ones that find nothing to do: the
    PDFs of these briefings are rendered."""
    workers = Workers(two_briefings, "illustrative", REPORT, jobs_per_worker=2, processes=1)
    try:
        ran = [workers.render_pdf(date(2026, 11, 20)).result(60) for _ in range(5)]
    finally:
        workers.close()
    a, b, c = ran[0], ran[2], ran[4]
    assert ran == [a, a, b, b, c] and len({a, b, c}) == 3, ran


def test_a_worker_killed_is_replaced_for_the_next_job(two_briefings: Path) -> None:
    import os
    import signal
    from concurrent.futures.process import BrokenProcessPool

    workers = Workers(two_briefings, "illustrative", REPORT, jobs_per_worker=10, processes=1)
    try:
        first = workers.render_pdf(date(2026, 11, 20)).result(60)
        os.kill(first, signal.SIGKILL)  # as the out-of-memory killer would
        deadline = time.monotonic() + 30
        while True:  # the pool notices the death when it next looks at its workers
            try:
                second = workers.render_pdf(date(2026, 11, 20)).result(60)
                break
            except BrokenProcessPool:
                assert time.monotonic() < deadline
        assert second != first
    finally:
        workers.close()
