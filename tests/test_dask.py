"""`backfill --executor dask://HOST:PORT`: the per-date tasks on a Dask cluster (here a LocalCluster of two worker
processes), the archive written by the client alone, the result byte for byte a local backfill's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from generator.backfill import backfill
from generator.cli import main
from generator.executors import parse_executor

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "reports" / "small_cap_rotation.toml"
TODAY = date(2026, 11, 24)


def pinned() -> datetime:
    return datetime(2026, 11, 21, 6, 30, tzinfo=UTC)


def test_executor_addresses() -> None:
    assert str(parse_executor("local")) == "local"
    spec = parse_executor("dask://scheduler.internal:8786")
    assert spec.kind == "dask" and spec.address == "tcp://scheduler.internal:8786"
    assert parse_executor("dask://[::1]:8786").address == "tcp://[::1]:8786"


@pytest.mark.parametrize("bad", ["dask", "dask://host", "dask://host:0", "tcp://host:8786", "dask://a b:1", "threads"])
def test_a_bad_executor_is_one_line_and_exit_2(bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backfill", "--from", "2026-11-13", "--to", "2026-11-20", "--source", "illustrative",
                 "--output", str(tmp_path / "out"), "--executor", bad])
    err = capsys.readouterr().err
    assert code == 2 and err == f"error: --executor {bad!r}: expected local or dask://HOST:PORT (a Dask scheduler's address)\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_dask_backfill_equals_a_local_one(tmp_path: Path) -> None:
    days = [date(2026, 10, 30), date(2026, 11, 6), date(2026, 11, 13)]
    common = dict(source="illustrative", report=REPORT, today=TODAY, clock=pinned)
    local = tmp_path / "local"
    backfill(days[0], days[-1], "week", output_dir=local, workers=2, **common)  # type: ignore[arg-type]

    remote = tmp_path / "dask"
    said: list[str] = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  local_directory=str(tmp_path / "dask-workers")) as cluster:
        executor = cluster.scheduler_address.replace("tcp://", "dask://")
        result = backfill(days[0], days[-1], "week", output_dir=remote, executor=executor,  # type: ignore[arg-type]
                          progress=said.append, **common)
    assert sorted(result.written) == days
    assert f"rendering on the Dask cluster at {executor} (2 worker thread(s))" in said
    for day in days:
        for name in ("manifest.json", "briefing.html", "snapshot.parquet", "report.toml"):
            a = (local / day.isoformat() / name).read_bytes()
            b = (remote / day.isoformat() / name).read_bytes()
            assert a == b, f"{day}/{name} differs"
    assert sorted(p.name for p in remote.iterdir()) == sorted(p.name for p in local.iterdir())


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from generator import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")  # the real client, giving up sooner

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["backfill", "--from", "2026-11-13", "--to", "2026-11-13", "--source", "illustrative",
                 "--output", str(tmp_path / "out"), "--executor", f"dask://127.0.0.1:{port}", "--quiet"])
    err = capsys.readouterr().err
    assert code == 6
    assert err.startswith(f"error: --executor dask://127.0.0.1:{port}: cannot reach the Dask scheduler (")
    assert err.endswith("start it with `dask scheduler` and its workers with `dask worker ADDRESS`\n")
    assert err.count("\n") == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []  # nothing built, nothing written
