"""A Yahoo reader on our own session: what the quote and fund readers share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.sources.http import NetworkSettings


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
