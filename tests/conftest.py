"""Shared fixtures: a briefing built once per session on illustrative data, and the shared data folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

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


# ---------------------------------------------------------------- loopback HTTP server (live-source tests)


class Loopback:
    """A real HTTP server on 127.0.0.1 answering from scripted routes, recording every request.

    ``route(prefix, handler)``: ``handler(path, query)`` returns ``(status, headers, body)``;
    it may sleep to simulate a slow service. Unrouted paths get 404. The live
    providers reach it through their configurable roots or base URL, so their
    real HTTP code runs end to end.
    """

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        self.routes: list[tuple[str, object]] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with outer.lock:
                    outer.requests.append((parts.path, query))
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
                for prefix, handler in outer.routes:
                    if parts.path.startswith(prefix):
                        status, headers, body = handler(parts.path, query)  # type: ignore[operator]
                        break
                data = body.encode("utf-8") if isinstance(body, str) else body
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: object) -> None:  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, prefix: str, handler: object) -> None:
        self.routes.append((prefix, handler))

    def hits(self, prefix: str) -> list[dict[str, str]]:
        with self.lock:
            return [q for p, q in self.requests if p.startswith(prefix)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback():  # type: ignore[no-untyped-def]
    server = Loopback()
    yield server
    server.close()
