"""Derived series: apply each declared fallback where its series is missing or stale.

A stand-in series (``fallback = { series = "XLE" }``) replaces the missing one
whole: prices of two instruments cannot be spliced. A derivation
(``fallback = { function = "target_from_effective", ... }``) is spliced on: the
series' own observations up to its last one, the derived ones after, so real
history is never replaced by an estimate. Either is used only when it brings
something fresher; it is labelled on the series (``SeriesData.fallback``) and
in a data-quality note, and from there wherever its numbers are shown.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from generator.derive import DERIVATIONS
from generator.model import QualityNote, SeriesData, Snapshot
from generator.plan.graph import evaluation_order
from generator.pointintime import is_stale
from generator.spec import ReportSpec, SeriesSpec


def _usable(data: SeriesData | None) -> bool:
    return data is not None and not data.values.empty and not data.stale


def _derive(spec: SeriesSpec, series: dict[str, SeriesData]) -> SeriesData | None:
    fb = spec.fallback
    assert fb is not None
    if fb.series is not None:
        stand_in = series.get(fb.series)
        if stand_in is None or stand_in.values.empty:
            return None
        # "derived": not the series' own data (the label says whose); the stand-in's manifest entry says its source
        return replace(stand_in, id=spec.id, values=stand_in.values.rename(spec.id), source="derived",
                       fallback=fb.label, notes=(), known_since=None)
    inputs = {name: series.get(ref) for name, ref in fb.inputs.items()}
    if any(d is None or d.values.empty for d in inputs.values()):
        return None
    values = DERIVATIONS[fb.function or ""].func(**{k: d.values for k, d in inputs.items() if d}, **fb.params)
    if values.empty:
        return None
    first = next(iter(d for d in inputs.values() if d is not None))
    return SeriesData(spec.id, values.rename(spec.id).astype("float64"), "derived", first.fetched_at,
                      stale=any(d.stale for d in inputs.values() if d), fallback=fb.label)


def resolve_fallbacks(spec: ReportSpec, snapshot: Snapshot) -> Snapshot:
    """``snapshot`` with every declared fallback applied where it helps (see the module docstring)."""
    if not any(s.fallback for s in spec.series.values()):
        return snapshot
    series = dict(snapshot.series)
    notes: list[QualityNote] = []
    order = [node.split(":", 1)[1] for node in evaluation_order(spec) if node.startswith("derived:")]
    for sid in order:
        sspec = spec.series[sid]
        own = series.get(sid)
        if _usable(own):
            continue
        derived = _derive(sspec, series)
        if derived is None:
            continue
        if own is not None and not own.values.empty and sspec.fallback and sspec.fallback.function is not None:
            after = derived.values[derived.values.index > own.values.index[-1]]
            if after.empty:
                continue
            what = f"after {own.last_date}: {sspec.fallback.label}"
            spliced = pd.concat([own.values, after]).rename(sid)
            derived = replace(derived, values=spliced, source=own.source, fallback=what)
        elif own is not None and not own.values.empty and (derived.last_date or own.last_date) <= own.last_date:  # type: ignore[operator]
            continue  # the stand-in is no fresher than the stale original
        else:
            what = sspec.fallback.label if sspec.fallback else ""
        derived = replace(derived, stale=is_stale(derived, sspec, snapshot.as_of))
        series[sid] = derived
        reason = "no data" if own is None or own.values.empty else f"stale since {own.last_date}"
        notes.append(QualityNote(sid, "info", f"{reason}; {what} (up to {derived.last_date})"))
    return replace(snapshot, series=series, quality=(*snapshot.quality, *notes))
