"""A Yahoo reader on our own session: what the quote and fund readers share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.sources.http import NetworkSettings

OFFLINE = "cannot resolve Yahoo's host (offline, or set BRIEFING_PROXY)"
CANNOT_CONNECT = "cannot connect to Yahoo (offline, or set BRIEFING_PROXY)"


def unreachable(exc: BaseException) -> str | None:
    """``OFFLINE`` or ``CANNOT_CONNECT`` when ``exc`` says Yahoo was never reached (no name, no connection:
    curl's error 7, or a "response" of status 0), else ``None``. Every symbol asks the same host, so a caller
    says it once for all of them, plainly, instead of curl's message per symbol."""
    name, text = type(exc).__name__, str(exc)
    if "DNS" in name or "resolve host" in text:
        return OFFLINE
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status == 0 or "curl: (7)" in text or "Failed to connect" in text or "Could not connect" in text:
        return CANNOT_CONNECT
    return None


class YahooClient:
    """What the Yahoo quote and fund readers share: our network settings and a session whose crumb is kept with
    the price fetch's (``cache_dir``), so one cookie and crumb serve every Yahoo request of a run."""

    def __init__(
        self,
        settings: NetworkSettings | None = None,
        base_url: str | None = None,
        session: Any | None = None,
        cache_dir: str | Path | None = None,
    ) -> None:
        from generator.sources.crumb import CRUMB_FILE, CrumbCache
        from generator.sources.yahoo import YahooSession

        self.settings = settings or NetworkSettings()
        crumbs = CrumbCache(Path(cache_dir) / CRUMB_FILE) if cache_dir is not None else None  # shared with prices
        self.session = session or YahooSession(self.settings, base_url=base_url, crumbs=crumbs)
