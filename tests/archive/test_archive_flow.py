"""A short archive of weekly briefings: previous flags, 'since the last briefing', the index page, `list`."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from archive_helpers import ARCHIVE_DATES

from generator.archive import find_briefing, scan
from generator.cli import main

pytestmark = pytest.mark.slow


def manifests(root: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads((root / d.isoformat() / "manifest.json").read_text()) for d in ARCHIVE_DATES]


def test_each_folder_is_self_contained(short_archive: Path) -> None:
    for day in ARCHIVE_DATES:
        names = sorted(p.name for p in (short_archive / day.isoformat()).iterdir())
        assert names == ["briefing.html", "manifest.json", "report.toml", "snapshot.parquet"]
    assert sorted(p.name for p in short_archive.iterdir()) == [*(d.isoformat() for d in ARCHIVE_DATES), "index.html"]


def test_previous_flag_states_come_from_the_previous_briefing(short_archive: Path) -> None:
    first, second, third = manifests(short_archive)
    assert all(f["previous_state"] is None for f in first["flags"].values())
    for fid, flag in second["flags"].items():
        assert flag["previous_state"] == first["flags"][fid]["state"]
    for fid, flag in third["flags"].items():
        assert flag["previous_state"] == second["flags"][fid]["state"]


def test_since_last_compares_with_the_previous_briefing(short_archive: Path) -> None:
    _, second, third = manifests(short_archive)
    s = third["since_last"]
    assert s["before"] == "2026-11-06" and s["after"] == "2026-11-13"
    assert (s["stance_before"], s["stance_after"]) == (second["stance"]["label"], third["stance"]["label"])
    moves = {m["id"]: m for m in s["indicators"]}
    assert set(moves) == set(third["indicators"])
    vix = moves["vix"]
    assert vix["before"] == second["indicators"]["vix"]["value"]
    assert vix["change"] == pytest.approx(third["indicators"]["vix"]["value"] - second["indicators"]["vix"]["value"])
    # two earlier briefings give one past change: too few for a standard deviation
    assert vix["sd_change"] is None and vix["sd_basis"] == 1
    assert s["movers"] and all(moves[i]["change"] for i in s["movers"])
    flags = {f["id"]: (f["before"], f["after"]) for f in s["flags"]}
    assert flags == {fid: (second["flags"][fid]["state"], f["state"]) for fid, f in third["flags"].items()}
    series = {u["id"]: u for u in s["series"]}
    # UNRATE is dated the 1st and public 37 days later: October's print (public 11-07) is new on 11-13.
    assert series["UNRATE"]["what"] == "new observation" and series["UNRATE"]["new_dates"] == ["2026-10-01"]
    # core CPI (45 days): October's is public only on 11-15, so nothing new, and nothing revised.
    assert series["CPILFESL"]["what"] == "unchanged" and series["CPILFESL"]["revisions"] == []
    # daily rates: the five business days since 11-06 (published the next day)
    assert series["DGS2"]["new_dates"] == ["2026-11-06", "2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12"]
    assert "IWM" not in series  # market prices are not macro releases
    assert [h["date"] for h in third["history"]] == ["2026-10-30", "2026-11-06"]


def test_since_last_section_in_the_html(short_archive: Path) -> None:
    html = (short_archive / "2026-11-13" / "briefing.html").read_text()
    section = html[html.index('id="since-last"') :]
    section = section[: section.index("</section>")]
    assert "Compared with the briefing of <strong>2026-11-06</strong>" in section
    assert "UNRATE" in section and "1 new observation(s), latest 2026-10-01" in section
    assert "Flag history across briefings" in section and "<svg" in section
    first = (short_archive / "2026-10-30" / "briefing.html").read_text()
    assert 'id="since-last"' not in first and "#since-last" not in first


def test_index_page(short_archive: Path) -> None:
    html = (short_archive / "index.html").read_text()
    for day in ARCHIVE_DATES:
        assert f'href="{day}/briefing.html"' in html
    assert html.count('<li><a class="s-') == 3
    briefings, _ = scan(short_archive)
    n_flags = len(briefings[-1].manifest.flags)
    assert len(re.findall(r'<td class="cell c-(green|amber|red|unknown)"', html)) == 3 * n_flags
    assert "<script" not in html and not re.search(r"(src|href)=\"(https?:)?//", html)


def test_list_table_and_json(short_archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--output", str(short_archive)]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if re.match(r"^\d{4}-", line)]
    assert [line[:10] for line in lines] == ["2026-11-13", "2026-11-06", "2026-10-30"]
    assert main(["list", "--output", str(short_archive), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = data["briefings"]
    assert [r["date"] for r in rows] == ["2026-11-13", "2026-11-06", "2026-10-30"]
    third = find_briefing(short_archive, date(2026, 11, 13)).manifest
    states = [f.state for f in third.flags.values()]
    assert rows[0]["flags"] == {s: states.count(s) for s in ("red", "amber", "green", "unknown")}
    assert rows[0]["stance"] == third.stance.label
    assert rows[0]["source"] == "illustrative" and rows[0]["illustrative"] is True
    assert rows[0]["revisions"] == 0 and rows[0]["files"] == {"html": "2026-11-13/briefing.html"}


def test_list_via_environment_variable(short_archive: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_OUTPUT", str(short_archive))
    assert main(["list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["briefings"]) == 3
