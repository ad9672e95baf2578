"""Lay out the PDF in two parts at once, one per core, and join them (see ``pdf_split`` and ``pdf_join``).

The parent parses the HTML and picks where to cut (``pdf_split.analyse``),
then forks one process per part, after WeasyPrint is imported, so each starts
with the libraries loaded and the parsed document in memory. Each child builds
its part, lays it out, writes its pages and sends them back through a pipe;
then it exits. The parent joins the parts with pikepdf.

A part needs numbers it cannot know before the other parts are laid out: how
many pages come before and after it, and the pages of the anchors it links to
in other parts. They are *predicted* (from the last layout of a document of
the same shape, kept in :class:`PageHints`) and *checked* when the parts come
back: a part whose numbers were wrong is laid out again with the right ones,
started as soon as the parts it depends on are known, while the others go on.
So the result is always the single pass's; a good prediction only makes it
faster. A part that fails, or numbers that do not settle, leave the caller to
lay the document out in one pass.

Children die with the parent (``generator.lifeline.die_with``: the kernel's
parent-death signal and a pidfd watch), and the parent kills any child still
running when it stops waiting, however it stops.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import resource
import selectors
import shutil
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.lifeline import die_with, private_tempdir
from generator.render.pdf_hints import PageHints, Pagination, shape_key
from generator.render.pdf_join import PartPdf, join
from generator.render.pdf_split import (
    GHOST_PAGE,
    WEIGHT_PER_PAGE,
    Cut,
    Numbers,
    Uncuttable,
    analyse,
    estimate,
    ghost_name,
    part_html,
)

log = logging.getLogger(__name__)

MAX_RENDERS = 3  # per part; numbers that have not settled by then fall back to one pass

# write(document, first): set the metadata and write the PDF (the attachments with the first part); also
# returns the warnings WeasyPrint logged.
Writer = Callable[[Any, bool], tuple[bytes, list[str]]]
# render(html): lay out an HTML string; returns the WeasyPrint document and the warnings it logged.
Renderer = Callable[[str], tuple[Any, list[str]]]


@dataclass(frozen=True)
class Laid:
    """One part laid out, as it crosses back from the child."""

    part: PartPdf
    warnings: tuple[str, ...]
    cpu: float  # seconds of CPU in the child
    max_rss_mib: float  # peak resident memory of the child, the pages it shares with the parent included
    private_mib: float  # its own memory when the part was written (Linux; 0 elsewhere)


@dataclass
class Outcome:
    """The joined PDF and what it took (for the log and the benchmark)."""

    pdf: bytes
    warnings: list[str]
    spans: list[range]
    renders: list[int]  # layouts per part (1 when the prediction was right)
    cpu: list[float] = field(default_factory=list)
    max_rss_mib: list[float] = field(default_factory=list)
    private_mib: list[float] = field(default_factory=list)
    wall: float = 0.0


# ------------------------------------------------------------------ in the child


def lay_out_part(cut: Cut, spans: Sequence[range], i: int, numbers: Numbers, render: Renderer, write: Writer) -> Laid:
    """Build part ``i``, lay it out, and write its own pages (the ghost pages are dropped)."""
    started = time.process_time()
    document, warnings = render(part_html(cut, spans[i], numbers))
    pages = document.pages
    real = pages[numbers.before : len(pages) - numbers.after]
    for g in range(1, numbers.before + 1):
        _expect_ghost(pages, g - 1, ghost_name(g))
    for k in range(1, numbers.after + 1):
        _expect_ghost(pages, len(pages) - numbers.after + k - 1, ghost_name(-k))
    if not real:
        raise Uncuttable(f"part {i} has no page of its own")
    own = {a for u in spans[i] for a in cut.units[u].anchors}
    anchors: dict[str, int] = {}
    for n, page in enumerate(real):  # a box broken across pages has its anchor on each: the first one counts
        for name in page.anchors:
            if name in own:
                anchors.setdefault(name, n)
    # The anchors of other parts sit on ghost pages, which are not written: move them to a written page so
    # WeasyPrint keeps the links to them (the join points those names at the right pages).
    ghosts = [p for p in pages if p not in real]
    for page in ghosts:
        for name, where in page.anchors.items():
            if not name.startswith(GHOST_PAGE):
                real[0].anchors.setdefault(name, where)
    pdf, write_warnings = write(document.copy(real), i == 0)
    part = PartPdf(
        pdf=pdf,
        anchors=anchors,
        heights=tuple(p.height for p in real),
        bookmarks=tuple(tuple(p.bookmarks) for p in real),
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Laid(part, tuple(warnings) + tuple(write_warnings), time.process_time() - started, rss, _private_mib())


def _private_mib() -> float:
    """This process's own memory: what it wrote to since the fork and what it mapped alone."""
    try:
        rollup = Path("/proc/self/smaps_rollup").read_text()
    except OSError:
        return 0.0
    kib = sum(int(line.split()[1]) for line in rollup.splitlines() if line.startswith(("Private_Clean:", "Private_Dirty:")))
    return kib / 1024


def _expect_ghost(pages: Sequence[Any], index: int, name: str) -> None:
    if not 0 <= index < len(pages) or name not in pages[index].anchors:
        raise Uncuttable(f"ghost page {name} did not land on page {index + 1}: the cut is not at a page break")


# ------------------------------------------------------------------ processes


class _Child:
    """``job()`` run in a forked process; its result comes back pickled through a pipe."""

    def __init__(self, job: Callable[[], object], part: int, numbers: Numbers, close: Sequence[int] = ()) -> None:
        self.part, self.numbers = part, numbers
        parent = os.getpid()
        read, write = os.pipe()
        # The collector would write to every object it visits, copying the pages the processes share.
        gc.freeze()
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # pragma: no cover - the child's own coverage is not collected
            for fd in (read, *close):  # the parent's ends of the other children's pipes, its selector
                with contextlib.suppress(OSError):
                    os.close(fd)
            _child_main(job, parent, write)
        gc.unfreeze()
        os.close(write)
        self.pid, self.fd = pid, read
        self.chunks: list[bytes] = []
        self.finished = False

    def fileno(self) -> int:
        return self.fd

    def read(self) -> bool:
        """Read what is there; True once the child has closed the pipe."""
        data = os.read(self.fd, 1 << 20)
        self.chunks.append(data)
        return not data

    def reap(self) -> None:
        """After the pipe was closed: close this end (once out of the selector) and reap the child."""
        os.close(self.fd)
        with contextlib.suppress(ChildProcessError):  # reaped by someone else's os.wait(): it has exited all the same
            os.waitpid(self.pid, 0)
        self.finished = True

    def result(self) -> Laid:
        try:
            ok, value = pickle.loads(b"".join(self.chunks))
            assert isinstance(value, Laid) or not ok
        except Exception as exc:
            raise RuntimeError(f"part {self.part}: no result came back ({exc})") from None
        if not ok:
            raise RuntimeError(f"part {self.part}: {value}")
        return value

    def kill(self) -> None:
        if self.finished:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.finished = True


def _child_main(job: Callable[[], object], parent: int, fd: int) -> None:  # pragma: no cover - runs in the child
    status = 1
    folder = None
    try:
        die_with(parent)
        # WeasyPrint keeps fonts in a temporary folder that it removes when the document is collected; a
        # child leaves with os._exit, so its temporary files go in a folder of its own, removed here (or, if
        # it is killed, by the next run: generator/lifeline.py).
        folder = private_tempdir()
        payload = pickle.dumps((True, job()), protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    except BaseException as exc:
        payload = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        os._exit(status)


# ------------------------------------------------------------------ the parent


def render_in_parts(html: str, render: Renderer, write: Writer, *, parts: int = 2,
                    hints: PageHints | None = None) -> Outcome | None:
    """The joined PDF, or None where the document cannot be laid out in parts (then lay it out in one pass)."""
    started = time.perf_counter()
    try:
        cut = analyse(html)
        if sum(u.weight for u in cut.units) < WEIGHT_PER_PAGE:
            raise Uncuttable("less than a page: not worth a second process")
        spans = cut.balanced(parts)
    except Uncuttable as exc:
        log.debug("PDF in one pass: %s", exc)
        return None
    key = shape_key(cut, spans)
    predicted = hints.get(key) if hints else None
    if predicted is None or len(predicted.pages) != len(spans):
        guess = estimate(cut, spans)  # checked below like any prediction
        predicted = Pagination(guess.pages, guess.anchors)
    run = _Run(cut, spans, render, write)
    try:
        final = run.until_settled(predicted)
    except (RuntimeError, Uncuttable) as exc:
        log.warning("PDF in one pass: laying out in parts failed: %s", exc)
        return None
    if final is None:
        log.warning("PDF in one pass: the page numbers of the parts did not settle")
        return None
    pdf = join([f.part for f in final])
    if hints is not None:
        wanted = {anchor for n in run.wanted for anchor, _ in (*n.anchors_before, *n.anchors_after)}
        hints.put(key, Pagination(tuple(len(f.part.heights) for f in final),
                                  tuple({a: p for a, p in f.part.anchors.items() if a in wanted} for f in final)))
    return Outcome(
        pdf=pdf,
        warnings=[w for f in final for w in f.warnings],
        spans=list(spans),
        renders=run.renders,
        cpu=[f.cpu for f in final],
        max_rss_mib=[f.max_rss_mib for f in final],
        private_mib=[f.private_mib for f in final],
        wall=time.perf_counter() - started,
    )


class _Run:
    """The parts' layouts under way and done, and which numbers each part was last asked to use."""

    def __init__(self, cut: Cut, spans: Sequence[range], render: Renderer, write: Writer) -> None:
        self.cut, self.spans, self.render, self.write = cut, spans, render, write
        count = len(spans)
        self.results: list[dict[Numbers, Laid]] = [{} for _ in range(count)]
        self.latest: list[Laid | None] = [None] * count
        self.wanted: list[Numbers] = [Numbers(0, 0)] * count
        self.renders = [0] * count
        self.running: list[_Child] = []
        self.chooser = selectors.DefaultSelector()

    def until_settled(self, predicted: Pagination) -> list[Laid] | None:
        """Lay out every part until each was laid out with the numbers the others' layouts give it."""
        try:
            for i in range(len(self.spans)):
                self._start(i, predicted.numbers(self.cut, self.spans, i))
            while True:
                needs = [self._need(i) for i in range(len(self.spans))]
                if all(need == self.wanted[i] and need in self.results[i] for i, need in enumerate(needs)):
                    return [self.results[i][self.wanted[i]] for i in range(len(self.spans))]
                for i, need in enumerate(needs):
                    if need is not None and need != self.wanted[i]:
                        if self.renders[i] >= MAX_RENDERS:
                            return None
                        if self.latest[i] is not None:  # its pages are known: an outdated layout is of no use
                            for child in [c for c in self.running if c.part == i]:
                                self._drop(child)
                        self._start(i, need)
                self._wait()
        finally:
            for child in list(self.running):
                self._drop(child)
            self.chooser.close()

    def _need(self, i: int) -> Numbers | None:
        """Part ``i``'s numbers, once every other part has been laid out at least once."""
        if any(self.latest[k] is None for k in range(len(self.spans)) if k != i):
            return None
        return self._pagination().numbers(self.cut, self.spans, i)

    def _pagination(self) -> Pagination:
        # A part counts with its layout for the numbers it was last asked to use, else with its latest one.
        chosen = [self.results[i].get(self.wanted[i]) or self.latest[i] for i in range(len(self.spans))]
        return Pagination(tuple(len(c.part.heights) if c else 0 for c in chosen),
                          tuple(c.part.anchors if c else {} for c in chosen))

    def _start(self, i: int, numbers: Numbers) -> None:
        cut, spans, render, write = self.cut, self.spans, self.render, self.write
        self.renders[i] += 1
        self.wanted[i] = numbers
        others = [c.fd for c in self.running] + [self.chooser.fileno()]
        child = _Child(lambda: lay_out_part(cut, spans, i, numbers, render, write), i, numbers, others)
        self.running.append(child)
        self.chooser.register(child, selectors.EVENT_READ)

    def _drop(self, child: _Child) -> None:
        self.chooser.unregister(child)
        child.kill()
        self.running.remove(child)

    def _wait(self) -> None:
        if not self.running:
            raise RuntimeError("no part is being laid out, yet the numbers have not settled")
        for event, _ in self.chooser.select():
            child = event.fileobj
            assert isinstance(child, _Child)
            if child.read():
                # Out of the selector before the descriptor is closed: the other children hold copies of it,
                # and epoll would go on reporting a closed descriptor whose file is still open.
                self.chooser.unregister(child)
                child.reap()
                self.running.remove(child)
                laid = child.result()
                self.results[child.part][child.numbers] = laid
                self.latest[child.part] = laid
