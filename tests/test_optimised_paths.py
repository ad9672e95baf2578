"""The optimised paths give the same briefing as the straightforward ones.

The speed-ups of issue 8 (charts drawn in a worker process while the manifest
is built and WeasyPrint loads; the store's in-memory merge) must not change a
number, a chart or a page. Each is compared here with its reference path:
``build_briefing(parallel=False)`` draws the charts in-process, the way every
run did before; ``ParquetStore.write`` then ``read`` is what ``merge`` replaces.
"""

from __future__ import annotations

import io
import json
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from generator.charts import render_charts
from generator.charts.worker import ChartWorker, usable_cores
from generator.model import SeriesData, Snapshot
from generator.sources.illustrative import IllustrativeProvider
from generator.spec import SeriesSpec, load_spec
from generator.store import ParquetStore

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "reports" / "small_cap_rotation.toml"
STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\+00:00| UTC)?")


def _without_run_time(text: str, generated_at: str) -> str:
    """The text with this run's generation time (and only it) masked."""
    day, clock = generated_at[:10], generated_at[11:16]
    return STAMP.sub(
        lambda m: "<generated>" if m.group(0).startswith(day) and clock in m.group(0) else m.group(0), text
    )


def test_charts_from_the_worker_equal_charts_drawn_here() -> None:
    spec = load_spec(REPORT).spec
    day = date(2026, 11, 20)
    got = IllustrativeProvider().fetch(list(spec.series.values()), day - timedelta(days=4400), day).series
    snapshot = Snapshot(as_of=day, series=got, requested_source="illustrative")
    reference = render_charts(spec, snapshot)
    with ChartWorker() as worker:
        in_worker = worker.draw(spec, snapshot)()
    assert reference and in_worker == reference  # same ids, titles, alt texts, source lines and SVG, byte for byte
    if usable_cores() > 1:
        with ChartWorker() as worker:
            assert worker._pool is not None  # on this machine the worker path was the one exercised


@pytest.mark.slow
def test_parallel_briefing_equals_the_reference_build(illustrative_briefing, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from generator import build_briefing

    fast = illustrative_briefing  # the session's briefing: built with the default, parallel path
    ref = build_briefing(fast.date, source="illustrative", output_dir=tmp_path, report=REPORT, parallel=False)
    a = json.loads((fast.directory / "manifest.json").read_text(encoding="utf-8"))
    b = json.loads((ref.directory / "manifest.json").read_text(encoding="utf-8"))
    for m in (a, b):
        for name in ("briefing.html", "briefing.pdf"):  # they embed the generation time
            m["files"].pop(name)
    ta, tb = a.pop("generated_at"), b.pop("generated_at")
    ra, rb = a.pop("pdf"), b.pop("pdf")  # when each PDF was rendered
    assert ra["state"] == rb["state"] == "rendered" and ra["mode"] == rb["mode"] == "eager"
    assert a == b  # every indicator, flag, source, snapshot hash and definition hash

    html_a = _without_run_time((fast.directory / "briefing.html").read_text(encoding="utf-8"), ta)
    html_b = _without_run_time((ref.directory / "briefing.html").read_text(encoding="utf-8"), tb)
    assert html_a == html_b

    pages_a = PdfReader(io.BytesIO((fast.directory / "briefing.pdf").read_bytes())).pages
    pages_b = PdfReader(io.BytesIO((ref.directory / "briefing.pdf").read_bytes())).pages
    assert len(pages_a) == len(pages_b) > 10
    for pa_, pb_ in zip(pages_a, pages_b, strict=True):
        assert _without_run_time(pa_.extract_text(), ta) == _without_run_time(pb_.extract_text(), tb)


def test_store_merge_equals_write_then_read(tmp_path: Path) -> None:
    spec = SeriesSpec(id="CPIAUCSL", provider="fred", label="CPI", frequency="monthly", kind="index", unit="index")
    merged_store, plain_store = ParquetStore(tmp_path / "a"), ParquetStore(tmp_path / "b")
    days = pd.date_range("2020-01-01", periods=30, freq="MS", name="date")
    rounds = [
        pd.Series(np.linspace(250, 280, 30), index=days),
        pd.Series(np.r_[np.linspace(250, 280, 30)[:-2], 281.0, 282.5], index=days),  # two revisions
        pd.Series([283.0, 284.0], index=pd.DatetimeIndex(["2022-07-01", "2022-08-01"], name="date")),
        pd.Series([283.0], index=pd.DatetimeIndex(["2022-07-01"], name="date")),  # nothing new
    ]
    for k, values in enumerate(rounds):
        data = SeriesData("CPIAUCSL", values, "fred-csv", datetime(2026, 11, 1 + k, tzinfo=UTC))
        added, merged = merged_store.merge(data, spec)
        assert added == plain_store.write(data)
        plain = plain_store.read(spec)
        assert merged is not None and plain is not None
        pd.testing.assert_series_equal(merged.values, plain.values)
        assert (merged.source, merged.fetched_at) == (plain.source, plain.fetched_at)
    pd.testing.assert_frame_equal(merged_store.rows("CPIAUCSL"), plain_store.rows("CPIAUCSL"))
    # the last date from the file's statistics (what a live run plans with) is the last date in its rows
    assert merged_store.last_date("CPIAUCSL") == date(2022, 8, 1) == plain_store.rows("CPIAUCSL")["date"].max().date()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the linker cache (ldconfig) is Linux's")
def test_library_lookup_during_weasyprint_import_agrees_with_ctypes() -> None:
    import ctypes.util

    from generator.render.pdf import _linker_cache_lookup

    find = _linker_cache_lookup()
    assert find is not None
    # the names WeasyPrint tries, found and not found, and two every system has
    names = [
        "libgobject-2.0-0",
        "gobject-2.0-0",
        "gobject-2.0",
        "pango-1.0",
        "harfbuzz",
        "harfbuzz-subset",
        "harfbuzz-vector",
        "fontconfig-1",
        "fontconfig",
        "pangoft2-1.0",
        "c",
        "m",
    ]
    for name in names:
        assert find(name) == ctypes.util._findSoname_ldconfig(name), name  # type: ignore[attr-defined]
    assert find("c") is not None and find("no-such-library-anywhere") is None


def test_flag_history_chart_from_the_worker_equals_the_one_drawn_here(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    from generator.manifest import HistoryPoint, Manifest
    from generator.record import history_chart

    manifest = Manifest.model_validate_json((illustrative_briefing.directory / "manifest.json").read_bytes())
    flags = manifest.flag_states()
    flipped = {fid: ("red" if state == "green" else "green") for fid, state in flags.items()}
    earlier = [
        HistoryPoint(date=manifest.briefing_date - timedelta(days=14), stance="Mixed", flags=flags),
        HistoryPoint(date=manifest.briefing_date - timedelta(days=7), stance="Fragile", flags=flipped),
    ]
    manifest = manifest.model_copy(update={"history": earlier})
    reference = history_chart(manifest)
    assert reference is not None and "changed in this briefing" in reference.alt.lower()
    with ChartWorker() as worker:
        assert worker.submit(history_chart, manifest)() == reference


@pytest.mark.slow
def test_the_process_laying_out_the_pdf_never_imports_matplotlib(tmp_path: Path) -> None:
    """Charts are drawn in the worker: the main process skips matplotlib's import (0.4 s, ~30 MiB)."""
    import subprocess

    if usable_cores() < 2 or sys.platform != "linux":
        pytest.skip("the chart worker runs only with two cores on Linux")
    script = (
        "import sys; from datetime import date; from generator import build_briefing; "
        f"r = build_briefing(date(2026, 11, 20), source='illustrative', output_dir={str(tmp_path)!r}); "
        "print(sorted(r.files), 'matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "False", done.stdout
    assert "'briefing.pdf'" in done.stdout
