"""Yahoo's crumb kept between runs, next to yfinance's own cookie cache.

Why: every yfinance request carries a crumb, a token Yahoo issues for the
session cookie. yfinance keeps the cookie on disk but asks for the crumb anew
in every process: one round trip on the critical path before any price is
requested, in every run. The crumb is valid as long as the cookie it was
issued for, so :class:`YahooSession` answers yfinance's crumb request from
here when the cookie it is about to send is the one the crumb was issued
for, and forgets the crumb as soon as Yahoo refuses a request carrying it
(HTTP 401), so yfinance's own retry then fetches a new one.

The file is written atomically, readable by its owner only, and holds the
crumb, a SHA-256 fingerprint of the cookies (never the cookies themselves)
and when it was saved; entries older than ``max_age`` are ignored. The crumb
is registered as a secret, so it is scrubbed from our logs and errors.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.sources.http import register_secret

log = logging.getLogger(__name__)

CRUMB_FILE = "yahoo-crumb.json"
MAX_AGE_S = 7 * 24 * 3600.0  # a week: daily runs reuse it; an expired cookie changes the fingerprint sooner


def cookie_fingerprint(cookies: Iterable[tuple[str, str, str]]) -> str | None:
    """SHA-256 of the (domain, name, value) triples, order-free; ``None`` without cookies (no crumb is kept then)."""
    rows = sorted(f"{domain.lstrip('.')}\t{name}\t{value}" for domain, name, value in cookies)
    if not rows:
        return None
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def plausible_crumb(text: str) -> bool:
    """What yfinance itself would accept as a crumb: short, one token, not an HTML or rate-limit page."""
    return 0 < len(text) <= 64 and text.isprintable() and not any(c.isspace() for c in text) and "<" not in text


class CrumbCache:
    """One crumb and the cookie fingerprint it belongs to, in ``path``; safe to share between threads."""

    def __init__(self, path: str | Path, max_age: float = MAX_AGE_S, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.max_age = max_age
        self._now = clock
        self._lock = threading.Lock()

    def get(self, fingerprint: str | None) -> str | None:
        """The kept crumb if it was issued for ``fingerprint`` and is younger than ``max_age``."""
        if fingerprint is None:
            return None
        with self._lock:
            entry = self._read()
        if entry is None or entry.get("cookies") != fingerprint:
            return None
        saved = entry.get("saved")
        crumb = entry.get("crumb")
        if not isinstance(saved, int | float) or not isinstance(crumb, str) or not plausible_crumb(crumb):
            return None
        if not 0 <= self._now() - saved <= self.max_age:
            return None
        register_secret(crumb)
        return crumb

    def put(self, crumb: str, fingerprint: str | None) -> None:
        """Keep ``crumb`` for the cookies of ``fingerprint`` (nothing is kept without cookies)."""
        if fingerprint is None or not plausible_crumb(crumb):
            return
        register_secret(crumb)
        payload = json.dumps({"crumb": crumb, "cookies": fingerprint, "saved": self._now()})
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".crumb.", dir=self.path.parent)  # created 0600
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        handle.write(payload)
                    os.replace(tmp, self.path)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
            except OSError as exc:  # a read-only data folder costs one round trip a run, nothing more
                log.debug("crumb cache not written: %s", type(exc).__name__)

    def drop(self, crumb: str) -> None:
        """Forget ``crumb`` (Yahoo refused it); a newer crumb kept meanwhile by another thread stays."""
        with self._lock:
            entry = self._read()
            if entry is not None and entry.get("crumb") == crumb:
                self.path.unlink(missing_ok=True)

    def _read(self) -> dict[str, object] | None:
        try:
            entry = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) else None
