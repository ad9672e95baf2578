"""What a definition can call: every indicator function, series derivation, chart kind and thesis check.

Read from the registries themselves (signatures, declared units and
parameters, docstrings), so ``briefing functions`` and the authoring guide in
``reports/README.md`` cannot drift from the code.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from generator.charts import CHART_KINDS
from generator.derive import DERIVATIONS
from generator.indicators import FUNCTIONS
from generator.plan.signature import REQUIRED, Param, signature_of
from generator.thesis import CHECKS


@dataclass(frozen=True)
class Entry:
    """One callable as an author needs it: where it goes, what it takes, what it returns, its formula."""

    section: str  # "indicator function" | "series derivation" | "chart kind" | "thesis check"
    name: str
    inputs: tuple[str, ...]  # "a: series", "members: list of series"
    params: tuple[str, ...]  # "window: integer (required)", "scale: number = 1.0"
    unit: str
    doc: str


def _param_text(p: Param) -> str:
    if p.default is REQUIRED:
        return f"{p.name}: {p.type_name} (required)"
    return f"{p.name}: {p.type_name} = {p.default!r}"


def _inputs_text(inputs: dict[str, str]) -> tuple[str, ...]:
    return tuple(f"{n}: {'series' if k == 'series' else 'list of series'}" for n, k in inputs.items())


def entries() -> list[Entry]:
    """Every registered callable, by section, in name order."""
    out: list[Entry] = []
    for name, fn in sorted(FUNCTIONS.items()):
        sig = signature_of(fn.func)
        out.append(Entry("indicator function", name, _inputs_text(dict(sig.inputs)),
                         tuple(_param_text(p) for p in sig.params.values()), fn.unit or "set by the indicator",
                         fn.formula))
    for name, d in sorted(DERIVATIONS.items()):
        sig = signature_of(d.func)
        out.append(Entry("series derivation", name, _inputs_text(dict(sig.inputs)),
                         tuple(_param_text(p) for p in sig.params.values()), "a series", d.formula))
    for name, kind in sorted(CHART_KINDS.items()):
        facts = ", ".join(f"{f} ({t})" for f, t in kind.facts.items())
        doc = inspect.getdoc(kind.draw) or ""
        series = f"series: {kind.series.describe()}" + (", the last one the benchmark" if kind.series.benchmark_last else "")
        out.append(Entry("chart kind", name, (series,), tuple(p.describe() for p in kind.params),
                         f"facts for the title: {facts}", doc))
    for name, check in sorted(CHECKS.items()):
        sig = signature_of(check, skip=1)
        out.append(Entry("thesis check", name, (), tuple(_param_text(p) for p in sig.params.values()),
                         "a verdict: consistent / not supported by the data / no data", inspect.getdoc(check) or ""))
    return out


def as_text(items: list[Entry]) -> str:
    """The plain listing ``briefing functions`` prints."""
    lines: list[str] = []
    section = ""
    for e in items:
        if e.section != section:
            section = e.section
            lines += ["", f"{section.upper()}S", ""]
        lines.append(e.name)
        for label, values in (("inputs", e.inputs), ("params", e.params)):
            if values:
                lines.append(f"    {label}: {'; '.join(values)}")
        lines.append(f"    returns: {e.unit}")
        for doc_line in e.doc.splitlines():
            lines.append(f"    {doc_line}".rstrip())
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def as_markdown(items: list[Entry]) -> str:
    """The reference section of ``reports/README.md`` (generated; a test keeps it equal to this)."""
    lines: list[str] = []
    section = ""
    for e in items:
        if e.section != section:
            section = e.section
            lines += [f"### {section[0].upper()}{section[1:]}s", ""]
        lines.append(f"#### `{e.name}`")
        lines.append("")
        if e.inputs:
            lines.append("- inputs: " + "; ".join(f"`{i}`" for i in e.inputs))
        if e.params:
            lines.append("- params: " + "; ".join(f"`{p}`" for p in e.params))
        lines.append(f"- returns: {e.unit}")
        lines.append("")
        lines += [line.rstrip() for line in e.doc.splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
