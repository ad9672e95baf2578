"""Serve recorded Yahoo quoteSummary answers (tests/fixtures/yahoo, see its README) on a loopback server.

Yahoo answers a quoteSummary request with the modules asked for; the recorded
answers hold more modules than yfinance asks for, so the route answers with
the recorded result cut to the ``modules`` of the request, as Yahoo does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yahoo"
JSON = {"Content-Type": "application/json;charset=utf-8"}
NOT_FOUND = "quoteSummary-ADH-404-2025-02-24.json"  # Yahoo's 404 for modules a symbol does not have
CRUMB = "lBVv2pgWbZ4"  # yfinance caches a crumb process-wide: every test serves this one


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def serve_funds(
    loopback: Any, answers: dict[str, str], status: dict[str, int] | None = None, times: dict[str, int] | None = None
) -> None:
    """Answer ``/v10/finance/quoteSummary/SYMBOL`` with the recorded file named in ``answers`` for SYMBOL.

    A symbol not in ``answers`` gets Yahoo's recorded 404; ``status`` forces
    another status (e.g. 500) for a symbol, with a plain-text body, the first
    ``times[symbol]`` times it is asked (every time if not given).
    """
    left = dict(times or {})
    loopback.route("/v1/test/getcrumb", lambda p, q: (200, {"Content-Type": "text/plain"}, CRUMB))

    def summary(path: str, query: dict[str, str]):  # type: ignore[no-untyped-def]
        symbol = unquote(path.rsplit("/", 1)[-1])
        forced = (status or {}).get(symbol)
        if forced is not None and left.get(symbol, 1) > 0:
            if symbol in left:
                left[symbol] -= 1
            return forced, {"Content-Type": "text/plain"}, f"HTTP {forced}"
        if symbol not in answers:
            return 404, JSON, (FIXTURES / NOT_FOUND).read_text(encoding="utf-8")
        body = recorded(answers[symbol])
        modules = [m for m in query.get("modules", "").split(",") if m]
        result = body["quoteSummary"]["result"][0]
        cut = {k: v for k, v in result.items() if not modules or k in modules}
        return 200, JSON, json.dumps({"quoteSummary": {"result": [cut], "error": None}})

    loopback.route("/v10/finance/quoteSummary/", summary)
