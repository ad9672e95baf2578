"""Everything the briefing says is defined: formulas, thresholds, rationales, and the appendix prints them.

Fails when an indicator in ``reports/`` uses a function without a formula, a
flag lacks its rationale or thresholds, an indicator or flag appears in no
section, or the methodology appendix leaves one out.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from generator.indicators import FUNCTIONS
from generator.pipeline import load_report
from generator.render.context import build_context
from generator.reports import packaged_reports
from generator.resources import reports_dir

# The report definitions that ship (not the series catalogue, the calendar or the delivery configuration).
REPORTS = [reports_dir() / f"{name}.toml" for name in packaged_reports()]
PRODUCTION = reports_dir() / "small_cap_rotation.toml"
FORMULA_HINT = re.compile(r"[=*/+\-]|\bmean\b|\bmax\b|\bmin\b|\bpercentile\b|\blatest\b", re.IGNORECASE)


@pytest.fixture(scope="module", params=REPORTS, ids=[p.name for p in REPORTS])
def spec(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return load_report(request.param).spec


def test_every_registered_function_has_a_formula() -> None:
    for name, fn in FUNCTIONS.items():
        assert fn.formula.strip(), name
        assert FORMULA_HINT.search(fn.formula), f"{name}: the docstring does not state a formula"


def test_every_indicator_in_reports_is_defined_and_placed(spec) -> None:  # type: ignore[no-untyped-def]
    placed = {i for s in spec.sections for i in s.indicators}
    for iid, ind in spec.indicators.items():
        assert FUNCTIONS[ind.function].formula, iid
        assert ind.label.strip() and ind.unit.strip(), iid
        assert iid in placed, f"indicator {iid} appears in no [[sections]] entry"


def test_every_flag_has_rationale_thresholds_and_a_section(spec) -> None:  # type: ignore[no-untyped-def]
    placed = {f for s in spec.sections for f in s.flags}
    for fid, flag in spec.flags.items():
        assert len(flag.rationale.split()) >= 8, f"flag {fid}: the rationale should say why, tied to the article"
        for cond in flag.checks:
            top = cond.red if flag.kind == "risk" else cond.green
            assert top is not None and cond.amber is not None, fid
        assert fid in placed, f"flag {fid} appears in no [[sections]] entry"


def test_every_claim_says_what_would_settle_it(spec) -> None:  # type: ignore[no-untyped-def]
    for claim in spec.claims:
        assert claim.claim.strip() and claim.settle.strip(), claim.id


def test_methodology_appendix_prints_every_definition(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    loaded = load_report(PRODUCTION)
    context = build_context(
        loaded,
        illustrative_briefing.analysis,
        illustrative_briefing.date,
        illustrative_briefing.analysis.snapshot.as_of,
        "t",  # type: ignore[arg-type]
    )
    rows = {m.id: m for m in context.methodology}
    assert set(rows) == set(loaded.spec.indicators)
    def words(text: str) -> str:  # the appendix reflows docstrings: same words, reST ``marks`` dropped
        return " ".join(text.replace("``", "").split())

    for iid, ind in loaded.spec.indicators.items():
        assert words(rows[iid].formula) == words(FUNCTIONS[ind.function].formula)
    flag_rows = {f.label: f for f in context.flag_methodology}
    for flag in loaded.spec.flags.values():
        assert flag_rows[flag.label].rationale == flag.rationale
        assert flag_rows[flag.label].thresholds
    page = html.unescape(illustrative_briefing.files["briefing.html"].read_text())
    appendix = page[page.index('id="appendix"') :]
    for flag in loaded.spec.flags.values():
        assert flag.rationale in appendix, flag.id
    for ind in loaded.spec.indicators.values():
        assert ind.label in appendix, ind.label
        assert words(FUNCTIONS[ind.function].formula.splitlines()[0]) in words(appendix), ind.function


def test_the_authoring_guide_reference_is_the_code_s() -> None:
    """reports/README.md's reference section equals what `briefing functions --markdown` prints today."""
    from generator.plan.catalog import as_markdown, entries

    guide = (reports_dir() / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- reference:start", "<!-- reference:end -->"
    section = guide[guide.index(start) :]
    section = section[section.index("\n") + 1 : section.index(end)]
    assert section == as_markdown(entries()), "regenerate: briefing functions --markdown (see reports/README.md)"


def test_the_guide_s_short_report_is_the_tested_fixture() -> None:
    guide = (reports_dir() / "README.md").read_text(encoding="utf-8")
    fixture = (Path(__file__).resolve().parent / "fixtures" / "reports" / "mini.toml").read_text(encoding="utf-8")
    shown = guide[guide.index("```toml\n") + len("```toml\n") :]
    shown = shown[: shown.index("```")]
    strip = [line.split("  #")[0].rstrip() for line in shown.splitlines()]
    assert strip[0].startswith('include = ["series.toml"]') and fixture.splitlines()[0].startswith("include")
    assert strip[1:] == fixture.splitlines()[1:]
    assert len(fixture.splitlines()) <= 25
