"""The appendix, generated from the report definition: methodology, rules and data sources."""

from __future__ import annotations

from dataclasses import dataclass

from generator.indicators.registry import FUNCTIONS
from generator.model import Analysis
from generator.spec import LoadedSpec

_PROVIDER_NAMES = {"yahoo": "Yahoo Finance", "fred": "FRED"}


@dataclass(frozen=True)
class SourceRow:
    id: str
    label: str
    provider: str
    used: str
    first: str
    last: str
    stale: bool


@dataclass(frozen=True)
class MethodRow:
    id: str
    label: str
    unit: str
    formula: str
    inputs: str
    params: str


@dataclass(frozen=True)
class FormulaGroup:
    """One indicator function, its formula printed once, and every indicator of the report that uses it."""

    function: str
    formula: str
    uses: list[str]  # "Russell 2000 minus S&P 500 total return, 1 month (pp): a = IWM, b = SPY; window = 21"


@dataclass(frozen=True)
class FlagMethodRow:
    label: str
    kind: str
    indicator: str
    thresholds: str
    rationale: str


def sources(loaded: LoadedSpec, analysis: Analysis) -> list[SourceRow]:
    """Every series of the definition: provider and symbol, the source actually used, first and last dates."""
    rows = []
    for sid, s in loaded.spec.series.items():
        data = analysis.snapshot.series.get(sid)
        rows.append(
            SourceRow(
                id=sid,
                label=s.label,
                # the symbol only where it is not the series' id ("Yahoo Finance ^VIX"): the id leads the line
                provider=_PROVIDER_NAMES[s.provider] + (f" {s.provider_symbol}" if s.provider_symbol != sid else ""),
                used=data.source if data else "missing",
                first=str(data.first_date) if data and data.first_date else "-",
                last=str(data.last_date) if data and data.last_date else "-",
                stale=bool(data and data.stale),
            )
        )
    return rows


def _reflow(doc: str) -> str:
    """A docstring as print text: paragraphs kept, hard line breaks and reST ``literal`` marks dropped."""
    paragraphs = [" ".join(p.split()) for p in doc.replace("``", "").split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def methodology(loaded: LoadedSpec) -> list[MethodRow]:
    """Every indicator: its function's docstring (the formula), inputs and parameters."""
    rows = []
    for ind in loaded.spec.indicators.values():
        inputs = ", ".join(f"{k} = {v if isinstance(v, str) else ' + '.join(v)}" for k, v in ind.inputs.items())
        params = ", ".join(f"{k} = {v}" for k, v in ind.params.items())
        formula = _reflow(FUNCTIONS[ind.function].formula)
        rows.append(MethodRow(ind.id, ind.label, ind.unit, formula, inputs, params or "-"))
    return rows


def formula_groups(loaded: LoadedSpec) -> list[FormulaGroup]:
    """The methodology by function: each formula once, with the indicators that apply it (first use first)."""
    groups: dict[str, FormulaGroup] = {}
    for m, ind in zip(methodology(loaded), loaded.spec.indicators.values(), strict=True):
        group = groups.setdefault(ind.function, FormulaGroup(ind.function, m.formula, []))
        args = m.inputs + ("" if m.params == "-" else f"; {m.params}")
        group.uses.append(f"{m.label} ({m.unit}): {args}")
    return list(groups.values())


def flag_rows(loaded: LoadedSpec, analysis: Analysis) -> list[FlagMethodRow]:
    """Every flag and signal: what it reads, its thresholds and why it matters to the thesis."""
    spec = loaded.spec
    return [
        FlagMethodRow(
            f.label,
            f.kind,
            (" and " if f.combine == "all" else " or ").join(spec.indicators[c.indicator].label for c in f.checks),
            analysis.flags[f.id].threshold_text,
            f.rationale,
        )
        for f in spec.flags.values()
    ]


def narrative_rules(loaded: LoadedSpec) -> list[str]:
    """The takeaway and implication rules in words, as the definition sets them."""
    n = loaded.spec.narrative
    rules = [
        f"Moves are measured against the data public {n.lookback_days} days before the briefing date, "
        "recomputing every indicator on it.",
        "Always-shown takeaways come first; a takeaway naming a flag whose state changed (since the previous "
        "briefing, or else since the lookback date) comes next; the rest rank by their indicator's move divided "
        "by the move the definition calls notable.",
        f"Takeaways scoring at least 1 are shown, at most {n.max_takeaways}; if fewer than {n.min_takeaways} "
        "qualify, the next best fill in. A sentence whose numbers lack data is left out.",
    ]
    if n.implications:
        rules.append("Each implication is favoured when its declared conditions hold (all of them, or any, as the "
                     "rule says); the implications section lists each condition with today's value.")
    return rules
