"""Apply the definition's indicators to a snapshot: one :class:`IndicatorValue` per indicator."""

from __future__ import annotations

import logging

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.registry import FUNCTIONS, Reading
from generator.model import IndicatorValue, Snapshot
from generator.spec import IndicatorSpec, ReportSpec

log = logging.getLogger(__name__)


def _input_ids(ind: IndicatorSpec) -> list[str]:
    ids: list[str] = []
    for ref in ind.inputs.values():
        ids.extend([ref] if isinstance(ref, str) else ref)
    return ids


def evaluate_one(ind: IndicatorSpec, snapshot: Snapshot) -> IndicatorValue:
    """Compute one indicator; never raises for data problems, reports them in ``status``."""
    ids = _input_ids(ind)
    missing = [sid for sid in ids if sid not in snapshot.series or snapshot.series[sid].values.empty]
    as_of = {sid: str(snapshot.series[sid].last_date) for sid in ids if sid not in missing}
    base = dict(
        id=ind.id,
        label=ind.label,
        unit=ind.unit,
        decimals=ind.decimals,
        inputs_as_of=as_of,
        description=ind.description,
        # What stood in for an input travels with every number computed from it.
        fallbacks=tuple(f"{sid}: {snapshot.series[sid].fallback}" for sid in ids
                        if sid in snapshot.series and snapshot.series[sid].fallback),
    )
    if missing:
        return IndicatorValue(value=None, status="missing input", detail="no data for " + ", ".join(missing), **base)
    # A rejected latest observation: "no data" with the reason, never the value before it shown as current.
    blocked = [why for sid in ids if (why := snapshot.series[sid].blocking_rejection) is not None]
    if blocked:
        return IndicatorValue(value=None, status="missing input", detail="; ".join(blocked), **base)
    kwargs: dict[str, object] = {}
    for arg, ref in ind.inputs.items():
        if isinstance(ref, str):
            kwargs[arg] = snapshot.series[ref].values
        else:
            kwargs[arg] = pd.concat({sid: snapshot.series[sid].values for sid in ref}, axis=1)
    kwargs.update(ind.params)
    stale = tuple(sid for sid in ids if snapshot.series[sid].stale)
    try:
        value = FUNCTIONS[ind.function].func(**kwargs)
    except InsufficientHistory as exc:
        return IndicatorValue(value=None, status="insufficient history", detail=str(exc), stale_inputs=stale, **base)
    note = ""
    if isinstance(value, Reading):
        value, note = value.value, value.note
    if value is None or pd.isna(value):
        return IndicatorValue(value=None, status="insufficient history", detail="not computable", **base)
    return IndicatorValue(value=float(value), stale_inputs=stale, detail=note, **base)


def evaluate_indicators(spec: ReportSpec, snapshot: Snapshot) -> dict[str, IndicatorValue]:
    """Every indicator of the definition, in definition order."""
    return {ind_id: evaluate_one(ind, snapshot) for ind_id, ind in spec.indicators.items()}
