"""A real HTTP server on 127.0.0.1 answering from scripted routes, recording every request.

Used by the tests (``loopback`` fixture in tests/conftest.py) and by the
benchmark's live-fetch measurement, so both exercise the providers' real HTTP
code end to end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, dict[str, str], Any]
Handler = Callable[[str, dict[str, str]], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # a burst of concurrent clients must not be refused


class Loopback:
    """``route(prefix, handler)``: ``handler(path, query)`` returns ``(status, headers, body)``.

    A handler may sleep to simulate a slow service; ``latency`` (seconds) is
    added to every response, routed or not, the way a distant server would.
    Unrouted paths get 404. Requests are served on their own threads, so
    concurrent clients overlap their waits as they would against a real service.
    """

    def __init__(self, latency: float = 0.0) -> None:
        self.routes: list[tuple[str, Handler, bool]] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.latency = latency
        self.lock = threading.Lock()
        outer = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm the body of a small answer waited
            # for the client's delayed ACK of the headers, about 40 ms on Linux, on top of ``latency``.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                started = time.monotonic()
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with outer.lock:
                    outer.requests.append((parts.path, query))
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
                for prefix, handler, exact in outer.routes:
                    if parts.path == prefix or (not exact and parts.path.startswith(prefix)):
                        status, headers, body = handler(parts.path, query)
                        break
                data = body.encode("utf-8") if isinstance(body, str) else body
                wait = outer.latency - (time.monotonic() - started)
                if wait > 0:
                    time.sleep(wait)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: object) -> None:  # keep output clean
                pass

        self.server = _Server(("127.0.0.1", 0), RequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, prefix: str, handler: Handler, exact: bool = False) -> None:
        """Answer paths starting with ``prefix`` (only ``prefix`` itself when ``exact``) with ``handler``."""
        self.routes.append((prefix, handler, exact))

    def hits(self, prefix: str) -> list[dict[str, str]]:
        with self.lock:
            return [q for p, q in self.requests if p.startswith(prefix)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
