"""HTML to PDF with WeasyPrint: a closed fetcher, document metadata, warnings surfaced; optionally PDF/A
with embedded files.

The HTML is self-contained: the charts are ``data:`` URLs and the only files
WeasyPrint may read are the shipped font files (``render.fonts``). So a PDF
build never touches the network, and a broken resource fails the build.

WeasyPrint reports layout problems (an unknown CSS property, a font that did
not load, an image it could not draw, a link to a missing anchor) as log
warnings or errors. They are collected during the build and re-issued as
:class:`PdfWarning` Python warnings, which the test suite turns into errors: a
briefing that WeasyPrint complains about does not pass.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import struct
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.render.context import BriefingContext
from generator.render.fonts import font_dir

log = logging.getLogger(__name__)


class PdfWarning(UserWarning):
    """WeasyPrint warned while laying out or writing the briefing."""


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF. ``relationship`` is PDF 2.0's AFRelationship (Data, Source, ...)."""

    name: str
    data: bytes
    description: str
    relationship: str = "Data"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    fonts = font_dir()

    class ClosedFetcher(URLFetcher):
        """``data:`` URLs, and ``file:`` URLs inside the shipped font folder; anything else is refused."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(fonts):
                    raise ValueError(f"refused to read {path}: only the shipped fonts may be read")
            elif not url.startswith("data:"):
                raise ValueError(f"refused to fetch {url[:80]}: the briefing must be self-contained")
            return super().fetch(url, headers)

    return ClosedFetcher(allowed_protocols=("data", "file"), fail_on_errors=True)


def _linker_cache_lookup() -> Callable[[str], str | None] | None:
    """``ctypes.util.find_library`` answered from one reading of the linker cache (``ldconfig -p``).

    That is find_library's own first step on Linux; only its fallbacks (running
    gcc, then ld, once per name) are left out. ``None`` where there is no cache.
    """
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, env={"LC_ALL": "C", "LANG": "C"},
                                 timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    machine = os.uname().machine + ("-64" if struct.calcsize("l") == 8 else "-32")
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")

    def find(name: str) -> str | None:
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), listing)
        return os.fsdecode(found.group(1)) if found else None

    return find


def preload() -> None:
    """Import WeasyPrint now, e.g. while another process draws the charts.

    WeasyPrint's import tries several names for each system library (Windows,
    macOS and Linux spellings); each that does not load makes cffi call
    ``ctypes.util.find_library``, which on Linux runs ldconfig and gcc as
    subprocesses, some twenty of them: 0.2 s of a half-second import. During the
    import those look-ups are answered from one reading of the linker cache.
    """
    if "weasyprint" in sys.modules:
        return
    import ctypes.util

    original = ctypes.util.find_library
    lookup = _linker_cache_lookup() if sys.platform.startswith("linux") else None
    if lookup is not None:
        ctypes.util.find_library = lookup
    try:
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = original


@dataclass(frozen=True)
class PdfJob:
    """How this briefing's PDF is laid out and written: the same two steps in one pass and in parts."""

    context: BriefingContext
    attachments: tuple[PdfAttachment, ...] = ()
    pdf_variant: str | None = None

    def lay_out(self, html: str) -> tuple[Any, list[str]]:
        """WeasyPrint's document for ``html``, and what it warned about."""
        preload()
        from weasyprint import HTML  # imported here: it is slow to import and only this stage needs it

        with _collected() as messages:
            return HTML(string=html, url_fetcher=_fetcher(), base_url=".").render(), messages

    def write(self, document: Any, with_attachments: bool) -> tuple[bytes, list[str]]:
        """The PDF of ``document`` with the briefing's metadata (and the attachments if asked), and warnings."""
        from weasyprint import Attachment

        _set_metadata(document, self.context)
        created = self.context.generated_at.replace(microsecond=0, tzinfo=None)
        embedded = [
            Attachment(file_obj=io.BytesIO(a.data), name=a.name, description=a.description,
                       relationship=a.relationship, created=created, modified=created)
            for a in (self.attachments if with_attachments else ())
        ]
        with _collected() as messages:
            return document.write_pdf(attachments=embedded or None, pdf_variant=self.pdf_variant), messages


def parallel_default(load: float | None = None) -> bool:
    """Lay out in two processes where that helps: Linux (fork), a second core that is free, and not inside a
    worker process (a pool of workers keeps the cores busy already). ``BRIEFING_PDF_PARALLEL=0`` or ``1`` decides.

    "Free": the load average over the last minute (``load``, by default the system's), which counts this
    process too, stays half a core below the cores there are. On a busy machine the second process only
    competes with the others: measured on two cores at a load of 3.5, the two parts took longer than one pass.
    """
    setting = os.environ.get("BRIEFING_PDF_PARALLEL", "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if not sys.platform.startswith("linux"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    import multiprocessing

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    if load is None:
        load = os.getloadavg()[0]
    return cores > 1 and load < cores - 0.5 and multiprocessing.parent_process() is None


_hints: Any = None


def _page_hints() -> Any:
    global _hints
    if _hints is None:
        from generator.render.pdf_hints import PageHints

        _hints = PageHints.default()
    return _hints


def render_pdf(
    html: str,
    context: BriefingContext,
    *,
    attachments: Sequence[PdfAttachment] = (),
    pdf_variant: str | None = None,
    parallel: bool | None = None,
) -> bytes:
    """Lay out ``html`` (rendered for the pdf target) and return the PDF bytes.

    ``pdf_variant`` such as ``"pdf/a-3b"`` makes an archival PDF; ``attachments``
    are embedded files (PDF/A-3 allows any file type, each tied to the document).
    ``parallel``: lay the document out in two parts at once, in two processes,
    and join them (``pdf_parts``; the same PDF as one pass, in about half the
    time); ``False`` lays it out in one pass here, the reference. By default,
    :func:`parallel_default`. A document that cannot be cut is laid out in one pass.
    """
    preload()  # before any fork: the parts' processes start with WeasyPrint loaded
    job = PdfJob(context, tuple(attachments), pdf_variant)
    outcome = None
    if parallel if parallel is not None else parallel_default():
        from generator.render.pdf_parts import render_in_parts

        outcome = render_in_parts(html, job.lay_out, job.write, hints=_page_hints())
    if outcome is not None:
        pdf, messages = outcome.pdf, outcome.warnings
        log.debug("PDF laid out in %d parts (units %s, layouts %s) in %.2f s", len(outcome.spans),
                  [(s.start, s.stop) for s in outcome.spans], outcome.renders, outcome.wall)
    else:
        document, messages = job.lay_out(html)
        pdf, written = job.write(document, True)
        messages = messages + written
    for message in messages:
        warnings.warn(f"WeasyPrint: {message}", PdfWarning, stacklevel=2)
    return pdf


@contextlib.contextmanager
def _collected() -> Iterator[list[str]]:
    """What WeasyPrint logs at warning level or above while the block runs."""
    collect = _Collect()
    wp_logger = logging.getLogger("weasyprint")
    wp_logger.addHandler(collect)
    try:
        yield collect.messages
    finally:
        wp_logger.removeHandler(collect)


def _set_metadata(document: Any, context: BriefingContext) -> None:
    meta = document.metadata
    meta.title = f"{context.title} - {context.briefing_date}"
    meta.authors = [context.author]
    meta.description = context.subtitle
    meta.keywords = list(context.keywords) or ["briefing"]
    meta.generator = f"macro-briefing {context.version}"
    meta.lang = "en"
    created = context.generated_at.replace(microsecond=0)
    meta.created = created.isoformat()
    meta.modified = datetime.now(created.tzinfo).replace(microsecond=0).isoformat()
