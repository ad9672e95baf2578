"""Takeaways and implications: the phrasing helpers, the ranking rules, point-in-time moves, and load-time checks."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_copies import replaced, report_copy

from generator.errors import SpecError
from generator.model import FlagResult, FlagState, IndicatorValue, SeriesData, Snapshot, Stance
from generator.narrative import choose_takeaways, evaluate_implication
from generator.phrasing import MissingValue, Quantity, render_template, template_refs
from generator.pipeline import load_report
from generator.pointintime import cut
from generator.spec_narrative import ImplicationSpec, TakeawaySpec

REPORT = Path(__file__).resolve().parents[1] / "reports" / "small_cap_rotation.toml"


# ---------------------------------------------------------------- phrasing


def test_quantity_prints_with_its_decimals_and_words_follow_the_printed_sign() -> None:
    assert str(Quantity(3.14159, 2)) == "3.14"
    assert str(Quantity(-0.04, 1)) == "0.0"  # never "-0.0"
    assert str(Quantity(12345.6, 0)) == "12,346"
    text = "{{ x|pick('up', 'down', 'flat') }} {{ x|abs }} ({{ x|signed }}), {{ p|ordinal }} / {{ q|ordinal }} / {{ r|ordinal }}"
    assert render_template(text, x=Quantity(-2.345, 1), p=Quantity(21, 0), q=Quantity(12, 0), r=Quantity(3, 0)) == (
        "down 2.3 (-2.3), 21st / 12th / 3rd"
    )
    # -0.04 prints as 0.0, so the word must be the zero word, not "down"
    assert render_template("{{ x|pick('up', 'down', 'flat') }}", x=Quantity(-0.04, 1)) == "flat"
    assert render_template("{{ (a - b) * 100 }}", a=Quantity(3.32, 2), b=Quantity(3.75, 2)) == "-43.00"
    assert render_template("{{ 100 - a }}", a=Quantity(23, 0)) == "77"


def test_missing_value_drops_the_sentence() -> None:
    with pytest.raises(MissingValue):
        render_template("VIX {{ v.vix }}", v={"vix": None})
    with pytest.raises(MissingValue):
        render_template("{{ last.DGS2 }}", last={})


def test_template_refs_lists_what_a_template_reads() -> None:
    refs = template_refs("{{ v.a|abs }} {% if flag.f.changed %}{{ chg['b'] }}{% endif %} {{ days }}")
    assert refs == {("v", "a"), ("flag", "f"), ("chg", "b"), ("days", None)}


# ---------------------------------------------------------------- ranking rules


def _ind(iid: str, value: float | None, decimals: int = 1) -> IndicatorValue:
    return IndicatorValue(id=iid, label=iid, value=value, unit="pp", decimals=decimals, inputs_as_of={})


def _flag(fid: str, state: FlagState, kind: str = "risk", previous: FlagState | None = None) -> FlagResult:
    return FlagResult(fid, fid.title(), kind, state, 1.0, "x", "", "", previous_state=previous)  # type: ignore[arg-type]


def _spec(takeaways: list[dict], min_n: int = 2, max_n: int = 3):  # type: ignore[no-untyped-def,type-arg]
    spec = load_report(REPORT).spec
    narrative = spec.narrative.model_copy(
        update={
            "takeaways": [TakeawaySpec(**t) for t in takeaways],
            "min_takeaways": min_n,
            "max_takeaways": max_n,
        }
    )
    return spec.model_copy(update={"narrative": narrative})


def test_ranking_always_first_then_flag_changes_then_biggest_moves() -> None:
    from generator.narrative import FlagView

    spec = _spec(
        [
            {"id": "small", "text": "small {{ chg.a }}", "indicator": "a", "scale": 1.0},
            {"id": "big", "text": "big {{ chg.b }}", "indicator": "b", "scale": 1.0},
            {"id": "stance", "text": "stance", "always": True},
            {"id": "flagged", "text": "flag", "indicator": "a", "scale": 100.0, "flags": ["f"]},
        ],
        max_n=3,
    )
    changes = {"a": Quantity(1.5, 1), "b": Quantity(-4.0, 1)}
    values = {"v": {}, "chg": changes}
    views = {"f": FlagView("F", "red", "amber", True, "since the previous briefing")}
    chosen = choose_takeaways(spec, values, changes, views)  # type: ignore[arg-type]
    assert [t.id for t in chosen] == ["stance", "flagged", "big"]  # max 3: "small" (1.5) loses to "big" (4.0)
    assert chosen[1].reason.startswith("F amber -> red")
    assert chosen[2].score == 4.0 and chosen[2].text == "big -4.0"


def test_ranking_fills_to_the_minimum_and_skips_sentences_without_data() -> None:
    from generator.narrative import FlagView

    spec = _spec(
        [
            {"id": "quiet", "text": "quiet {{ chg.a }}", "indicator": "a", "scale": 10.0},
            {"id": "nodata", "text": "no {{ v.z }}", "indicator": "b", "scale": 1.0},
            {"id": "calm", "text": "calm", "indicator": "c", "scale": 10.0},
        ],
        min_n=2,
        max_n=3,
    )
    changes = {"a": Quantity(2.0, 1), "b": Quantity(5.0, 1), "c": Quantity(0.5, 1)}
    values = {"v": {"z": None}, "chg": changes}
    views: dict[str, FlagView] = {}
    chosen = choose_takeaways(spec, values, changes, views)  # type: ignore[arg-type]
    # "nodata" scores 5 but reads a value without data: left out. Nothing else scores >= 1, so the
    # two best below 1 fill to the minimum of 2: quiet (0.2) then calm (0.05).
    assert [t.id for t in chosen] == ["quiet", "calm"]


# ---------------------------------------------------------------- implications


def _rule(match: str, *conditions: dict) -> ImplicationSpec:  # type: ignore[type-arg]
    return ImplicationSpec(id="r", tilt="t", article="a", match=match, when=list(conditions))  # type: ignore[arg-type]


def test_implication_verdicts_all_and_any() -> None:
    inds = {"up": _ind("up", 2.0), "none": _ind("none", None)}
    flags = {"f": _flag("f", FlagState.AMBER), "g": _flag("g", FlagState.UNKNOWN)}
    up_above_1 = {"indicator": "up", "above": 1.0, "says": "up above 1"}
    f_amber_or_red = {"flag": "f", "states": ["amber", "red"], "says": "f amber or red"}
    f_red = {"flag": "f", "states": ["red"], "says": "f red"}
    none_above_1 = {"indicator": "none", "above": 1.0, "says": "none above 1"}
    g_red = {"flag": "g", "states": ["red"], "says": "g red"}
    up_below_0 = {"indicator": "up", "below": 0.0, "says": "up below 0"}

    result = evaluate_implication(_rule("all", up_above_1, f_amber_or_red), inds, flags)
    assert result.verdict == "favoured"
    assert [(c.holds, c.today) for c in result.conditions] == [(True, "2.0 pp"), (True, "F: amber")]
    assert evaluate_implication(_rule("all", up_above_1, f_red), inds, flags).verdict == "not favoured"
    result = evaluate_implication(_rule("all", up_above_1, none_above_1), inds, flags)
    assert result.verdict == "undecided" and result.conditions[1].today == "no data"
    assert evaluate_implication(_rule("all", none_above_1, f_red), inds, flags).verdict == "not favoured"
    # any: one lacks data (g is unknown) and one fails -> undecided; one holding is enough
    result = evaluate_implication(_rule("any", g_red, up_below_0), inds, flags)
    assert result.verdict == "undecided" and result.conditions[0].today == "G: unknown"
    assert evaluate_implication(_rule("any", g_red, up_below_0, f_amber_or_red), inds, flags).verdict == "favoured"
    assert evaluate_implication(_rule("any", up_below_0, f_red), inds, flags).verdict == "not favoured"


# ---------------------------------------------------------------- moves are point in time


def test_moves_compare_with_what_was_public_on_the_lookback_date(tmp_path: Path) -> None:
    # The test sets its own horizon (30 days), whatever the production report's cadence is.
    loaded = load_report(report_copy(tmp_path, replaced("lookback_days = 7 ", "lookback_days = 30 ")))
    spec = loaded.spec
    as_of = date(2026, 11, 20)
    # VIX drifts down from 30 to 12 until the lookback date (2026-10-21: level and 1-year percentile low),
    # then jumps to 25 (amber on level, top of its 1-year range: red on percentile; the flag takes "any").
    before = pd.bdate_range("2025-01-01", "2026-10-21")
    after = pd.bdate_range("2026-10-22", "2026-11-20")
    vix = pd.concat([pd.Series(np.linspace(30.0, 12.0, len(before)), before), pd.Series(25.0, after)])
    months = pd.date_range("2024-01-01", "2026-10-01", freq="MS")
    core = pd.Series(100.0, months)
    core[core.index == "2026-10-01"] = 103.0  # October 2026: 3% over the year, public on 2026-11-15
    series = {
        "VIX": SeriesData("VIX", vix, "fred"),
        "CPILFESL": SeriesData("CPILFESL", core, "fred"),
    }
    snapshot = Snapshot(as_of=as_of, series=series, requested_source="store")
    then = cut(spec, snapshot, date(2026, 10, 21))
    # CPILFESL is published 45 days after its date: on 2026-10-21 the last known month is September 2026
    # (public 2026-10-16); October's figure came out on 2026-11-15.
    assert then.series["CPILFESL"].last_date == date(2026, 9, 1)
    assert then.series["VIX"].last_date == date(2026, 10, 21) and then.series["VIX"].values.iloc[-1] == 12.0

    analysis = loaded.evaluate(snapshot)  # the plan compares with the lookback date itself, once
    indicators, flags, narrative = analysis.indicators, analysis.flags, analysis.narrative
    assert narrative is not None
    assert narrative.lookback_date == date(2026, 10, 21)
    assert narrative.then["vix"] == 12.0 and indicators["vix"].value == 25.0
    # core CPI y/y: October 2026 = 103 / 100 - 1 = 3.0%; September 2026 (known then) = 100 / 100 - 1 = 0%
    assert narrative.then["core_cpi_yoy"] == pytest.approx(0.0)
    assert indicators["core_cpi_yoy"].value == pytest.approx(3.0)
    assert narrative.flags_then["volatility_shock"] is FlagState.GREEN
    assert flags["volatility_shock"].state is FlagState.RED
    texts = {t.id: t for t in narrative.takeaways}
    assert texts["volatility"].text == (
        "The VIX is at 25.0 (+13.0 in 30 days); the volatility-shock flag is red, from green since 2026-10-21."
    )
    assert texts["volatility"].reason.startswith("Volatility shock green -> red")
    # core CPI 3-month annualized = 100 * (1.03 ** 4 - 1) = 12.55%: the inflation flag went green -> red.
    assert texts["inflation"].text == (
        "Core CPI inflation is 3.0% over the year and 12.6% annualized over three months (+3.0 points on the "
        "year-over-year figure known 30 days ago); the inflation-resurgence flag is red, from green since 2026-10-21."
    )
    # both flag changes rank right after the stance, the bigger move first: 3.0 / 0.2 = 15 > 13 / 3 = 4.3
    assert [t.id for t in narrative.takeaways][:3] == ["stance", "inflation", "volatility"]
    assert narrative.takeaways[0].text.startswith("The signals read ")


def test_real_definition_writes_as_many_takeaways_as_it_declares(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    narrative = illustrative_briefing.analysis.narrative
    rules = load_report(REPORT).spec.narrative
    assert rules.min_takeaways <= len(narrative.takeaways) <= rules.max_takeaways
    assert narrative.takeaways[0].id == "stance"
    for t in narrative.takeaways:
        assert "{" not in t.text and "None" not in t.text and "nan" not in t.text, t.text
    assert [i.id for i in narrative.implications] == ["quality", "defensives", "rate_sensitive", "core_tech"]
    assert {i.verdict for i in narrative.implications} <= {"favoured", "not favoured", "undecided"}


# ---------------------------------------------------------------- load-time checks


def _write(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    path = report_copy(tmp_path, edit, "report.toml")
    tomllib.loads(path.read_text())  # the edit keeps it TOML
    return path


def test_definition_errors_name_the_key(tmp_path: Path) -> None:
    ids = [t.id for t in load_report(REPORT).spec.narrative.takeaways]
    vix, added = ids.index("volatility"), len(ids)
    path = _write(
        tmp_path,
        lambda t: (
            t.replace("{{ chg.vix|signed }}", "{{ chg.vixx|signed }}").replace("{{ gap|abs }}%", "{{ gapp|abs }}%")
            + '\n[[narrative.takeaways]]\nid = "broken"\ntext = "{{ v.vix "\nsection = "nowhere"\n'
        ),
    )
    with pytest.raises(SpecError) as err:
        load_report(path)
    message = str(err.value)
    assert f"narrative.takeaways[{vix}].text: 'chg.vixx' is not defined" in message
    assert "charts.iwm_spy_ratio.title: unknown name 'gapp'" in message
    assert f"narrative.takeaways[{added}].text: template error" in message
    assert f"narrative.takeaways[{added}].section: unknown section 'nowhere'" in message


def test_condition_needs_one_test(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        lambda t: t.replace('{ indicator = "iwm_spy_rel_12m", below = 0.0,', '{ indicator = "iwm_spy_rel_12m",'),
    )
    with pytest.raises(
        SpecError, match=r"narrative\.implications\[3\]\.when\[1\]: an indicator condition needs exactly one"
    ):
        load_report(path)


def test_stance_line_counts(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    flags = illustrative_briefing.analysis.flags
    risks = [f for f in flags.values() if f.kind == "risk"]
    reds = sum(f.state is FlagState.RED for f in risks)
    text = illustrative_briefing.analysis.narrative.takeaways[0].text
    assert f"{reds} of {len(risks)} risk flags are red" in text
    assert isinstance(illustrative_briefing.analysis.stance, Stance)
