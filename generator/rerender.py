"""Re-render an archived briefing from its own folder, offline.

Reads only the folder: ``report.toml`` (the definition used then, whatever
``reports/`` says now), ``snapshot.parquet`` (the data) and ``manifest.json``
(previous flag states for hysteresis, the comparison with the briefing before,
the flag history, the generation time). The numbers are recomputed and checked
against the manifest; any difference (a generator whose formulas changed since)
is reported field by field.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.archive.read import ArchivedBriefing
from generator.archive.write import check_new_folder, write_new_folder
from generator.lazy_pdf import archived_plan, now, reanalyse, rendered
from generator.manifest import MANIFEST_FILE, PDF_FILE, Manifest, build_manifest, manifest_bytes
from generator.record import Record
from generator.render.documents import render_files


@dataclass(frozen=True)
class Rerendered:
    directory: Path
    files: dict[str, Path]
    differences: list[str] = field(default_factory=list)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def differences(archived: Manifest, recomputed: Manifest) -> list[str]:
    """Where the recomputed numbers differ from the archived ones, as 'field: archived -> now' lines."""
    out = []
    for iid, old in archived.indicators.items():
        new = recomputed.indicators.get(iid)
        if new is None:
            out.append(f"indicators.{iid}: no longer computed")
        elif not _same(old.value, new.value):
            out.append(f"indicators.{iid}.value: {old.value} -> {new.value}")
    for fid, f in archived.flags.items():
        g = recomputed.flags.get(fid)
        if g is None or g.state != f.state:
            out.append(f"flags.{fid}.state: {f.state} -> {g.state if g else 'missing'}")
    if archived.stance.label != recomputed.stance.label:
        out.append(f"stance.label: {archived.stance.label} -> {recomputed.stance.label}")
    return out


def rerender(briefing: ArchivedBriefing, target: Path, formats: Sequence[str] = ("html", "pdf")) -> Rerendered:
    """Rebuild ``briefing``'s documents into ``target`` (a new folder) from the archived folder alone.

    The copy's manifest is the archived one, with the hashes of the files written and, when the PDF is among
    them, the PDF rendered (a briefing whose PDF is pending in the archive gets it in the copy too).
    """
    m = briefing.manifest
    check_new_folder(Path(target), briefing.directory.parent)
    plan = archived_plan(briefing)
    snapshot = briefing.snapshot  # ArchiveError naming the file when missing or damaged
    analysis = reanalyse(plan, m, snapshot, phone="html" in formats)
    recomputed = build_manifest(plan, analysis, m.briefing_date, m.generated_at, m.generator_version)
    record = Record(manifest=m, snapshot=briefing.snapshot_path.read_bytes(), report=briefing.report_path.read_bytes())
    files = render_files(plan, analysis, record, formats, m.generator_version)
    copy = m.model_copy(update={"files": {**m.files, **{n: hashlib.sha256(d).hexdigest() for n, d in files.items()}}})
    if PDF_FILE in files and m.pdf_state == "pending":
        copy = rendered("rerender", now())(copy)
    files = {**files, MANIFEST_FILE: manifest_bytes(copy)}
    write_new_folder(Path(target), briefing.directory.parent, files)
    written = {name: Path(target) / name for name in files}
    return Rerendered(directory=target, files=written, differences=differences(m, recomputed))
