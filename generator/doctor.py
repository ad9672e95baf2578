"""``briefing doctor``: one line per check, each failure with its fix.

Why: a scheduled run that silently falls back to stored or illustrative data
is worse than one that fails, and most causes are set-up problems (no key, a
proxy, a missing system library, a read-only folder) that can be checked in a
few seconds before the first real run.

The FRED key is never printed, not even in part: only whether it is set.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from generator.acquire import SourceSettings
from generator.errors import BriefingError, SourceError, StoreError
from generator.sources.fred import BoundedFred
from generator.sources.http import http_get, install_log_redaction, redact, register_secret, requests_session
from generator.sources.yahoo import YahooSession
from generator.store import ParquetStore

log = logging.getLogger(__name__)

Status = Literal["ok", "warn", "fail"]
PROBE_SERIES = "DGS10"
PROBE_TICKER = "SPY"


@dataclass(frozen=True)
class Check:
    """The outcome of one check: what was checked, what was found, and what to do about it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[self.status]
        text = f"[{mark}] {self.name}: {self.detail}"
        return f"{text} -> {self.fix}" if self.fix and self.status != "ok" else text


def check_fred_key(settings: SourceSettings) -> Check:
    if settings.fred_api_key:
        return Check("FRED API key", "ok", "set (FRED API with ALFRED vintages for past dates)")
    return Check("FRED API key", "warn", "not set (using FRED's key-less CSV download; past dates use declared "
                 "publication lags)", "get a free key at https://fred.stlouisfed.org/docs/api/api_key.html and "
                 "set FRED_API_KEY")


def _network_fix(settings: SourceSettings) -> str:
    proxy = " (proxy: set)" if settings.network.proxy else ""
    return f"check the network{proxy}; behind a corporate proxy set BRIEFING_PROXY or HTTPS_PROXY"


def check_fred(settings: SourceSettings) -> Check:
    net = settings.network
    session = requests_session(net)
    try:
        if settings.fred_api_key:
            register_secret(settings.fred_api_key)
            client = BoundedFred(settings.fred_api_key, session, net, settings.fred_api_root)
            info = client.get_series_info(PROBE_SERIES)
            return Check("FRED API reachable", "ok", f"{settings.fred_api_root} ({PROBE_SERIES} last updated "
                         f"{str(info.get('last_updated', '?'))[:10]})")
        since = (datetime.now(UTC).date() - timedelta(days=14)).isoformat()
        response = http_get(session, settings.fred_csv_url, {"id": PROBE_SERIES, "cosd": since}, net, "FRED CSV")
        if response.status_code >= 400:
            raise SourceError(f"HTTP {response.status_code}")
        first = response.text.splitlines()[0] if response.text else ""
        if "," not in first:
            raise SourceError("the answer is not a CSV file")
        return Check("FRED key-less CSV reachable", "ok", settings.fred_csv_url)
    except (SourceError, ValueError) as exc:
        name = "FRED API reachable" if settings.fred_api_key else "FRED key-less CSV reachable"
        return Check(name, "fail", redact(exc), _network_fix(settings))
    finally:
        session.close()


def check_yahoo(settings: SourceSettings) -> Check:
    session = YahooSession(settings.network, base_url=settings.yahoo_base_url)
    url = f"https://query2.finance.yahoo.com/v8/finance/chart/{PROBE_TICKER}"
    try:
        response = session.get(url, params={"range": "5d", "interval": "1d"})
        status = int(response.status_code)
        if status == 429:
            return Check("Yahoo Finance reachable", "warn", "rate limited (HTTP 429)", "wait a few minutes; runs "
                         "retry with backoff and fall back to the store meanwhile")
        if status >= 400:
            return Check("Yahoo Finance reachable", "fail", f"HTTP {status}", _network_fix(settings))
        result = (response.json().get("chart") or {}).get("result") or []
        if not result:
            return Check("Yahoo Finance reachable", "fail", "the chart answer has no data", _network_fix(settings))
        return Check("Yahoo Finance reachable", "ok", f"chart API answered for {PROBE_TICKER}")
    except Exception as exc:  # curl errors and JSON errors alike mean "not usable from here"
        return Check("Yahoo Finance reachable", "fail", f"{type(exc).__name__}: {redact(exc)[:120]}",
                     _network_fix(settings))
    finally:
        session.close()


def check_store(settings: SourceSettings) -> Check:
    store = ParquetStore(settings.data_dir)
    where = str(store.root)
    try:
        store.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=store.folder, prefix=".doctor-"):
            pass
        listed = store.list()
    except (OSError, StoreError) as exc:
        return Check("Local store", "fail", f"{where}: {exc}", "set BRIEFING_DATA_DIR to a writable folder")
    if not listed:
        return Check("Local store", "warn", f"{where}: empty", "run `briefing generate` once with network "
                     "access (or `briefing data import FILE...`) to fill it")
    size = sum(s.bytes for s in listed)
    newest = max(s.last for s in listed if s.last)
    oldest = min(s.last for s in listed if s.last)
    return Check("Local store", "ok", f"{where}: {len(listed)} series, {size / 1e6:.1f} MB, newest observation "
                 f"{newest}, oldest last observation {oldest}")


def check_weasyprint() -> Check:
    try:
        import weasyprint
    except (OSError, ImportError) as exc:
        return Check("WeasyPrint (PDF)", "fail", f"cannot load: {str(exc).splitlines()[0][:120]}",
                     "install Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0 (see the README)")
    version = getattr(weasyprint, "__version__", "?")
    if shutil.which("fc-list") is None:
        return Check("WeasyPrint (PDF)", "warn", f"version {version}; fontconfig's fc-list not found",
                     "install fontconfig and a font: apt-get install fontconfig fonts-dejavu-core")
    fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=20, check=False)
    families = {line.strip() for line in fonts.stdout.splitlines() if line.strip()}
    if not families:
        return Check("WeasyPrint (PDF)", "fail", f"version {version}; no fonts installed",
                     "apt-get install fonts-dejavu-core")
    return Check("WeasyPrint (PDF)", "ok", f"version {version}, {len(families)} font families")


def check_output(output_dir: Path) -> Check:
    target = output_dir if output_dir.exists() else next((p for p in output_dir.parents if p.exists()), Path("."))
    try:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("Output folder", "fail", f"{output_dir}: not writable ({exc.strerror})",
                     "pass --output with a writable folder")
    state = "exists" if output_dir.exists() else f"will be created in {target}"
    return Check("Output folder", "ok", f"{output_dir} ({state}, writable)")


def run_checks(
    settings: SourceSettings | None = None,
    output_dir: Path = Path("output"),
    offline: bool = False,
    report: Callable[[Check], None] | None = None,
) -> list[Check]:
    """Run every check in order; ``report`` sees each as soon as it is done."""
    install_log_redaction()
    say = report or (lambda _check: None)
    try:
        conf = settings or SourceSettings.from_env()
    except BriefingError as exc:
        failed = Check("Settings", "fail", str(exc), "fix the environment variable named")
        say(failed)
        return [failed]
    steps: list[Callable[[], Check]] = [lambda: check_fred_key(conf)]
    if not offline:
        steps += [lambda: check_yahoo(conf), lambda: check_fred(conf)]
    steps += [lambda: check_store(conf), check_weasyprint, lambda: check_output(output_dir)]
    checks: list[Check] = []
    for step in steps:
        checks.append(step())
        say(checks[-1])
    return checks

