"""Re-render an archived briefing from its own folder, offline.

Reads only the folder: ``report.toml`` (the definition used then, whatever
``reports/`` says now), ``snapshot.parquet`` (the data) and ``manifest.json``
(previous flag states for hysteresis, the comparison with the briefing before,
the flag history, the generation time). The numbers are recomputed and checked
against the manifest; any difference (a generator whose formulas changed since)
is reported field by field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.archive.read import ArchivedBriefing
from generator.archive.write import check_new_folder, write_new_folder
from generator.charts import render_charts
from generator.errors import ArchiveError, SpecError
from generator.manifest import MANIFEST_FILE, Manifest, build_manifest, manifest_bytes
from generator.model import FlagState, PreviousFlag
from generator.plan import compile_plan
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
    """Rebuild ``briefing``'s documents into ``target`` (a new folder) from the archived folder alone."""
    m = briefing.manifest
    check_new_folder(Path(target), briefing.directory.parent)
    if m.schema_version < 2:
        raise ArchiveError(
            f"{briefing.directory / MANIFEST_FILE}: schema_version 1 briefings kept no snapshot or definition "
            "and cannot be re-rendered"
        )
    if not briefing.report_path.exists():
        raise ArchiveError(f"{briefing.report_path}: the report definition copy is missing")
    try:
        plan = compile_plan(briefing.report_path, archived=True)
    except SpecError as exc:
        raise ArchiveError(f"cannot re-render {briefing.date}: {exc}") from None
    if plan.sha256 != m.report_definition.sha256:
        raise ArchiveError(
            f"{briefing.report_path}: report_definition.sha256: the copy does not match the manifest (edited by hand?)"
        )
    snapshot = briefing.snapshot  # ArchiveError naming the file when missing or damaged
    previous = {
        fid: PreviousFlag(state=FlagState(f.previous_state), value=f.previous_value)
        for fid, f in m.flags.items()
        if f.previous_state is not None
    }
    analysis = plan.evaluate(snapshot, previous=previous)
    analysis = replace(analysis, charts=render_charts(plan.spec, analysis.snapshot))
    recomputed = build_manifest(plan, analysis, m.briefing_date, m.generated_at, m.generator_version)
    record = Record(manifest=m, snapshot=briefing.snapshot_path.read_bytes(), report=briefing.report_path.read_bytes())
    files = render_files(plan, analysis, record, formats, m.generator_version)
    files = {**files, MANIFEST_FILE: manifest_bytes(m)}
    write_new_folder(Path(target), briefing.directory.parent, files)
    written = {name: Path(target) / name for name in files}
    return Rerendered(directory=target, files=written, differences=differences(m, recomputed))
