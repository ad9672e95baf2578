"""The plan as a graph: which node reads which, in what order they run, and cycles among fallbacks.

Nodes are named ``kind:id`` (``series:DFF``, ``derived:DFEDTARU``,
``indicator:fed_funds_target``, ``flag:fed_easing``, ``stance``, ``narrative``,
``chart:rates``, ``section:fed``). Edges point from what is read to what reads it.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from generator.spec import ReportSpec


def fallback_cycles(spec: ReportSpec) -> list[list[str]]:
    """Cycles among series fallbacks (A stands in for B, B for A), each as the list of series on it."""
    edges = {sid: [r for r in (s.fallback.sources if s.fallback else []) if r in spec.series]
             for sid, s in spec.series.items()}
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for start in edges:
        path: list[str] = []

        def walk(node: str, path: list[str] = path, start: str = start) -> None:
            if node in path:
                cycle = path[path.index(node):]
                key = frozenset(cycle)
                if cycle and cycle[0] == start and key not in seen:
                    seen.add(key)
                    cycles.append(list(cycle))
                return
            path.append(node)
            for nxt in edges.get(node, []):
                walk(nxt)
            path.pop()

        walk(start)
    return cycles


def dependencies(spec: ReportSpec) -> dict[str, set[str]]:
    """Every node and the nodes it reads."""
    deps: dict[str, set[str]] = {}
    for sid, s in spec.series.items():
        deps[f"series:{sid}"] = set()
        if s.fallback is not None:
            deps[f"derived:{sid}"] = {f"series:{sid}", *(f"series:{r}" for r in s.fallback.sources)}
    def series_node(sid: str) -> str:
        return f"derived:{sid}" if f"derived:{sid}" in deps else f"series:{sid}"

    for vid in spec.valuation_inputs:
        deps[f"series:{vid}"] = set()
    for iid, ind in spec.indicators.items():
        refs = [r for ref in ind.inputs.values() for r in ([ref] if isinstance(ref, str) else ref)]
        deps[f"indicator:{iid}"] = {series_node(r) for r in refs}
    for fid, flag in spec.flags.items():
        deps[f"flag:{fid}"] = {f"indicator:{c.indicator}" for c in flag.checks}
    deps["stance"] = {f"flag:{fid}" for fid in spec.flags}
    deps["thesis"] = {series_node(sid) for sid in spec.series}
    deps["narrative"] = {"stance", *(f"indicator:{i}" for i in spec.indicators), *(f"flag:{f}" for f in spec.flags)}
    for cid, chart in spec.charts.items():
        deps[f"chart:{cid}"] = {series_node(sid) for sid in chart.series}
    for section in spec.sections:
        deps[f"section:{section.id}"] = {
            *(f"indicator:{i}" for i in section.indicators),
            *(f"flag:{f}" for f in section.flags),
            *(f"chart:{c}" for c in section.charts),
            *(["thesis"] if "thesis" in section.blocks else []),
            *(["narrative"] if "implications" in section.blocks else []),
        }
    return deps


def evaluation_order(spec: ReportSpec) -> list[str]:
    """The nodes in an order where each comes after everything it reads (raises ``CycleError`` on a cycle)."""
    return list(TopologicalSorter(dependencies(spec)).static_order())


__all__ = ["CycleError", "dependencies", "evaluation_order", "fallback_cycles"]
