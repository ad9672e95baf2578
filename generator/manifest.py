"""The manifest: every number of a briefing with where it came from, as JSON.

Schema version 1 (documented in output/README.md). Values are plain JSON types
so that a manifest can be read without this package.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from generator.model import Analysis
from generator.spec import LoadedSpec

SCHEMA_VERSION = 1


def build_manifest(
    loaded: LoadedSpec,
    analysis: Analysis,
    briefing_date: date,
    generated_at: datetime,
    version: str,
) -> dict[str, Any]:
    snap = analysis.snapshot
    return {
        "schema_version": SCHEMA_VERSION,
        "briefing_date": briefing_date.isoformat(),
        "data_as_of": snap.data_as_of.isoformat() if snap.data_as_of else None,
        "generated_at": generated_at.isoformat(),
        "generator_version": version,
        "report_definition": {"path": str(loaded.path), "sha256": loaded.sha256, "title": loaded.spec.report.title},
        "source": {
            "requested": snap.requested_source,
            "illustrative": snap.illustrative,
            "point_in_time_policy": snap.point_in_time_policy,
        },
        "series": {
            sid: {
                "source": s.source,
                "first": s.first_date.isoformat() if s.first_date else None,
                "last": s.last_date.isoformat() if s.last_date else None,
                "observations": int(s.values.size),
                "stale": s.stale,
                "fetched_at": s.fetched_at.isoformat() if s.fetched_at else None,
            }
            for sid, s in sorted(snap.series.items())
        },
        "indicators": {
            iid: {
                "label": v.label,
                "value": v.value,
                "unit": v.unit,
                "decimals": v.decimals,
                "formatted": v.formatted(),
                "status": v.status,
                "detail": v.detail,
                "inputs_as_of": v.inputs_as_of,
                "stale_inputs": list(v.stale_inputs),
            }
            for iid, v in analysis.indicators.items()
        },
        "flags": {
            fid: {
                "label": f.label,
                "kind": f.kind,
                "state": f.state.value,
                "value": f.value,
                "indicator": f.indicator,
                "thresholds": f.threshold_text,
                "change": f.change,
                "previous_state": f.previous_state.value if f.previous_state else None,
                "detail": f.detail,
            }
            for fid, f in analysis.flags.items()
        },
        "stance": {"label": analysis.stance.label, "reasons": list(analysis.stance.reasons)},
        "thesis": [
            {"id": t.id, "verdict": t.verdict, "data_says": t.data_says, "evidence": list(t.evidence)}
            for t in analysis.thesis
        ],
        "data_quality": [{"series": q.series_id, "level": q.level, "message": q.message} for q in snap.quality],
        "files": {},
    }
