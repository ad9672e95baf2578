"""Secure defaults for the web app: loopback bind, access token, host and origin checks, response headers.

* Bound to a loopback address, the app answers only requests whose ``Host`` is
  that address or ``localhost`` (a web page cannot reach it through DNS
  rebinding). Bound elsewhere, it refuses to start without an access token.
* With ``BRIEFING_SERVE_TOKEN`` set, every request needs it: ``Authorization:
  Bearer TOKEN``, or ``?token=TOKEN`` once (answered with an HttpOnly,
  SameSite=Strict cookie and a redirect that drops it from the address bar).
* Only a POST changes anything, and it must come from the app's own pages
  (``Origin``/``Referer``, and ``Sec-Fetch-Site`` same-origin where the browser
  sends it), so another site cannot make a visitor's browser start or replace a
  build; a request a browser marks ``Sec-Fetch-Site: cross-site`` is refused
  whatever it asks for.
* Every response says: no framing, no MIME sniffing, no referrer, and a content
  security policy that allows no script and no network request at all.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from generator.errors import UsageError

ENV_TOKEN = "BRIEFING_SERVE_TOKEN"
COOKIE = "briefing_token"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to expose the archive beyond this machine without a token."""
    if not is_loopback(host) and not token:
        raise UsageError(
            f"--host {host} makes the archive reachable from other machines: set {ENV_TOKEN} in the environment "
            "to require an access token (or keep the default --host 127.0.0.1)"
        )


def token_from_env() -> str | None:
    return os.environ.get(ENV_TOKEN) or None


class Guard(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, bind_host: str, token: str | None) -> None:
        super().__init__(app)
        self.token = token
        self.local = is_loopback(bind_host)
        self.hosts = {bind_host.strip("[]"), "localhost", "127.0.0.1", "::1"} if self.local else None

    def _host_ok(self, request: Request) -> bool:
        if self.hosts is None:
            return True
        host = urlsplit(f"//{request.headers.get('host', '')}").hostname or ""
        return host in self.hosts

    def _origin_ok(self, request: Request) -> bool:
        origin = request.headers.get("origin") or request.headers.get("referer")
        if not origin:
            return True  # not a browser form post (curl, scripts): the token, if any, still applies
        parts = urlsplit(origin)
        return parts.netloc == request.headers.get("host", "")

    def _token_ok(self, request: Request) -> bool:
        assert self.token is not None
        given = request.cookies.get(COOKIE, "")
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await self._checked(request, call_next)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _checked(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not self._host_ok(request):
            return PlainTextResponse("unknown Host header", status_code=400)
        if self.token is not None:
            offered = request.query_params.get("token")
            if offered is not None and hmac.compare_digest(offered.encode(), self.token.encode()):
                # Trade the token in the URL for a cookie, and drop it from the address bar and history.
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
                redirect = RedirectResponse(target, status_code=303)
                redirect.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
                return redirect
            if not self._token_ok(request):
                return PlainTextResponse(
                    "access token required: open this address with ?token=... once, or send 'Authorization: Bearer'",
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        fetch_site = request.headers.get("sec-fetch-site", "").lower()
        if fetch_site == "cross-site":  # a browser says another site asked for it: a link, an <img>, a form
            return PlainTextResponse("cross-site request refused", status_code=403)
        if request.method not in ("GET", "HEAD") and (
            fetch_site not in ("", "same-origin", "none") or not self._origin_ok(request)
        ):
            return PlainTextResponse("cross-site request refused", status_code=403)
        return await call_next(request)
