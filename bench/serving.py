"""``briefing serve`` as a user meets it: from "generate now" to the HTML on screen, and to the PDF.

``python -m bench.serving --store DIR --date D --output DIR --dates N`` starts
``briefing serve`` in a new process (its workers warmed, as the command does),
then for N dates not yet archived, one after another: POST /generate as the
form does, follow the job page as a browser follows its refreshes, and GET the
HTML as soon as the page links it; then follow it until the PDF's link appears
and GET the PDF. Prints one JSON object with the seconds from the POST to each.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

from bench.measure import briefing_args

REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=(/jobs/[A-Za-z0-9_-]+\?seen=\d+)">')


def get(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


def follow(port: int, page: str, until: str) -> str:
    while until not in page:
        found = REFRESH.search(page)
        if found is None:
            raise RuntimeError(f"the job page stopped refreshing before {until!r}:\n{page[-1500:]}")
        _, _, body = get(port, "GET", found.group(1))
        page = body.decode()
    return page


def one(port: int, day: date) -> dict[str, float]:
    began = time.perf_counter()
    status, headers, _ = get(port, "POST", "/generate", f"date={day.isoformat()}".encode())
    if status != 303:
        raise RuntimeError(f"POST /generate: {status}")
    _, _, body = get(port, "GET", headers["location"])
    page = follow(port, body.decode(), 'class="briefing-link"')
    status, _, html = get(port, "GET", f"/{day.isoformat()}/briefing.html")
    if status != 200 or b"<html" not in html[:500]:
        raise RuntimeError(f"GET briefing.html: {status}")
    to_html = time.perf_counter() - began
    follow(port, page, "Done in")
    status, _, pdf = get(port, "GET", f"/{day.isoformat()}/briefing.pdf")
    if status != 200 or not pdf.startswith(b"%PDF-"):
        raise RuntimeError(f"GET briefing.pdf: {status}")
    return {"html_s": round(to_html, 3), "pdf_s": round(time.perf_counter() - began, 3)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = briefing_args("bench.serving")
    parser.add_argument("--dates", type=int, default=3)
    args = parser.parse_args(argv)
    port = free_port()
    env = {**os.environ, "BRIEFING_DATA_DIR": str(args.store)}
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "serve", "--port", str(port), "--output", str(args.output),
         "--source", "store", "--generate-interval", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = server.stdout.readline() if server.stdout else ""
        if not line.startswith("Serving"):
            raise RuntimeError(f"serve did not start: {line}{server.stderr.read() if server.stderr else ''}")
        deadline = time.monotonic() + 60
        while True:  # the socket is bound before uvicorn listens on it
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("serve did not listen") from None
                time.sleep(0.02)
        ready = time.perf_counter() - started
        runs = [one(port, args.date - timedelta(weeks=k)) for k in range(1, args.dates + 1)]
    finally:
        server.terminate()
        server.wait(30)
    result = {"start_s": round(ready, 3), "runs": runs}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
