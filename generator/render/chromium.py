"""Headless Chromium over the DevTools protocol: load an HTML briefing as a reader's browser would.

Used by the document tests (nothing overflows at phone and desktop widths, no
request leaves the page, contrast) and by ``make docs-images`` (the phone
screenshot in the README). Not part of building a briefing.

Every request the page makes is intercepted (``Fetch.enable``): the page's own
``file:`` URL is let through, ``data:`` URLs never reach the network, and
anything else is recorded and failed, so a test sees the attempt and nothing
leaves the machine. Chromium starts with a fresh profile and with its own
background traffic (updates, sync, first-run) turned off.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import BriefingError

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


class ChromiumError(BriefingError):
    """Chromium is missing, did not start, or did not answer."""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


@dataclass
class Page:
    """One tab with every request intercepted; ``requests`` lists every URL the page asked for."""

    browser: Browser
    session: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    allowed_url: str = ""

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.call(method, params, session=self.session, on_event=self._event)

    def _event(self, message: dict[str, Any]) -> None:
        if message.get("sessionId") != self.session:
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Fetch.requestPaused":
            url = params["request"]["url"]
            if url == self.allowed_url or url.startswith("data:"):
                self.browser.post("Fetch.continueRequest", {"requestId": params["requestId"]}, self.session)
            else:
                self.blocked.append(url)
                self.browser.post(
                    "Fetch.failRequest",
                    {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                    self.session,
                )

    def open(self, path: Path, width: int, height: int = 900, scale: float = 1.0, javascript: bool = True) -> None:
        """Load ``path`` in a viewport ``width`` CSS px wide (a phone below 600) and wait for the load event."""
        self.allowed_url = path.resolve().as_uri()
        self.send("Network.enable")
        self.send("Fetch.enable", patterns=[{"urlPattern": "*"}])
        self.send("Page.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=scale,
            mobile=width < 600,
        )
        self.send("Emulation.setScriptExecutionDisabled", value=not javascript)
        self.send("Page.navigate", url=self.allowed_url)
        self.browser.wait_for("Page.loadEventFired", self.session, self._event)

    def evaluate(self, expression: str) -> Any:
        """Run a JavaScript expression in the page (the test's probe; the page itself has none) and return its value."""
        self.send("Emulation.setScriptExecutionDisabled", value=False)
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise ChromiumError(f"probe failed: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def screenshot(self, width: int, height: int, scale: float = 2.0, top: float = 0.0) -> bytes:
        """PNG of ``width`` x ``height`` CSS px of the page from ``top`` down, at ``scale`` device pixels per px."""
        reply = self.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": top, "width": width, "height": height, "scale": scale},
        )
        return base64.b64decode(reply["data"])


class Browser:
    """A running headless Chromium and one DevTools websocket to it."""

    def __init__(self, ws: Any, process: subprocess.Popen[bytes]) -> None:
        self.ws = ws
        self.process = process
        self._next = 0

    def post(self, method: str, params: dict[str, Any], session: str | None = None) -> int:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        return self._next

    def call(self, method: str, params: dict[str, Any], session: str | None = None, on_event: Any = None) -> Any:
        """Send a command and read messages (handing events to ``on_event``) until its reply arrives."""
        wanted = self.post(method, params, session)
        while True:
            message = self._receive()
            if message.get("id") == wanted:
                if "error" in message:
                    raise ChromiumError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if on_event:
                on_event(message)

    def wait_for(self, event: str, session: str, on_event: Any, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._receive(deadline - time.monotonic())
            on_event(message)
            if message.get("method") == event and message.get("sessionId") == session:
                return
        raise ChromiumError(f"Chromium did not report {event} within {timeout:.0f} s")

    def _receive(self, timeout: float = 30.0) -> dict[str, Any]:
        try:
            return json.loads(self.ws.recv(timeout=max(timeout, 0.1)))
        except TimeoutError:
            raise ChromiumError("Chromium stopped answering") from None

    def new_page(self) -> Page:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)


@contextmanager
def chromium(binary: str | None = None, timeout: float = 30.0) -> Iterator[Browser]:
    """Start headless Chromium with a fresh profile; stop it (and remove the profile) on exit."""
    from websockets.sync.client import connect

    binary = binary or find_chromium()
    if not binary:
        raise ChromiumError("Chromium is not installed (Debian: apt-get install chromium)")
    profile = Path(tempfile.mkdtemp(prefix="briefing-chromium-"))
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.is_file() or len(port_file.read_text().splitlines()) < 2:
            if process.poll() is not None or time.monotonic() > deadline:
                raise ChromiumError(f"Chromium did not start ({binary})")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        with connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=timeout) as ws:
            yield Browser(ws, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)
