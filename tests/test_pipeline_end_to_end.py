"""The whole pipeline on illustrative data: files, manifest, PDF text and HTML self-containment."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import socket
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator import build_briefing
from generator.acquire import default_sources
from generator.render.context import ILLUSTRATIVE_MARK

SECTION_TITLES = [
    "Scorecard",
    "Risk appetite and leadership",
    "The Fed and rates",
    "Risks",
    "Data quality",
    "Methodology and sources",
]


def pdf_pages(result) -> list[str]:  # type: ignore[no-untyped-def]
    reader = PdfReader(io.BytesIO(result.files["briefing.pdf"].read_bytes()))
    return [page.extract_text() for page in reader.pages]


def test_files_written(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    d = illustrative_briefing.directory
    assert d.name == "2026-11-20"
    assert sorted(p.name for p in d.iterdir()) == [
        "briefing.html",
        "briefing.pdf",
        "manifest.json",
        "report.toml",
        "snapshot.parquet",
    ]
    assert not [p for p in d.parent.iterdir() if p.name.startswith(".")], "temporary folders left behind"


def test_manifest_contents(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    m = json.loads((illustrative_briefing.directory / "manifest.json").read_text())
    assert m == illustrative_briefing.manifest
    assert m["briefing_date"] == "2026-11-20"
    assert m["source"] == {
        "requested": "illustrative",
        "illustrative": True,
        "point_in_time_policy": "publication lag declared per series",
    }
    assert len(m["report_definition"]["sha256"]) == 64
    assert m["generator_version"]
    ind = m["indicators"]["iwm_spy_rel_1m"]
    assert ind["unit"] == "pp" and isinstance(ind["value"], float)
    assert ind["inputs_as_of"] == {"IWM": "2026-11-20", "SPY": "2026-11-20"}
    # core CPI is dated the 1st and public 45 days later: October's (public 11-15) is known on 11-20,
    # November's is not; UNRATE (37 days) likewise stops at October.
    assert m["indicators"]["core_cpi_yoy"]["inputs_as_of"] == {"CPILFESL": "2026-10-01"}
    assert m["series"]["UNRATE"]["last"] == "2026-10-01"
    assert {f["state"] for f in m["flags"].values()} <= {"green", "amber", "red", "unknown"}
    assert set(m["series"]) >= {"IWM", "SPY", "DGS2", "VIX"}
    assert all(s["source"] == "illustrative" for s in m["series"].values())
    assert set(m["files"]) == {"briefing.html", "briefing.pdf", "report.toml", "snapshot.parquet"}


def test_pdf_says_what_manifest_says(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    pages = pdf_pages(illustrative_briefing)
    text = "\n".join(pages)
    m = illustrative_briefing.manifest
    assert "2026-11-20" in pages[0] and "US Small-Cap Rotation Monitor" in pages[0]
    assert m["stance"]["label"] in pages[0]
    for title in SECTION_TITLES:
        assert title in text, title
    for key in ("iwm_spy_rel_1m", "iwm_spy_rel_12m", "dff_minus_dgs2", "core_cpi_yoy", "vix"):
        assert m["indicators"][key]["formatted"] in text, key
    n = len(pages)
    for i, page in enumerate(pages, 1):
        assert ILLUSTRATIVE_MARK in page, f"page {i} lacks the illustrative mark"
        assert f"page {i} of {n}" in page


def test_html_is_self_contained(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    html = illustrative_briefing.files["briefing.html"].read_text()
    assert ILLUSTRATIVE_MARK in html
    assert "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "<script" not in html
    assert "<link" not in html


@pytest.mark.slow
def test_the_offline_first_run_is_a_short_illustrative_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `make briefing` writes on a machine that cannot reach Yahoo or FRED: live sources refused (a closed
    port on loopback), nothing stored, so every series falls back to illustrative data. It fits the weekly
    note's pages (body 10, appendix 3), and its data-quality box says the outage in a few lines."""
    with socket.socket() as probe:  # a port nobody listens on: each request is refused at once
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("BRIEFING_YAHOO_BASE_URL", closed)
    monkeypatch.setenv("BRIEFING_FRED_API_ROOT", closed + "/fred")
    monkeypatch.setenv("BRIEFING_FRED_CSV_URL", closed + "/fredgraph.csv")
    monkeypatch.setenv("BRIEFING_HTTP_RETRIES", "0")
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "store"))
    day = date(2026, 11, 20)
    sources = dataclasses.replace(default_sources(), today=lambda: day)  # "today", so live quotes are tried too
    result = build_briefing(day, output_dir=tmp_path / "out", sources=sources)
    assert result.analysis.snapshot.illustrative
    reader = PdfReader(result.files["briefing.pdf"])
    appendix = reader.get_destination_page_number(reader.named_destinations["appendix"]) + 1
    assert (appendix - 1, len(reader.pages) - appendix + 1) <= (10, 3)
    assert all(ILLUSTRATIVE_MARK in page.extract_text() for page in reader.pages)
    notes = [q["message"] for q in result.manifest["data_quality"]]
    assert len(notes) <= 6, notes
    assert sum("fell back to illustrative data" in n for n in notes) == 1
    assert not any(n.startswith("Illustrative data - not market data") for n in notes)  # said once, above
    # Plain reasons, one per source, not curl's message per symbol nor "HTTP 0" for a connection never made.
    assert "curl" not in " ".join(notes) and "HTTP 0" not in " ".join(notes)
    assert "live yahoo failed: could not connect to Yahoo (refused or reset; offline, or set BRIEFING_PROXY) " \
           "(all 33 yahoo series)" in notes
    assert any(n.startswith("Yahoo: cannot connect to Yahoo (offline, or set BRIEFING_PROXY) (18 series: PE_TTM_IWM")
               for n in notes), notes
