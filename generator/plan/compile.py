"""Compile a report definition into a :class:`Plan`, checking everything before anything is fetched.

Hamilton's check-before-run, for our graph: series -> derived series
(fallbacks) -> indicators -> flags -> stance -> narrative -> charts -> sections.
Every indicator function, series derivation, thesis check and chart kind
declares its parameters (its signature, or the chart kind's declaration), and
every reference between tables is resolved. All problems are collected and
raised as one :class:`SpecError`, one line each naming the file, the key and
the fix::

    reports/mini.toml: indicators.curve.params.window: change has no parameter 'window'
    (did you mean ...?) (its parameters: periods, scale)

Series come from the definition or from a catalogue it includes; only those
something uses (or the definition itself declares) enter the plan, so a
catalogue of fifty series costs a three-series report nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.charts import CHART_KINDS
from generator.charts.kinds import check_chart_params
from generator.derive import DERIVATIONS
from generator.errors import SpecError
from generator.indicators import FUNCTIONS
from generator.plan.graph import fallback_cycles
from generator.plan.plan import Plan
from generator.plan.signature import check_inputs, check_params, signature_of, suggest
from generator.spec import LoadedSpec, ReportSpec, load_spec
from generator.spec_narrative import check_narrative, check_template
from generator.spec_performance import check_performance
from generator.thesis import CHECKS
from generator.watch import Calendar, check_calendar_flags, load_calendar

# What each provider can deliver for a series (``field``).
PROVIDER_FIELDS = {"yahoo": ("adjclose", "close", "volume"), "fred": ("value",)}
STANCE_TEMPLATE_NAMES = ("v", "state")


class _Problems:
    """Problems collected per file: ``add(loc, message)`` with ``loc`` the key path inside the definition."""

    def __init__(self, loaded: LoadedSpec) -> None:
        self.loaded = loaded
        self.lines: list[str] = []
        self.warnings: list[str] = []

    def file(self, loc: tuple[str, ...]) -> Path:
        source = self.loaded.source
        return source.origin(loc) if source is not None else self.loaded.path

    def add(self, loc: tuple[str, ...], message: str) -> None:
        key = ".".join(loc)
        self.lines.append(f"{self.file(loc)}: {key}: {message}" if key else f"{self.file(loc)}: {message}")

    def warn(self, loc: tuple[str, ...], message: str) -> None:
        self.warnings.append(f"{'.'.join(loc)}: {message}")


def _series_problems(spec: ReportSpec, out: _Problems) -> None:
    for sid, s in spec.series.items():
        fields = PROVIDER_FIELDS[s.provider]
        if s.field not in fields:
            out.add(("series", sid, "field"), f"provider '{s.provider}' gives {', '.join(fields)}, not '{s.field}'")
        fb = s.fallback
        if fb is None:
            continue
        for ref in fb.sources:
            if ref not in spec.series:
                out.add(("series", sid, "fallback"), f"unknown series '{ref}'{suggest(ref, list(spec.series))}")
            elif ref == sid:
                out.add(("series", sid, "fallback"), "a series cannot stand in for itself")
        if fb.function is not None:
            reg = DERIVATIONS.get(fb.function)
            if reg is None:
                out.add(("series", sid, "fallback", "function"),
                        f"unknown derivation '{fb.function}'{suggest(fb.function, sorted(DERIVATIONS))}")
                continue
            sig = signature_of(reg.func)
            where = ("series", sid, "fallback")
            for line in check_inputs(sig, fb.inputs, fb.function) + check_params(sig, fb.params, fb.function):
                key, _, message = line.partition(": ")
                out.add((*where, *key.split(".")), message)
    for cycle in fallback_cycles(spec):
        out.add(("series", cycle[0], "fallback"), "fallbacks form a cycle: " + " -> ".join([*cycle, cycle[0]]))


def _split(line: str) -> tuple[tuple[str, ...], str]:
    key, _, message = line.partition(": ")
    return tuple(key.split(".")), message


def _indicator_problems(spec: ReportSpec, out: _Problems) -> None:
    inputs_known = list(spec.series) + list(spec.valuation_inputs)
    for iid, ind in spec.indicators.items():
        reg = FUNCTIONS.get(ind.function)
        if reg is None:
            out.add(("indicators", iid, "function"),
                    f"unknown indicator function '{ind.function}'{suggest(ind.function, sorted(FUNCTIONS))} "
                    "(`briefing functions` lists them)")
            continue
        sig = signature_of(reg.func)
        for line in check_inputs(sig, ind.inputs, ind.function) + check_params(sig, ind.params, ind.function):
            key, message = _split(line)
            out.add(("indicators", iid, *key), message)
        for arg, ref in ind.inputs.items():
            for sid in [ref] if isinstance(ref, str) else ref:
                if sid not in spec.series and sid not in spec.valuation_inputs:
                    out.add(("indicators", iid, "inputs", arg), f"unknown series '{sid}'{suggest(sid, inputs_known)}")
        if not ind.unit and not reg.unit:
            out.add(("indicators", iid, "unit"), f"{ind.function} has no fixed unit: set unit (e.g. the series' unit)")
    for vid in spec.valuation_inputs:
        if vid in spec.series:
            out.add(("valuation_inputs", vid), "the id is already a series; pick another")


def _flag_problems(spec: ReportSpec, out: _Problems) -> None:
    indicator_ids = list(spec.indicators)
    for fid, flag in spec.flags.items():
        for i, cond in enumerate(flag.checks):
            key = ("indicator",) if i == 0 else (f"conditions[{i - 1}]", "indicator")
            if cond.indicator not in spec.indicators:
                out.add(("flags", fid, *key),
                        f"unknown indicator '{cond.indicator}'{suggest(cond.indicator, indicator_ids)}")
        if flag.reading:
            known: dict[str, list[str] | None] = {"v": indicator_ids, "state": None}
            for line in check_template(f"flags.{fid}.reading", flag.reading, known):
                key, message = _split(line)
                out.add(key, message)


def _stance_problems(spec: ReportSpec, out: _Problems) -> None:
    """A stance rule that can never fire is an error; a branch the report has no flags for is a warning."""
    rule = spec.stance
    risks = {f.driver or f.id for f in spec.flags.values() if f.kind == "risk"}
    supports = {f.driver or f.id for f in spec.flags.values() if f.kind == "support"}
    if rule.fragile_if_red_at_least is not None and rule.fragile_if_red_at_least > len(risks):
        out.add(("stance", "fragile_if_red_at_least"),
                f"needs {rule.fragile_if_red_at_least} red risk drivers but the report has {len(risks)}: "
                f"'Fragile' could never be reached; set it to at most {max(len(risks), 1)}")
    if rule.supportive_if_green_support_at_least is not None and rule.supportive_if_green_support_at_least > len(
        supports
    ):
        out.add(("stance", "supportive_if_green_support_at_least"),
                f"needs {rule.supportive_if_green_support_at_least} green supportive drivers but the report has "
                f"{len(supports)}: 'Supportive' could never be reached; set it to at most {max(len(supports), 1)}")
    if not risks:
        out.warn(("stance",), "no risk flags: the stance can never read 'Fragile'")
    if not supports:
        out.warn(("stance",), "no supportive signals: the stance can never read 'Supportive'")


def _claim_problems(spec: ReportSpec, out: _Problems) -> None:
    seen: set[str] = set()
    known = list(spec.series) + list(spec.valuation_inputs)
    for i, claim in enumerate(spec.claims):
        loc = (f"claims[{i}]",)
        if claim.id in seen:
            out.add((*loc, "id"), f"duplicate claim id '{claim.id}'")
        seen.add(claim.id)
        check = CHECKS.get(claim.check)
        if check is None:
            out.add((*loc, "check"), f"unknown thesis check '{claim.check}'{suggest(claim.check, sorted(CHECKS))}")
            continue
        sig = signature_of(check, skip=1)
        for line in check_params(sig, claim.params, claim.check):
            key, message = _split(line)
            out.add((*loc, *key), message)
        for name, param in sig.params.items():
            value = claim.params.get(name)
            if not param.is_series_ref or value is None:
                continue
            for ref in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
                if isinstance(ref, str) and ref not in known:
                    out.add((*loc, "params", name), f"unknown series '{ref}'{suggest(ref, known)}")
    if spec.claims and spec.thesis is None:
        out.add(("thesis",), "a [thesis] table with 'article_date' is required when [[claims]] are declared")


def _chart_problems(spec: ReportSpec, out: _Problems) -> None:
    series_ids = list(spec.series)
    for cid, chart in spec.charts.items():
        kind = CHART_KINDS.get(chart.kind)
        if kind is None:
            out.add(("charts", cid, "kind"),
                    f"unknown chart kind '{chart.kind}'{suggest(chart.kind, sorted(CHART_KINDS))}")
            continue
        for sid in chart.series:
            if sid not in spec.series:
                out.add(("charts", cid, "series"), f"unknown series '{sid}'{suggest(sid, series_ids)}")
        for line in check_chart_params(chart.kind, dict(chart.params), list(chart.series)):
            key, message = _split(line)
            out.add(("charts", cid, *key), message)
        facts: dict[str, list[str] | None] = {
            name: (list(chart.series) if fact == "series" else None) for name, fact in kind.facts.items()
        }
        for field in ("title", "subtitle", "alt"):  # all three are templates reading the kind's facts
            for line in check_template(f"charts.{cid}.{field}", getattr(chart, field), facts):
                key, message = _split(line)
                out.add(key, message)


def _section_problems(spec: ReportSpec, out: _Problems) -> None:
    if not spec.sections:
        out.add(("sections",), "declare at least one section ([[sections]] with id and title)")
    seen: set[str] = set()
    for i, section in enumerate(spec.sections):
        if section.id in seen:
            out.add((f"sections[{i}]", "id"), f"duplicate section id '{section.id}'")
        seen.add(section.id)
        for table, refs in (("indicators", section.indicators), ("flags", section.flags), ("charts", section.charts)):
            known = getattr(spec, table)
            for ref in refs:
                if ref not in known:
                    out.add((f"sections[{i}]", table),
                            f"unknown {table[:-1]} '{ref}'{suggest(ref, list(known))}")
    recession = spec.report.recession_series
    if recession is not None and recession not in spec.series:
        out.add(("report", "recession_series"), f"unknown series '{recession}'{suggest(recession, list(spec.series))}")


def used_series(spec: ReportSpec) -> list[str]:
    """The series the plan needs: those something reads, and their fallbacks' sources (and theirs)."""
    wanted: set[str] = set()
    for ind in spec.indicators.values():
        for ref in ind.inputs.values():
            wanted.update([ref] if isinstance(ref, str) else ref)
    for chart in spec.charts.values():
        wanted.update(chart.series)
    for claim in spec.claims:
        check = CHECKS.get(claim.check)
        if check is None:
            continue
        for name, param in signature_of(check, skip=1).params.items():
            value = claim.params.get(name)
            if param.is_series_ref and value is not None:
                wanted.update([value] if isinstance(value, str) else [str(v) for v in value])  # type: ignore[union-attr]
    if spec.report.recession_series:
        wanted.add(spec.report.recession_series)
    if spec.performance is not None:
        wanted.add(spec.performance.benchmark)
        for row in spec.performance.rows:
            wanted.update(row.series_ids)
    todo = [s for s in wanted if s in spec.series]
    while todo:  # a fallback's sources are needed too, and theirs
        sid = todo.pop()
        fb = spec.series[sid].fallback
        for ref in fb.sources if fb is not None else []:
            if ref in spec.series and ref not in wanted:
                wanted.add(ref)
                todo.append(ref)
    return [sid for sid in spec.series if sid in wanted]


def _declared_here(loaded: LoadedSpec) -> set[str]:
    source = loaded.source
    if source is None:
        return set(loaded.spec.series)
    return {sid for sid in loaded.spec.series if source.origins.get(("series", sid), loaded.path) == loaded.path}


def _with_units(spec: ReportSpec) -> dict[str, Any]:
    """Indicators that left ``unit`` out take the unit their function declares."""
    out = {}
    for iid, ind in spec.indicators.items():
        reg = FUNCTIONS.get(ind.function)
        out[iid] = ind if ind.unit or reg is None else ind.model_copy(update={"unit": reg.unit})
    return out


def _calendar(loaded: LoadedSpec, out: _Problems, required: bool) -> Calendar | None:
    """The report's events calendar, read and validated now (its errors name the calendar file)."""
    name = loaded.spec.report.calendar
    if name is None:
        return None
    declared_in = out.file(("report", "calendar"))
    path = Path(name) if Path(name).is_absolute() else declared_in.parent / name
    if not path.is_file():
        if required:
            out.add(("report", "calendar"), f"calendar file '{path}' does not exist")
        else:
            out.warn(("report", "calendar"), f"calendar file '{path.name}' is not beside the definition")
        return None
    try:
        calendar = load_calendar(path)
    except SpecError as exc:
        out.lines.extend(str(exc).splitlines())
        return None
    for problem in check_calendar_flags(calendar, loaded.spec.flags):
        out.warn(("report", "calendar"), problem)  # a shared calendar may name flags of other reports
    return calendar


def compile_loaded(loaded: LoadedSpec, *, archived: bool = False) -> Plan:
    """Check a loaded definition whole and build its plan; raise one :class:`SpecError` listing every problem.

    ``archived``: the copy kept beside a briefing, re-rendered from its folder. Its record already holds
    what the calendar gave, so a calendar file that is not there is no error.
    """
    spec = loaded.spec
    out = _Problems(loaded)
    _series_problems(spec, out)
    _indicator_problems(spec, out)
    _flag_problems(spec, out)
    _stance_problems(spec, out)
    _claim_problems(spec, out)
    _chart_problems(spec, out)
    _section_problems(spec, out)
    for line in check_narrative(spec.narrative, spec):
        key, message = _split(line)
        out.add(key, message)
    if spec.performance is not None:
        for line in check_performance(spec.performance, spec.series):
            key, message = _split(line)
            out.add(key, message)
    calendar = _calendar(loaded, out, required=not archived)
    if out.lines:
        raise SpecError("\n".join(dict.fromkeys(out.lines)))
    keep = used_series(spec)
    for sid in sorted(_declared_here(loaded) - set(keep)):
        out.warn(("series", sid), "declared but read by nothing: it is not fetched")
    effective = spec.model_copy(
        update={"series": {sid: spec.series[sid] for sid in keep}, "indicators": _with_units(spec)}
    )
    return Plan(spec=effective, path=loaded.path, sha256=loaded.sha256, source=loaded.source,
                warnings=tuple(out.warnings), calendar=calendar)


def compile_plan(path: str | Path, *, archived: bool = False) -> Plan:
    """Load, validate and compile the definition at ``path`` (see the module docstring)."""
    return compile_loaded(load_spec(path), archived=archived)

