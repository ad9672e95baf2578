"""The per-date tasks of a backfill: what runs in a worker process, local or on a Dask cluster.

Each task takes the plan, the date's record and a read-only data snapshot (the
point-in-time slice the analysis was computed on, inside ``analysis``) and
returns the files; it never opens the archive or the data store, so it can run
on a machine that has neither. The client (:mod:`generator.backfill`) writes
what comes back into the archive.

* :func:`html_task` draws the charts and renders the HTML (and the snapshot and
  definition files): everything but the PDF, which is added after the HTML;
* :func:`pdf_task` lays out the PDF of a briefing whose HTML is published, from
  the charts the HTML task drew and the manifest as published;
* :func:`archived_pdf_task` renders the pending PDF of a briefing archived
  earlier, from its folder's record (:mod:`generator.lazy_pdf`).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from generator.errors import BriefingError
from generator.lazy_pdf import PdfTask, render_task
from generator.manifest import PDF_FILE
from generator.model import Analysis, ChartImage
from generator.plan import Plan
from generator.record import Record
from generator.render.documents import render_files
from generator.version import __version__

T = TypeVar("T")
Charts = dict[str, ChartImage]


@dataclass(frozen=True)
class HtmlJob:
    plan: Plan
    analysis: Analysis  # without charts: the task draws them
    record: Record
    formats: tuple[str, ...]  # what to render now: html (or nothing but the record files); never pdf
    version: str = __version__  # the client's: a worker running another version refuses the job


@dataclass(frozen=True)
class Rendered:
    files: dict[str, bytes]
    charts: Charts


@dataclass(frozen=True)
class PdfJob:
    plan: Plan
    analysis: Analysis  # with the charts the HTML task drew
    record: Record  # its manifest as published (the hashes of the files already in the folder)
    version: str = __version__


def _same_version(version: str) -> None:
    if version != __version__:
        raise BriefingError(
            f"this worker runs macro-briefing {__version__}, the client {version}: install the same version on both"
        )


def html_task(job: HtmlJob) -> Rendered:
    """Draw the charts and render everything but the PDF (runs in a worker)."""
    from generator.charts import render_charts

    _same_version(job.version)
    phone = "html" in job.formats  # only the HTML shows the phone renditions
    analysis = replace(job.analysis, charts=render_charts(job.plan.spec, job.analysis.snapshot, phone))
    files = render_files(job.plan, analysis, job.record, job.formats, job.version)
    return Rendered(files=files, charts=analysis.charts)


def pdf_task(job: PdfJob) -> bytes:
    """Lay out the PDF of a briefing whose HTML is published (runs in a worker)."""
    _same_version(job.version)
    return render_files(job.plan, job.analysis, job.record, ("pdf",), job.version)[PDF_FILE]


def archived_pdf_task(task: PdfTask) -> bytes:
    """The pending PDF of a briefing archived earlier, from its folder's record (runs in a worker)."""
    return render_task(task)


# ---------------------------------------------------------------- running a task in a worker


def in_worker(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a local pool's worker, then the temporary files it left (WeasyPrint's fonts) removed."""
    from generator.lifeline import empty_tempdir

    try:
        return func(*args)
    finally:
        empty_tempdir()


_ONE_AT_A_TIME = threading.Lock()


def on_cluster(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` on a Dask worker: one briefing at a time per worker process (matplotlib and WeasyPrint
    are not thread-safe), with its temporary files (WeasyPrint's font folders) in a folder of its own that is
    removed afterwards."""
    with _ONE_AT_A_TIME:
        folder = tempfile.mkdtemp(prefix="macro-briefing-task-")
        before, tempfile.tempdir = tempfile.tempdir, folder
        try:
            return func(*args)
        finally:
            tempfile.tempdir = before
            shutil.rmtree(folder, ignore_errors=True)
