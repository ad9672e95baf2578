"""A revised CPI print between two briefings built from the local store: told apart from a new print."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from archive_helpers import REPORT

from generator.acquire import DataSources
from generator.cli import main
from generator.model import SeriesData
from generator.store import ParquetStore

pytestmark = pytest.mark.slow

MONTHS = ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"]


def cpi(values: list[float], fetched: datetime) -> SeriesData:
    index = pd.DatetimeIndex(MONTHS[: len(values)]).as_unit("ns")
    return SeriesData("CPIAUCSL", pd.Series(values, index=index, dtype="float64"), "fred", fetched_at=fetched)


def test_revision_shown_in_since_last_and_compare(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from generator import build_briefing

    store = ParquetStore(tmp_path / "store")
    sources = DataSources(store=store)
    root = tmp_path / "archive"
    store.write(cpi([321.0, 322.0, 323.0, 324.0], datetime(2026, 10, 20, tzinfo=UTC)))
    build_briefing(date(2026, 11, 6), source="store", sources=sources, formats=["html"], output_dir=root, report=REPORT)
    # the September print is revised from 324.0 to 324.3 (as FRED would publish with the next release)
    store.write(cpi([321.0, 322.0, 323.0, 324.3], datetime(2026, 11, 10, tzinfo=UTC)))
    second = build_briefing(
        date(2026, 11, 13), source="store", sources=sources, formats=["html"], output_dir=root, report=REPORT
    )

    update = {u["id"]: u for u in second.manifest["since_last"]["series"]}["CPIAUCSL"]
    assert update["what"] == "revision" and update["new_dates"] == []
    assert update["revisions"] == [{"date": "2026-09-01", "before": 324.0, "after": 324.3}]
    assert (update["last_before"], update["last_after"]) == (324.0, 324.3)
    html = second.files["briefing.html"].read_text()
    assert "2026-09-01 324.00 &rarr; 324.30" in html

    page = tmp_path / "cmp.html"
    assert (
        main(["compare", "2026-11-06", "2026-11-13", "--format", "html", "--to", str(page), "--output", str(root)]) == 0
    )
    capsys.readouterr()
    text = page.read_text()
    assert 'id="chart-vintage-CPIAUCSL"' in text and "<svg" in text
    assert "as of 2026-11-06" in text and "as of 2026-11-13" in text  # the two vintages' legend
    assert main(["compare", "2026-11-06", "2026-11-13", "--format", "json", "--output", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["series"] == second.manifest["since_last"]["series"]
