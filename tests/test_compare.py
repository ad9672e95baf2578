"""Comparing two briefings, by hand-computed examples: moves, standard deviations, flags, new prints vs revisions."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from generator.compare import change_stats, compare, indicator_history, rank_movers, series_update
from generator.manifest import IndicatorMove, Manifest

SHA_A = "a" * 64
SHA_B = "b" * 64


def manifest(
    day: str,
    indicators: dict[str, float | None],
    flags: dict[str, str],
    stance: str = "Mixed",
    sha: str = SHA_A,
    series: dict[str, str] | None = None,
) -> Manifest:
    return Manifest.model_validate(
        {
            "schema_version": 2,
            "briefing_date": day,
            "data_as_of": day,
            "generated_at": datetime(2026, 11, 20, 8, 0).isoformat() + "Z",
            "generator_version": "test",
            "report_definition": {"path": "r.toml", "sha256": sha, "title": "T", "file": "report.toml"},
            "source": {"requested": "store", "illustrative": False, "point_in_time_policy": "p"},
            "series": {
                sid: {
                    "source": "store",
                    "first": "2020-01-01",
                    "last": day,
                    "observations": 10,
                    "stale": False,
                    "fetched_at": None,
                    "label": f"{sid} label",
                    "provider": provider,
                    "frequency": "monthly" if provider == "fred" else "daily",
                }
                for sid, provider in (series or {}).items()
            },
            "indicators": {
                iid: {
                    "label": iid.upper(),
                    "value": v,
                    "unit": "pp",
                    "decimals": 2,
                    "formatted": "x",
                    "status": "ok" if v is not None else "missing input",
                    "detail": "",
                    "inputs_as_of": {},
                    "stale_inputs": [],
                }
                for iid, v in indicators.items()
            },
            "flags": {
                fid: {
                    "label": fid.title(),
                    "kind": "risk",
                    "state": s,
                    "value": None,
                    "indicator": "x",
                    "thresholds": "t",
                }
                for fid, s in flags.items()
            },
            "stance": {"label": stance, "reasons": []},
            "data_quality": [],
            "files": {},
        }
    )


def ts(values: dict[str, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.DatetimeIndex(list(values)), dtype="float64")


def test_change_stats_by_hand() -> None:
    # values 1, 2, 4, 7, 11: changes 1, 2, 3, 4; mean 2.5; sample variance (2.25+0.25+0.25+2.25)/3 = 5/3
    mean, sd, n = change_stats([1.0, 2.0, 4.0, 7.0, 11.0])
    assert (mean, n) == (2.5, 4)
    assert sd == pytest.approx(math.sqrt(5 / 3))
    assert change_stats([1.0, 2.0, 4.0, 7.0]) == (0.0, None, 3)  # three changes are too few
    assert change_stats([5.0] * 6) == (0.0, None, 5)  # no variation: no meaningful scale


def test_moves_in_units_and_standard_deviations() -> None:
    before = manifest("2026-11-13", {"a": 11.0, "b": 100.0, "c": 0.5, "d": 34.0}, {})
    after = manifest("2026-11-20", {"a": 14.0, "b": 101.0, "c": None, "d": 41.0}, {})
    history = {"a": [1.0, 2.0, 4.0, 7.0, 11.0], "b": [100.0, 100.0], "d": [0.0, 7.0, 14.0, 21.0, 28.0, 34.0]}
    cmp = compare(before, after, None, None, history)
    moves = {m.id: m for m in cmp.indicators}
    assert moves["a"].change == 3.0
    # past changes 1, 2, 3, 4: mean 2.5, sd 1.29; a change of 3 is (3 - 2.5) / 1.29 = 0.39 sd
    assert moves["a"].sd_change == pytest.approx(0.5 / math.sqrt(5 / 3))
    assert moves["a"].sd_basis == 4
    assert moves["b"].change == 1.0 and moves["b"].sd_change is None and moves["b"].sd_basis == 1
    assert moves["c"].change is None and moves["c"].presence == "both"
    # a counter that rises about 7 a week (changes 7, 7, 7, 7, 6: mean 6.8, sd 0.447) rising 7 again
    # is (7 - 6.8) / 0.447 = 0.45 sd: not a big move, whatever its size in days
    assert moves["d"].sd_change == pytest.approx(0.2 / math.sqrt(0.2))
    # d (0.45 sd) and a (0.39 sd) have standard-deviation moves, so they rank first; b follows by relative change
    assert cmp.movers == ["d", "a", "b"]
    assert cmp.series == [] and cmp.notes == [
        "a data snapshot is missing, so new observations and revisions cannot be told apart"
    ]


def test_rank_movers_prefers_sd_then_relative_change() -> None:
    def move(iid: str, before: float, change: float, sd: float | None) -> IndicatorMove:
        return IndicatorMove(
            id=iid, label=iid, unit="u", decimals=1, before=before, after=before + change, change=change, sd_change=sd
        )

    moves = [
        move("small_sd", 10, 0.1, 0.5),
        move("big_sd", 10, -0.2, -3.0),
        move("big_rel", 2, 1.0, None),  # +50 %
        move("small_rel", 100, 5.0, None),  # +5 %
        move("flat", 3, 0.0, None),
    ]
    assert rank_movers(moves) == ["big_sd", "small_sd", "big_rel", "small_rel"]
    assert rank_movers(moves, top=2) == ["big_sd", "small_sd"]


def test_series_update_tells_new_print_from_revision() -> None:
    sep = {"2026-08-01": 323.5, "2026-09-01": 324.2}
    new_print = series_update("CPI", "CPI", "monthly", ts(sep), ts({**sep, "2026-10-01": 325.0}))
    assert new_print.what == "new observation"
    assert new_print.new_dates == [date(2026, 10, 1)] and new_print.revisions == []
    assert (new_print.last_before, new_print.last_after) == (324.2, 325.0)

    revised = series_update("CPI", "CPI", "monthly", ts(sep), ts({"2026-08-01": 323.5, "2026-09-01": 324.4}))
    assert revised.what == "revision" and revised.new_dates == []
    assert [(r.date, r.before, r.after) for r in revised.revisions] == [(date(2026, 9, 1), 324.2, 324.4)]

    both = series_update(
        "CPI", "CPI", "monthly", ts(sep), ts({"2026-08-01": 323.1, "2026-09-01": 324.2, "2026-10-01": 325.0})
    )
    assert both.what == "new observation and revision"
    assert [r.date for r in both.revisions] == [date(2026, 8, 1)]

    same = series_update("CPI", "CPI", "monthly", ts(sep), ts(sep))
    assert same.what == "unchanged"
    assert series_update("X", "X", "monthly", None, ts(sep)).what == "added"
    assert series_update("X", "X", "monthly", ts(sep), None).what == "removed"


def test_across_definition_versions_added_and_removed_are_shown_not_errors() -> None:
    before = manifest("2026-11-13", {"kept": 1.0, "gone": 2.0}, {"f_kept": "green", "f_gone": "red"}, "Fragile")
    after = manifest("2026-11-20", {"kept": 1.5, "new": 3.0}, {"f_kept": "amber", "f_new": "green"}, "Mixed", sha=SHA_B)
    cmp = compare(before, after, None, None)
    moves = {m.id: (m.presence, m.before, m.after, m.change) for m in cmp.indicators}
    assert moves == {
        "kept": ("both", 1.0, 1.5, 0.5),
        "new": ("added", None, 3.0, None),
        "gone": ("removed", 2.0, None, None),
    }
    flags = {f.id: (f.before, f.after, f.changed) for f in cmp.flags}
    assert flags == {
        "f_kept": ("green", "amber", True),
        "f_new": (None, "green", True),
        "f_gone": ("red", None, True),
    }
    assert (cmp.stance_before, cmp.stance_after) == ("Fragile", "Mixed")
    assert cmp.notes[0].startswith(
        "the report definition changed between the two briefings (aaaaaaaaaaaa -> bbbbbbbbbbbb)"
    )


def test_series_compared_from_snapshots_only_for_macro_series() -> None:
    from generator.model import SeriesData, Snapshot

    def snap(day: date, cpi: dict[str, float], iwm: dict[str, float]) -> Snapshot:
        return Snapshot(
            as_of=day,
            series={
                "CPI": SeriesData("CPI", ts(cpi), "store"),
                "IWM": SeriesData("IWM", ts(iwm), "store"),
            },
            requested_source="store",
        )

    kinds = {"CPI": "fred", "IWM": "yahoo"}
    before = manifest("2026-11-13", {}, {}, series=kinds)
    after = manifest("2026-11-20", {}, {}, series=kinds)
    a = snap(date(2026, 11, 13), {"2026-09-01": 324.2}, {"2026-11-13": 230.0})
    b = snap(date(2026, 11, 20), {"2026-09-01": 324.6, "2026-10-01": 325.0}, {"2026-11-13": 231.0, "2026-11-20": 232.0})
    cmp = compare(before, after, a, b)
    assert [(u.id, u.what) for u in cmp.series] == [("CPI", "new observation and revision")]
    assert cmp.releases == cmp.series and cmp.daily_new == []


def test_indicator_history_skips_missing_values_in_date_order() -> None:
    ms = [
        manifest("2026-11-20", {"a": 3.0}, {}),
        manifest("2026-11-06", {"a": 1.0}, {}),
        manifest("2026-11-13", {"a": None, "b": 5.0}, {}),
    ]
    assert indicator_history(ms) == {"a": [1.0, 3.0], "b": [5.0]}
