"""A compiled plan in words: what ``briefing check`` prints."""

from __future__ import annotations

from generator.manifest import shown_path
from generator.phrasing import counted
from generator.plan.plan import Plan


def _ids(ids: list[str], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def describe(plan: Plan) -> str:
    """The report, what it would fetch from whom, what it computes and shows, and any warnings."""
    spec = plan.spec
    lines = [f"{shown_path(plan.path)}: OK, report '{spec.report.id}': {spec.report.title}"]
    if plan.source is not None and plan.source.has_includes:
        lines.append("  includes: " + ", ".join(f.name for f in plan.source.files[1:]))
    by_provider: dict[str, list[str]] = {}
    for sid, s in spec.series.items():
        by_provider.setdefault(s.provider, []).append(sid)
    lines.append(f"  would fetch {len(spec.series)} series (nothing was fetched):")
    for provider, ids in by_provider.items():
        lines.append(f"    {provider}: {_ids(ids, 40)}")
    fallbacks = [f"{sid} <- {s.fallback.label}" for sid, s in spec.series.items() if s.fallback is not None]
    if fallbacks:
        lines.append("  fallbacks: " + "; ".join(fallbacks))
    if spec.valuation_inputs:
        lines.append(f"  valuation inputs: {_ids(list(spec.valuation_inputs))}")
    risks = [f for f in spec.flags.values() if f.kind == "risk"]
    supports = [f for f in spec.flags.values() if f.kind == "support"]
    lines.append(f"  computes {counted(len(spec.indicators), 'indicator')}, {counted(len(risks), 'risk flag')}, "
                 f"{counted(len(supports), 'supportive signal')}, {counted(len(spec.claims), 'thesis check')}")
    lines.append(f"  shows {counted(len(spec.sections), 'section')} and {counted(len(spec.charts), 'chart')}: "
                 + ", ".join(s.title for s in spec.sections))
    lines.append(f"  compares with the data of {plan.comparison_days} days before each briefing")
    lines += [f"  warning: {w}" for w in plan.warnings]
    return "\n".join(lines)
