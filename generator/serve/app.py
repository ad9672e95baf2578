"""The web app over the archive (Starlette): the index, each briefing's files, compare, and "generate now".

Routes::

    GET  /                       the archive: every briefing with links, generate and compare forms
    GET  /index.html             the archive's own index page (stance timeline, flag heat-map), when built
    GET  /DATE/FILE              briefing.html, briefing.pdf or manifest.json of one briefing
    GET  /compare?a=DATE&b=DATE  every indicator and flag in both briefings, with the changes
    POST /generate               form field date (and fresh=1 to replace one that exists): start a build
    GET  /briefing?date=DATE     the briefing of DATE if archived, else a page with a button that POSTs to
                                 /generate (a GET never changes anything)
    GET  /jobs/ID                progress of a build; refreshes itself (<meta http-equiv=refresh>, no script)

Only those names are served: a date must parse as a date and a file name must be
one of three, and the resolved path must lie inside the archive, so no request
reaches a file outside it however it is encoded. Every page is a Jinja template
with autoescaping on.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from generator.archive.index import INDEX_FILE, list_rows
from generator.archive.read import ArchivedBriefing
from generator.compare import format_change
from generator.errors import ArchiveError, UsageError
from generator.manifest import MANIFEST_FILE, parse_manifest
from generator.render.html import TEMPLATES_DIR, environment
from generator.serve.jobs import Build, Busy, Generator, Job, RateLimited
from generator.serve.security import Guard

log = logging.getLogger(__name__)

SERVE_TEMPLATES = TEMPLATES_DIR / "serve"
FILES = {
    "briefing.html": "text/html; charset=utf-8",
    "briefing.pdf": "application/pdf",
    "manifest.json": "application/json",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_FORM_BYTES = 2048


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(SERVE_TEMPLATES)),
        autoescape=True,  # every template, whatever its name: user input is shown on some pages
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["change"] = format_change
    env.filters["num"] = lambda v, d=2: "-" if v is None else f"{v:,.{d}f}"
    return env


def parse_day(text: str | None) -> date | None:
    """A strict YYYY-MM-DD, or None: path and query input never reaches the file system otherwise."""
    if not text or not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class App:
    """The routes, bound to one archive root and one generator."""

    def __init__(self, root: Path, generator: Generator, today: Any = None) -> None:
        self.root = Path(root).resolve()
        self.generator = generator
        self.env = _environment()
        self.today = today or (lambda: datetime.now(UTC).date())

    def page(self, name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=headers)

    def message(self, status: int, title: str, text: str, headers: dict[str, str] | None = None) -> HTMLResponse:
        return self.page("message.html.j2", status, headers, title=title, text=text)

    def inside(self, *parts: str) -> Path | None:
        """``root/parts`` if it is a file inside the archive (after resolving symlinks), else None."""
        path = self.root.joinpath(*parts).resolve()
        return path if path.is_relative_to(self.root) and path.is_file() else None

    # ------------------------------------------------------------ pages

    async def index(self, request: Request) -> Response:
        rows, problems = await run_in_threadpool(list_rows, self.root)
        return self.page(
            "index.html.j2",
            rows=rows,
            problems=problems,
            today=self.today().isoformat(),
            overview=(self.root / INDEX_FILE).is_file(),
            running=self.generator.current
            if self.generator.current and self.generator.current.state == "running"
            else None,
        )

    async def overview(self, request: Request) -> Response:
        path = self.inside(INDEX_FILE)
        if path is None:
            return self.message(404, "No archive overview yet", "It is written after each briefing is generated.")
        return FileResponse(path, media_type="text/html; charset=utf-8")

    def shown(self, text: str) -> str:
        """A message for a page: paths relative to the archive, never the server's absolute paths."""
        return text.replace(f"{self.root}/", "").replace(str(self.root), "the archive")

    async def file(self, request: Request) -> Response:
        day = parse_day(request.path_params["day"])
        name = request.path_params["name"]
        path = self.inside(day.isoformat(), name) if day is not None and name in FILES else None
        if day is None or path is None:
            return self.message(404, "Not found", "There is no such briefing file in the archive.")
        try:
            data = await run_in_threadpool(self.verified, day, name)
        except ArchiveError as exc:
            return self.message(500, "Damaged briefing", self.shown(str(exc)))
        return Response(data, media_type=FILES[name])

    def verified(self, day: date, name: str) -> bytes:
        """The bytes of ``name`` as served: the manifest validated, any other file checked against its SHA-256."""
        folder = self.root / day.isoformat()
        manifest_path = self.inside(day.isoformat(), MANIFEST_FILE)
        if manifest_path is None:
            raise ArchiveError(f"{folder / MANIFEST_FILE}: manifest is missing")
        raw = manifest_path.read_bytes()
        briefing = ArchivedBriefing(day, folder, parse_manifest(raw, folder / MANIFEST_FILE))
        if briefing.manifest.briefing_date != day:
            raise ArchiveError(f"{folder / MANIFEST_FILE}: briefing_date: does not match its folder {day}")
        return raw if name == MANIFEST_FILE else briefing.read_verified(name)

    async def compare_page(self, request: Request) -> Response:
        """The archive's own compare view (``briefing compare --format html``), for two dates."""
        a, b = parse_day(request.query_params.get("a")), parse_day(request.query_params.get("b"))
        if a is None or b is None:
            return self.message(400, "Two dates needed", "Choose two briefing dates (YYYY-MM-DD) to compare.")
        try:
            # Reads manifests and snapshots and may draw charts: off the event loop.
            page = await run_in_threadpool(render_compare, self.root, a, b)
        except UsageError as exc:
            return self.message(400, "Cannot compare", str(exc))
        except ArchiveError as exc:
            return self.message(404, "Briefing not found", str(exc).replace(str(self.root), "the archive"))
        return HTMLResponse(page)

    async def generate(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return self.message(413, "Request too large", "The form sends a date and nothing more.")
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        return self._start(form.get("date"), fresh=form.get("fresh") == "1")

    async def briefing(self, request: Request) -> Response:
        """The briefing of a date if archived; else a page offering to build it. A GET never builds
        (any web page could make a browser send one): building is a POST from the app's own form."""
        text = request.query_params.get("date")
        day = parse_day(text)
        if day is None:
            return self.message(400, "Not a date", f"Expected a date as YYYY-MM-DD, got {text!r}.")
        if self.inside(day.isoformat(), "briefing.html"):
            return RedirectResponse(f"/{day.isoformat()}/briefing.html", status_code=303)
        return self.page("offer.html.j2", day=day.isoformat(), future=day > self.today())

    def _start(self, text: str | None, fresh: bool) -> Response:
        day = parse_day(text)
        if day is None:
            return self.message(400, "Not a date", f"Expected a date as YYYY-MM-DD, got {text!r}.")
        if day > self.today():
            return self.message(
                400, "Date in the future", f"{day} has not happened yet: a briefing uses published data."
            )
        exists = (self.root / day.isoformat()).is_dir()
        if exists and not fresh:
            return RedirectResponse(f"/{day.isoformat()}/briefing.html", status_code=303)
        try:
            job = self.generator.submit(day, force=exists)
        except Busy as exc:
            return self.job_page(exc.job, 409, busy=True)
        except RateLimited as exc:
            wait = max(1, round(exc.retry_after))
            return self.message(
                429,
                "Please wait",
                f"Generation is limited to one start every {self.generator.min_interval:.0f} s; try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    async def job(self, request: Request) -> Response:
        job = self.generator.get(request.path_params["job_id"])
        if job is None:
            return self.message(404, "No such job", "It may be older than the last 50 builds.")
        return self.job_page(job, 200, busy=False)

    def job_page(self, job: Job, status: int, busy: bool) -> HTMLResponse:
        """A build's progress; its steps and error with paths relative to the archive."""
        with self.generator.lock:
            steps, error = list(job.steps), job.error
        return self.page(
            "job.html.j2",
            status,
            job=job,
            busy=busy,
            steps=[self.shown(step) for step in steps],
            error=self.shown(error or ""),
        )


def render_compare(root: Path, a: date, b: date) -> str:
    from generator.views import compare_dates

    result = compare_dates(root, a, b, charts=True)
    return environment().get_template("compare.html.j2").render(cmp=result.comparison, charts=result.charts)


def create_app(
    root: Path,
    build: Build,
    *,
    bind_host: str = "127.0.0.1",
    token: str | None = None,
    min_interval: float = 60.0,
    today: Any = None,
) -> Starlette:
    """The ASGI app over the archive ``root``; ``build(day, force, progress)`` makes a briefing."""
    app = App(root, Generator(build, min_interval), today)
    routes = [
        Route("/", app.index),
        Route("/index.html", app.overview),
        Route("/compare", app.compare_page),
        Route("/generate", app.generate, methods=["POST"]),
        Route("/briefing", app.briefing),
        Route("/jobs/{job_id}", app.job),
        Route("/{day}/{name}", app.file),
    ]
    starlette = Starlette(routes=routes, middleware=[Middleware(Guard, bind_host=bind_host, token=token)])
    starlette.state.app = app
    return starlette
