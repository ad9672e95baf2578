"""The report definition's ``[narrative]`` table: key takeaways and implications rules.

Part of the schema in ``generator/spec.py``, kept apart because it carries its
own cross-checks: every template must parse and read only names the definition
declares, every rule must name known indicators and flags.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.phrasing import TemplateSyntaxError, private_names, template_refs


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TakeawaySpec(_Strict):
    """A candidate key takeaway (``[[narrative.takeaways]]``): a sentence template and what ranks it.

    ``text`` is a template (``generator/phrasing.py``) reading ``v.ID`` (indicator
    values), ``chg.ID`` (change over the lookback), ``then.ID`` (value at the
    lookback), ``flag.ID`` (``.state``, ``.before``, ``.label``, ``.changed``)
    ``stance`` (``.label``, ``.red``, ``.amber``, ``.risks``, ``.green``,
    ``.supports``) and ``days`` (the lookback). A takeaway whose values have no
    data is left out.
    """

    id: str
    text: str
    section: str | None = Field(default=None, description="Section id holding the evidence (linked)")
    indicator: str | None = Field(default=None, description="Its move ranks the takeaway")
    measure: Literal["change", "value"] = Field(
        default="change",
        description="'change': the indicator's change over the lookback is the move; 'value': the value itself is one "
        "(a relative return already measures a move)",
    )
    scale: float = Field(default=1.0, gt=0, description="A move this size (indicator unit) scores 1: notable")
    flags: list[str] = Field(default_factory=list, description="A change of state in one of these ranks it first")
    always: bool = Field(default=False, description="Always shown, before the ranked ones (the stance line)")


class ConditionSpec(_Strict):
    """One condition of an implication rule: an indicator beyond a level, a flag in given states, or sector
    leadership in the performance grid.

    Leadership (``rows``): the condition holds when one of ``rows`` ranks in the ``top`` of its grid ``group``
    by its return relative to the benchmark over ``horizon``, and, with ``momentum`` set, is also ahead of
    the benchmark over that shorter horizon.
    """

    says: str
    indicator: str | None = None
    above: float | None = None
    below: float | None = None
    flag: str | None = None
    states: list[Literal["green", "amber", "red"]] = Field(default_factory=list)
    rows: list[str] = Field(default_factory=list)
    horizon: Literal["1w", "1m", "3m", "ytd", "12m"] = "3m"
    momentum: Literal["1w", "1m", "3m"] | None = None
    top: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _one_test(self) -> ConditionSpec:
        if sum((self.indicator is not None, self.flag is not None, bool(self.rows))) != 1:
            raise ValueError("a condition names one of 'indicator' (with 'above' or 'below'), 'flag' (with "
                             "'states') or 'rows' (sector leadership in the performance grid)")
        if self.indicator is not None and (self.above is None) == (self.below is None):
            raise ValueError("an indicator condition needs exactly one of 'above' and 'below'")
        if self.flag is not None and not self.states:
            raise ValueError('a flag condition needs \'states\', e.g. ["amber", "red"]')
        return self


class ImplicationSpec(_Strict):
    """A tilt the article suggests and the rule under which the signals favour it (``[[narrative.implications]]``).

    With ``match = "all"`` the rule favours the tilt when every condition in
    ``when`` holds; with ``"any"``, when at least one does. It is a mechanical
    reading of the data, not advice.
    """

    id: str
    tilt: str
    article: str = Field(description="The article's own words for the tilt")
    match: Literal["all", "any"] = "all"
    when: list[ConditionSpec] = Field(min_length=1)


class NarrativeSpec(_Strict):
    """The executive summary's takeaways and the implications rules (``[narrative]``)."""

    lookback_days: int = Field(default=30, ge=7, le=366, description="'What moved' is measured over this many days")
    min_takeaways: int = Field(default=5, ge=1, le=10)
    max_takeaways: int = Field(default=7, ge=1, le=10)
    takeaways: list[TakeawaySpec] = Field(default_factory=list)
    implications: list[ImplicationSpec] = Field(default_factory=list)


STANCE_FIELDS = ("label", "red", "amber", "risks", "green", "supports")


def check_template(where: str, text: str, known: dict[str, list[str] | None]) -> list[str]:
    """Problems with a template: syntax, or names outside ``known`` (namespace -> allowed keys, None = no keys)."""
    try:
        refs = template_refs(text)
    except TemplateSyntaxError as exc:
        return [f"{where}: template error: {exc.message}"]
    private = sorted(private_names(text))
    problems = (
        [f"{where}: {', '.join(repr(n) for n in private)} cannot be read in a template (the sandbox refuses names "
         "that start with '_')"]
        if private
        else []
    )  # fmt: skip
    for root, attr in sorted(refs, key=lambda r: (r[0], r[1] or "")):
        if root not in known:
            problems.append(f"{where}: unknown name '{root}' (known: {', '.join(known)})")
        elif attr is not None and known[root] is not None and attr not in known[root]:  # type: ignore[operator]
            problems.append(f"{where}: '{root}.{attr}' is not defined")
    return problems


def check_narrative(narrative: NarrativeSpec, spec: Any) -> list[str]:
    """Cross-check ``[narrative]`` against the definition's indicators, flags and sections."""
    problems: list[str] = []
    indicators, flags = list(spec.indicators), list(spec.flags)
    sections = [s.id for s in spec.sections]
    names: dict[str, list[str] | None] = {
        "v": indicators, "chg": indicators, "then": indicators, "flag": flags, "stance": list(STANCE_FIELDS),
        "days": None,
    }  # fmt: skip
    if narrative.min_takeaways > narrative.max_takeaways:
        problems.append("narrative.min_takeaways: must not exceed max_takeaways")
    seen: set[str] = set()
    for i, t in enumerate(narrative.takeaways):
        where = f"narrative.takeaways[{i}]"
        if t.id in seen:
            problems.append(f"{where}.id: duplicate takeaway id '{t.id}'")
        seen.add(t.id)
        problems += check_template(f"{where}.text", t.text, names)
        if t.section is not None and t.section not in sections:
            problems.append(f"{where}.section: unknown section '{t.section}' (known: {', '.join(sections)})")
        if t.indicator is not None and t.indicator not in indicators:
            problems.append(f"{where}.indicator: unknown indicator '{t.indicator}'")
        problems += [f"{where}.flags: unknown flag '{f}'" for f in t.flags if f not in flags]
    for i, rule in enumerate(narrative.implications):
        for j, cond in enumerate(rule.when):
            where = f"narrative.implications[{i}].when[{j}]"
            if cond.indicator is not None and cond.indicator not in indicators:
                problems.append(f"{where}.indicator: unknown indicator '{cond.indicator}'")
            if cond.flag is not None and cond.flag not in flags:
                problems.append(f"{where}.flag: unknown flag '{cond.flag}'")
            if cond.rows:
                grid = {r.id: r.group for r in spec.performance.rows} if spec.performance is not None else {}
                if not grid:
                    problems.append(f"{where}.rows: sector leadership needs a [performance] grid")
                unknown = [r for r in cond.rows if grid and r not in grid]
                problems += [f"{where}.rows: '{r}' is not a row of the performance grid" for r in unknown]
                groups = {grid[r] for r in cond.rows if r in grid}
                if len(groups) > 1:
                    problems.append(f"{where}.rows: the rows are in different grid groups ({', '.join(sorted(groups))})")
    return problems
