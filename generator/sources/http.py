"""Network plumbing shared by the live providers: settings, retries, rate limits, redaction.

Why one module: every provider must behave the same way when the network
misbehaves (bounded timeouts, exponential backoff with jitter for transient
failures and 429s, a ceiling on request rate) and must never leak a secret.
FRED takes its API key in the query string, so any URL, any exception text
from an HTTP library and any debug line of ``urllib3`` can carry it; the
helpers here scrub such text at the boundary, before it reaches a log, an
exception or a manifest.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.errors import RateLimitError, SourceError, TransientSourceError, UsageError
from generator.version import __version__

if TYPE_CHECKING:  # requests and tenacity are imported when first used: offline runs never need them
    import requests
    from tenacity import RetryCallState, Retrying

log = logging.getLogger(__name__)

USER_AGENT = f"macro-briefing/{__version__}"
REDACTED = "***"

_KEY_PARAM = re.compile(r"(?i)(api_key|apikey|token|access_token|crumb)=([^&\s'\"<>]+)")


@dataclass(frozen=True)
class NetworkSettings:
    """How patient and how persistent network access is; one value shared by all providers.

    ``timeout`` bounds every single request (connect plus read). ``retries``
    is the number of further attempts after a transient failure; the wait
    before attempt *n* is ``backoff * 2**n`` plus up to ``backoff`` of jitter,
    capped at ``backoff_max``. ``proxy`` applies to http and https alike.
    """

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    backoff_max: float = 30.0
    proxy: str | None = None

    @property
    def proxies(self) -> dict[str, str] | None:
        return {"http": self.proxy, "https": self.proxy} if self.proxy else None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NetworkSettings:
        """Read ``BRIEFING_HTTP_TIMEOUT``, ``BRIEFING_HTTP_RETRIES``, ``BRIEFING_HTTP_BACKOFF``, ``BRIEFING_PROXY``.

        Without ``BRIEFING_PROXY`` the usual ``HTTPS_PROXY``/``https_proxy`` is honoured.
        """
        env = os.environ if env is None else env

        def number(name: str, default: float, kind: Callable[[str], float]) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise UsageError(f"{name}={raw!r}: expected a number") from None
            if value < 0:
                raise UsageError(f"{name}={raw!r}: expected a number >= 0")
            return value

        proxy = env.get("BRIEFING_PROXY") or env.get("HTTPS_PROXY") or env.get("https_proxy") or None
        return cls(
            timeout=number("BRIEFING_HTTP_TIMEOUT", cls.timeout, float) or cls.timeout,
            retries=int(number("BRIEFING_HTTP_RETRIES", cls.retries, int)),
            backoff=number("BRIEFING_HTTP_BACKOFF", cls.backoff, float),
            proxy=proxy,
        )


# ---------------------------------------------------------------- redaction

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret so :func:`redact` (and the log filter) scrub it wherever it shows up."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """``text`` with every registered secret and every ``api_key=...`` query value replaced by ``***``."""
    out = str(text)
    with _secrets_lock:
        known = {*_secrets, *(s for s in secrets if s)}
    for secret in sorted(known, key=len, reverse=True):
        out = out.replace(secret, REDACTED)
    return _KEY_PARAM.sub(lambda m: f"{m.group(1)}={REDACTED}", out)


class RedactingFilter(logging.Filter):
    """Rewrites a log record's message so secrets never reach a handler.

    Installed on the loggers of libraries that print request URLs (``urllib3``
    logs every request line at DEBUG, query string included).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info, record.exc_text = None, exc_text
        return True


_LEAKY_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3", "requests", "fredapi", "yfinance")
_installed = False


def install_log_redaction() -> None:
    """Attach :class:`RedactingFilter` to the third-party loggers that may print URLs (idempotent)."""
    global _installed
    if _installed:
        return
    for name in _LEAKY_LOGGERS:
        logging.getLogger(name).addFilter(RedactingFilter())
    _installed = True


# ---------------------------------------------------------------- retries


def _wait(settings: NetworkSettings) -> Callable[[RetryCallState], float]:
    """Exponential backoff with jitter; a 429's ``Retry-After`` is honoured up to ``backoff_max``."""
    from tenacity.wait import wait_exponential_jitter

    base = wait_exponential_jitter(multiplier=settings.backoff, max=settings.backoff_max, jitter=settings.backoff)

    def wait(state: RetryCallState) -> float:
        delay = base(state)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitError) and exc.retry_after:
            delay = max(delay, min(exc.retry_after, settings.backoff_max))
        return delay

    return wait


def retrying(settings: NetworkSettings, what: str, sleep: Callable[[float], None] = time.sleep) -> Retrying:
    """A tenacity ``Retrying`` for transient failures only; the last error is re-raised as is."""
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt


    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.info("%s: %s; retry %d of %d in %.2fs", what, redact(exc), state.attempt_number, settings.retries, wait)

    return Retrying(
        stop=stop_after_attempt(settings.retries + 1),
        wait=_wait(settings),
        retry=retry_if_exception_type(TransientSourceError),
        reraise=True,
        sleep=sleep,
        before_sleep=before_sleep,
    )


class RateLimiter:
    """At most ``calls`` request starts in any ``period`` seconds, shared by all threads of a provider.

    FRED allows 120 requests a minute per key; going over earns 429s for a while,
    so the provider paces itself instead of relying on retries.
    """

    def __init__(
        self,
        calls: int,
        period: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("a rate limit needs calls >= 1 and period > 0")
        self.calls, self.period = calls, period
        self._clock, self._sleep = clock, sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            while self._starts and now - self._starts[0] >= self.period:
                self._starts.popleft()
            if len(self._starts) >= self.calls:
                self._sleep(self.period - (now - self._starts[0]))
                now = self._clock()
                self._starts.popleft()
            self._starts.append(now)


# ---------------------------------------------------------------- requests-based access


def requests_session(settings: NetworkSettings) -> requests.Session:
    """A plain ``requests`` session with the project's user agent and proxy."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    if settings.proxies:
        session.proxies.update(settings.proxies)
    return session


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def http_get(
    session: requests.Session, url: str, params: Mapping[str, Any], settings: NetworkSettings, what: str
) -> requests.Response:
    """One GET, bounded by ``settings.timeout``, with failures turned into typed, redacted errors.

    429 becomes :class:`RateLimitError`, 5xx and network trouble
    :class:`TransientSourceError` (both retried by :func:`retrying`); other
    4xx are returned for the caller to interpret. Errors are raised outside
    the ``except`` block so the original exception, whose text holds the full
    URL, is not chained onto ours.
    """
    import requests

    failure: SourceError | None = None
    try:
        response = session.get(url, params=dict(params), timeout=settings.timeout)
    except requests.Timeout:
        failure = TransientSourceError(f"{what}: timed out after {settings.timeout:g}s")
    except requests.ConnectionError as exc:
        cause = _short(exc)
        if "NameResolution" in cause:  # no DNS: offline or a wrong host; retrying will not help
            failure = SourceError(f"{what}: cannot resolve the host (offline, or set BRIEFING_PROXY)")
        else:
            failure = TransientSourceError(f"{what}: connection failed ({redact(cause)})")
    except requests.RequestException as exc:
        failure = SourceError(f"{what}: request failed ({redact(_short(exc))})")
    if failure is not None:
        raise failure
    if response.status_code == 429:
        raise RateLimitError(
            f"{what}: HTTP 429 Too Many Requests (rate limited)",
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    if response.status_code >= 500:
        raise TransientSourceError(f"{what}: HTTP {response.status_code} {response.reason or ''}".rstrip())
    return response


def _short(exc: BaseException) -> str:
    """The innermost useful part of a requests/urllib3 error message, without the URL."""
    text = str(exc)
    match = re.search(r"\(Caused by (\w+)\(", text)
    return match.group(1) if match else type(exc).__name__
