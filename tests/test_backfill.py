"""Backfill: the schedule, data fetched once, point in time per date, the same numbers as `generate`, faults."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from generator.backfill import MemoProvider, backfill, schedule
from generator.cli import main
from generator.errors import OutputError, UsageError
from generator.sources.illustrative import IllustrativeProvider
from generator.spec import SeriesSpec

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "reports" / "small_cap_rotation.toml"
TODAY = date(2026, 11, 24)


def test_weekly_and_monthly_schedules() -> None:
    assert schedule(date(2026, 10, 30), date(2026, 11, 20), "week") == [
        date(2026, 10, 30),
        date(2026, 11, 6),
        date(2026, 11, 13),
        date(2026, 11, 20),
    ]
    assert schedule(date(2026, 11, 1), date(2026, 11, 7), "week") == [date(2026, 11, 1)]
    # the 31st falls back to each month's last day, and comes back when the month has one
    assert schedule(date(2025, 12, 31), date(2026, 4, 30), "month") == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


@pytest.mark.parametrize(
    ("start", "end", "every", "message"),
    [
        (date(2026, 11, 20), date(2026, 11, 1), "week", "--from 2026-11-20 is after --to 2026-11-01"),
        (date(2026, 1, 1), date(2026, 2, 1), "day", "unknown --every 'day': expected week or month"),
        (date(1990, 1, 1), date(2026, 1, 1), "week", "is 1879 briefings; at most 600"),
    ],
)
def test_schedule_refuses_bad_ranges(start: date, end: date, every: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        schedule(start, end, every)  # type: ignore[arg-type]


def test_memo_provider_fetches_once_and_slices() -> None:
    spec = SeriesSpec(id="DGS2", provider="fred", label="2y", frequency="daily", kind="rate", unit="%")
    inner = IllustrativeProvider()
    calls: list[tuple[date, date]] = []

    class Counting:
        name = "illustrative"

        def fetch(self, specs, start, end):  # type: ignore[no-untyped-def]
            calls.append((start, end))
            return inner.fetch(specs, start, end)

    memo = MemoProvider(Counting(), date(2020, 1, 1), date(2026, 11, 20))
    a = memo.fetch([spec], date(2024, 1, 1), date(2026, 10, 30)).series["DGS2"]
    b = memo.fetch([spec], date(2024, 1, 8), date(2026, 11, 6)).series["DGS2"]
    assert calls == [(date(2020, 1, 1), date(2026, 11, 20))]
    direct = inner.fetch([spec], date(2024, 1, 8), date(2026, 11, 6)).series["DGS2"]
    assert b.values.equals(direct.values)
    assert a.values.index[0] >= direct.values.index[0].replace(day=1, month=1) and a.last_date <= date(2026, 10, 30)


@pytest.mark.slow
def test_backfill_in_worker_processes_matches_generate(tmp_path: Path) -> None:
    from generator import build_briefing

    root = tmp_path / "archive"
    said: list[str] = []
    result = backfill(
        date(2026, 11, 6),
        date(2026, 11, 20),
        "week",
        source="illustrative",
        formats=["html"],
        output_dir=root,
        report=REPORT,
        workers=2,
        progress=said.append,
        today=TODAY,
    )
    days = [date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20)]
    assert sorted(result.written) == days and result.kept == []
    assert said[0] == "loading data once for 3 briefing(s), 2026-11-06 to 2026-11-20"
    assert sorted(line for line in said if "written" in line)[0].startswith("[1/3] 2026-11-")
    manifests = [json.loads((root / d.isoformat() / "manifest.json").read_text()) for d in days]
    for d, m in zip(days, manifests, strict=True):
        assert m["briefing_date"] == d.isoformat()
        assert all(s["last"] is None or s["last"] <= d.isoformat() for s in m["series"].values())
    assert manifests[0]["since_last"] is None
    assert manifests[2]["since_last"]["before"] == "2026-11-13"
    for fid, flag in manifests[2]["flags"].items():
        assert flag["previous_state"] == manifests[1]["flags"][fid]["state"]
    assert (root / "index.html").read_text().count('<li><a class="s-') == 3

    # the same dates built one by one with `generate` give the same data and the same numbers
    solo = tmp_path / "solo"
    for d in days[:2]:
        build_briefing(d, source="illustrative", formats=["html"], output_dir=solo, report=REPORT)
    for d, m in zip(days[:2], manifests[:2], strict=True):
        g = json.loads((solo / d.isoformat() / "manifest.json").read_text())
        assert g["snapshot"]["sha256"] == m["snapshot"]["sha256"]
        assert g["indicators"] == m["indicators"] and g["flags"] == m["flags"] and g["stance"] == m["stance"]
        assert g["since_last"] == m["since_last"]


@pytest.mark.slow
def test_existing_dates_are_kept_unless_forced(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    args = dict(source="illustrative", formats=["html"], output_dir=root, report=REPORT, workers=0, today=TODAY)
    backfill(date(2026, 11, 13), date(2026, 11, 13), "week", **args)  # type: ignore[arg-type]
    first = (root / "2026-11-13" / "manifest.json").read_bytes()
    said: list[str] = []
    result = backfill(date(2026, 11, 13), date(2026, 11, 20), "week", progress=said.append, **args)  # type: ignore[arg-type]
    assert result.kept == [date(2026, 11, 13)] and result.written == [date(2026, 11, 20)]
    assert "1 of 2 date(s) already archived and kept (use --force to rebuild them)" in said
    assert (root / "2026-11-13" / "manifest.json").read_bytes() == first
    # the kept briefing is the new one's previous
    newest = json.loads((root / "2026-11-20" / "manifest.json").read_text())
    assert newest["since_last"]["before"] == "2026-11-13"
    result = backfill(date(2026, 11, 13), date(2026, 11, 13), "week", force=True, **args)  # type: ignore[arg-type]
    assert result.written == [date(2026, 11, 13)]
    assert (root / "2026-11-13" / "revisions" / "1" / "manifest.json").read_bytes() == first


REAL_MACRO = "macro/fred_csv_codex_macro_monitor"
REAL_FILES = {REAL_MACRO: ["CPIAUCSL", "CPILFESL", "UNRATE", "DGS2"], "market/yahoo_csv_silverlight": ["SPY", "IWM"]}


@pytest.mark.slow
def test_backfill_from_real_histories_tells_the_new_cpi_print(shared_data: Path, tmp_path: Path) -> None:
    """Real FRED and Yahoo histories via csv:DIR: August 2025 CPI (dated 08-01) is public 45 days later."""
    folder = tmp_path / "exports"
    folder.mkdir()
    for sub, ids in REAL_FILES.items():
        for sid in ids:
            (folder / f"{sid}.csv").symlink_to(shared_data / sub / f"{sid}.csv")
    root = tmp_path / "archive"
    backfill(
        date(2025, 9, 12),
        date(2025, 9, 19),
        "week",
        source=f"csv:{folder}",
        formats=["html"],
        output_dir=root,
        report=REPORT,
        workers=0,
        today=TODAY,
    )
    with open(shared_data / REAL_MACRO / "CPIAUCSL.csv", newline="") as handle:
        rows = {r[0]: r[1] for r in csv.reader(handle)}
    m = json.loads((root / "2025-09-19" / "manifest.json").read_text())
    cpi = {u["id"]: u for u in m["since_last"]["series"]}["CPIAUCSL"]
    assert cpi["what"] == "new observation" and cpi["new_dates"] == ["2025-08-01"]
    assert cpi["last_after"] == pytest.approx(float(rows["2025-08-01"]))
    assert cpi["last_before"] == pytest.approx(float(rows["2025-07-01"]))
    assert m["series"]["CPIAUCSL"]["last"] == "2025-08-01" and m["series"]["CPIAUCSL"]["source"] == "csv"
    earlier = json.loads((root / "2025-09-12" / "manifest.json").read_text())
    assert earlier["series"]["CPIAUCSL"]["last"] == "2025-07-01"
    assert not m["source"]["illustrative"]



@pytest.mark.slow
def test_disk_filling_during_backfill_keeps_what_was_written(small_disk: Path) -> None:
    with pytest.raises(OutputError) as err:
        backfill(
            date(2026, 11, 6),
            date(2026, 11, 20),
            "week",
            source="illustrative",
            formats=["html"],
            output_dir=small_disk,
            report=REPORT,
            workers=0,
            today=TODAY,
        )
    message = str(err.value)
    assert "no space left on device; the archive is unchanged" in message
    assert message.endswith(
        "backfill stopped: 1 of 3 briefing(s) written; run the same command again to continue (archived dates are kept)"
    )
    assert sorted(p.name for p in small_disk.iterdir()) == ["2026-11-06"]
    assert json.loads((small_disk / "2026-11-06" / "manifest.json").read_text())["briefing_date"] == "2026-11-06"


def test_cli_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for args, message in [
        (["--from", "2026-11-20", "--to", "2026-11-01"], "error: --from 2026-11-20 is after --to 2026-11-01"),
        (["--from", "2026-11-01", "--to", "2026-11-20", "--every", "day"], "error: unknown --every 'day'"),
        (["--from", "2026-11-01", "--to", "2999-01-01"], "error: --to 2999-01-01 is in the future"),
        (["--from", "1 Nov", "--to", "2026-11-20"], "error: --from '1 Nov' is not a valid date"),
    ]:
        code = main(["backfill", *args, "--output", str(tmp_path / "o"), "--source", "illustrative"])
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.startswith(message) and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_live_backfill_fetches_each_series_once(loopback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real Yahoo and FRED providers against loopback services: one download per series for all dates."""
    from bench.support.market import Market
    from generator.acquire import DataSources
    from generator.sources.fred import FredProvider
    from generator.sources.http import NetworkSettings
    from generator.sources.yahoo import YahooProvider
    from generator.spec import load_spec
    from generator.store import ParquetStore

    spec = load_spec(REPORT).spec
    Market(spec.series).serve(loopback)
    fast = NetworkSettings(timeout=2.0, retries=1, backoff=0.001, backoff_max=0.005)
    sources = DataSources(
        live={
            "yahoo": YahooProvider(fast, base_url=loopback.url, cache_dir=tmp_path / "yf", max_workers=4),
            "fred": FredProvider(None, settings=fast, csv_url=f"{loopback.url}/graph/fredgraph.csv"),
        },
        store=ParquetStore(tmp_path / "store"),
        today=lambda: TODAY,
    )
    root = tmp_path / "archive"
    days = [date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20)]
    backfill(days[0], days[-1], "week", source="auto", sources=sources, formats=["html"], output_dir=root,
             report=REPORT, workers=0, today=TODAY)  # fmt: skip
    spy_downloads = [q for p, q in loopback.requests if p.endswith("/SPY") and "period1" in q]
    assert len(spy_downloads) == 1
    fred = [q["id"] for q in loopback.hits("/graph/fredgraph.csv")]
    assert sorted(fred) == sorted(set(fred))  # each FRED series downloaded once
    assert len(ParquetStore(tmp_path / "store").rows("SPY")) > 2000  # the store got the history once
    for day in days:
        m = json.loads((root / day.isoformat() / "manifest.json").read_text())
        assert m["series"]["SPY"]["source"] == "yahoo" and m["series"]["SPY"]["last"] == day.isoformat()
        assert m["series"]["DGS10"]["last"] < day.isoformat()  # published the next day
        assert not m["source"]["illustrative"]
