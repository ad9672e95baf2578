"""The briefing read on real data as a strategist reads it (issue 12): nothing stale stated as current, fallbacks
used and labelled, no local path anywhere, and a reader can tell from the first pages how complete and how fresh
the evidence is. Runs on ../shared/data (skipped where it is absent)."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from real_data import fill_store

from generator import build_briefing
from generator.acquire import DataSources
from generator.pipeline import load_report
from generator.store import ParquetStore

pytestmark = pytest.mark.slow
DAY = date(2025, 8, 13)
LATER = date(2026, 3, 16)  # the newest files still cover it, partly: many series are stale by then


def _text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<svg.*?</svg>", " ", raw, flags=re.S)  # chart drawings: numbers of axes, not statements
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


@pytest.fixture(scope="module")
def issue_briefing(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The inputs issue 12 was written from: the Mag 7 ending 2025-06-13, no target range, no small-cap sectors."""
    work = tmp_path_factory.mktemp("issue")
    store = fill_store(shared_data, work / "store", "issue", load_report().spec)
    return build_briefing(DAY, source="store", output_dir=work / "out", sources=DataSources(store=ParquetStore(store)))


def test_a_stale_input_is_marked_where_its_number_stands(issue_briefing) -> None:  # type: ignore[no-untyped-def]
    manifest = issue_briefing.manifest
    stale = {iid: i for iid, i in manifest["indicators"].items() if i["stale"] and i["value"] is not None}
    # The Magnificent 7 prices end 2025-06-13: the basket's 3-month return is two months old.
    assert "mag7_minus_rsp_3m" in stale and stale["mag7_minus_rsp_3m"]["as_of"] == "2025-06-13"
    page = _text(issue_briefing.files["briefing.html"])
    for iid, ind in stale.items():
        row = page[page.index(ind["label"]):][:400]
        assert "stale: as of" in row, (iid, row)
    # The summary, the dashboard and the flag readings never state it as current.
    analysis = issue_briefing.analysis
    assert "concentration" not in {t.id for t in analysis.narrative.takeaways}  # its sentence reads the basket
    dashboard = manifest["dashboard"]
    assert not {m["id"] for m in dashboard["moves"]} & set(stale)
    basket = f"{abs(stale['mag7_minus_rsp_3m']['value']):.1f}"
    for line in [*dashboard["reading"], *[f["reading"] for f in manifest["flags"].values()]]:
        assert f"basket beat it by {basket}" not in line and f"by {basket} points over three months" not in line, line
    # The PDF says the same: the stale mark stands beside the number on paper too.
    pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(issue_briefing.files["briefing.pdf"]).pages)
    assert pdf.count("stale: as of") >= len(stale)


def test_declared_fallbacks_stand_in_and_are_labelled(issue_briefing) -> None:  # type: ignore[no-untyped-def]
    series = issue_briefing.manifest["series"]
    # The target range is missing: derived from the effective rate, and the Fed section has numbers.
    assert series["DFEDTARU"]["fallback"] == "derived from the effective rate (DFF)"
    assert series["DFEDTARU"]["source"] == "derived"
    fed = issue_briefing.manifest["indicators"]["fed_funds_target"]
    assert fed["value"] == 4.5 and fed["fallbacks"] == ["DFEDTARU: derived from the effective rate (DFF)"]
    # The Sahm rule file ends 2024-09: its own history, then Sahm's formula on UNRATE after it.
    assert series["SAHMREALTIME"]["fallback"].startswith("after 2024-09-01: computed from UNRATE")
    # No small-cap sector ETFs: the large-cap SPDRs stand in, labelled as large caps.
    assert series["PSCE"]["fallback"] == "large-cap energy (XLE) standing in for small caps"
    page = _text(issue_briefing.files["briefing.html"])
    assert "DFEDTARU: derived from the effective rate (DFF)" in page
    assert "PSCE: large-cap energy (XLE) standing in for small caps" in page


def test_no_local_path_in_any_output(issue_briefing, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    folder = issue_briefing.directory
    texts = [(folder / name).read_text(encoding="utf-8") for name in ("briefing.html", "manifest.json", "report.toml")]
    pdf = PdfReader(folder / "briefing.pdf")
    texts += [page.extract_text() for page in pdf.pages]
    for text in texts:
        for path in (str(folder.parent), str(shared_data), "/tmp/", "/home/", "/work/", "/root/"):
            assert path not in text


def test_page_1_says_how_complete_and_fresh_the_evidence_is(issue_briefing) -> None:  # type: ignore[no-untyped-def]
    first = " ".join(PdfReader(issue_briefing.files["briefing.pdf"]).pages[0].extract_text().split())
    evidence = issue_briefing.manifest["dashboard"]["evidence"]
    assert re.search(r"\d+ of \d+ signals read \(\d+%\)", first), first
    assert "from stale inputs (marked where they stand)" in evidence
    assert "Evidence:" in first


@pytest.fixture(scope="module")
def newest_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("newest")
    return fill_store(shared_data, work / "store", "newest", load_report().spec)


def test_in_2026_stale_signals_count_for_nothing_and_the_stance_says_so(newest_store: Path, tmp_path: Path) -> None:
    result = build_briefing(LATER, source="store", output_dir=tmp_path, formats=("html",),
                            sources=DataSources(store=ParquetStore(newest_store)))
    stance = result.manifest["stance"]
    stale_flags = [f for f in result.manifest["flags"].values() if f["stale_as_of"]]
    assert stale_flags, "CPI and unemployment end in November 2025: their flags are stale in March 2026"
    for f in stale_flags:
        assert f["state"] == "unknown" and any(f["label"] in m for m in stance["missing"])
    # Fewer than 60% of the drivers can be read: the stance admits it instead of reading "Mixed".
    assert stance["label"] == "Insufficient evidence"
    assert stance["reasons"][0].startswith("Insufficient evidence: only ")
    page = _text(result.files["briefing.html"])
    assert page.count("stale: as of") >= sum(i["stale"] and i["value"] is not None
                                             for i in result.manifest["indicators"].values())


def test_an_illustrative_and_a_real_briefing_never_compare(newest_store: Path, tmp_path: Path) -> None:
    real = build_briefing(DAY, source="store", output_dir=tmp_path, formats=("html",),
                          sources=DataSources(store=ParquetStore(newest_store)))
    fake = build_briefing(date(2025, 8, 20), source="illustrative", output_dir=tmp_path, formats=("html",))
    assert not real.manifest["source"]["illustrative"] and fake.manifest["source"]["illustrative"]
    assert fake.manifest["since_last"] is None  # no "revisions" between synthetic and real numbers
    assert all(f["previous_state"] is None for f in fake.manifest["flags"].values())  # no hysteresis from them
    assert fake.manifest["dashboard"]["compared_what"].startswith("the data as of")
    # And a real briefing after them compares with the real one only, a week earlier.
    later = build_briefing(date(2025, 8, 27), source="store", output_dir=tmp_path, formats=("html",),
                           sources=DataSources(store=ParquetStore(newest_store)))
    assert later.manifest["since_last"]["before"] == "2025-08-13"
    assert later.manifest["dashboard"]["compared_what"] == "the previous briefing (13 Aug 2025)"


def test_an_old_previous_briefing_is_said_to_be_old(newest_store: Path, tmp_path: Path) -> None:
    sources = DataSources(store=ParquetStore(newest_store))
    build_briefing(date(2024, 5, 15), source="store", output_dir=tmp_path, formats=("html",), sources=sources)
    result = build_briefing(DAY, source="store", output_dir=tmp_path, formats=("html",), sources=sources)
    note = result.manifest["dashboard"]["gap_note"]
    assert note.startswith("The previous briefing (15 May 2024) is 15 months old"), note
    assert json.loads((result.directory / "manifest.json").read_text())["dashboard"]["gap_note"] == note


def test_the_second_report_builds_on_the_real_data(newest_store: Path, tmp_path: Path) -> None:
    plan = load_report("rates_credit_cycle")  # the packaged name resolves
    result = build_briefing(DAY, source="store", output_dir=tmp_path, formats=("html",), report="rates_credit_cycle",
                            sources=DataSources(store=ParquetStore(newest_store)))
    assert result.manifest["report_definition"]["id"] == plan.report_id == "rates_credit_cycle"
    assert result.analysis.stance.label in ("Supportive", "Mixed", "Fragile", "Insufficient evidence")
    assert {t.verdict for t in result.analysis.thesis} >= {"consistent"}


def test_the_weekly_note_fits_its_pages_on_the_real_data(newest_store: Path, tmp_path: Path) -> None:
    result = build_briefing(DAY, source="store", output_dir=tmp_path,
                            sources=DataSources(store=ParquetStore(newest_store)))
    pdf = PdfReader(result.files["briefing.pdf"])
    appendix = pdf.get_destination_page_number(pdf.named_destinations["appendix"]) + 1
    body, tail = appendix - 1, len(pdf.pages) - appendix + 1
    assert body <= 10 and tail <= 3, (body, tail)
    first = " ".join(pdf.pages[0].extract_text().split()).lower()
    for heading in ("the reading", "what changed", "what to watch", "what would change the view"):
        assert heading in first
    assert "Performance" in " ".join(pdf.pages[2].extract_text().split())  # the grid on page 3
    # Each takeaway's first line is a line of words, not its first word alone ("5. Over" / "twelve months ...":
    # a space before the page reference made WeasyPrint break there).
    lines = pdf.pages[1].extract_text().splitlines()
    takeaways = lines[lines.index("Key takeaways") + 1 : lines.index("Scorecard")]
    starts = [line for line in takeaways if line[:1].isupper()]
    assert len(starts) >= 3 and all(len(line.split()) > 3 for line in takeaways if "→" not in line), takeaways
