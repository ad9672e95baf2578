"""The measurements: each returns a JSON-ready dict with medians and spreads over its runs."""

from __future__ import annotations

import json
import shutil
import statistics
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.data import REPORT, Dataset, synthetic_store, widened_report
from bench.measure import REPO, run, summary

NAMES = ("briefing", "stages", "backfill", "live", "scaling")
LATENCY = 0.150  # seconds added to every response of the loopback Yahoo/FRED service
STAGES = ("imports", "load", "indicators and flags", "charts", "manifest", "HTML render", "PDF render",
          "archive write")


def _store_env(store: Path) -> dict[str, str]:
    return {"BRIEFING_DATA_DIR": str(store)}


def _pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:  # the test extra is not installed: pages are not counted
        return None
    return len(PdfReader(str(path)).pages)


# ---------------------------------------------------------------- the number users feel


def briefing(data: Dataset, work: Path, runs: int) -> dict[str, Any]:
    """``briefing generate --source store`` in a new process: HTML + PDF + manifest, the whole process."""
    args = ["-m", "generator.cli", "generate", "--date", data.day.isoformat(), "--source", "store", "--quiet"]
    env = _store_env(data.store)
    run([*args, "--output", str(work / "briefing-warmup")], env)  # bytecode and disk cache, as after install
    walls, rss, tree, cpu = [], [], [], []
    for i in range(runs):
        out = work / f"briefing-{i}"
        # Timed without the memory sampler: reading /proc every 10 ms takes CPU from the two processes
        # (main and chart worker) that share the two cores. Peak RSS is wait4's all the same.
        sample = run([*args, "--output", str(out)], env, tree=False)
        walls.append(sample.wall)
        rss.append(sample.rss_mib)
        cpu.append(sample.cpu)
    for i in range(min(runs, 2)):  # the summed memory of the process tree, from separate sampled runs
        tree.append(run([*args, "--output", str(work / f"briefing-tree-{i}")], env).tree_rss_mib)
    folder = work / f"briefing-{runs - 1}" / data.day.isoformat()
    return {
        "command": f"briefing generate --date {data.day} --source store",
        "wall_s": summary(walls),
        "cpu_s": summary(cpu),
        "rss_mib": summary(rss, 1),
        "tree_rss_mib": summary(tree, 1),
        "pages": _pdf_pages(folder / "briefing.pdf"),
        "pdf_kib": round((folder / "briefing.pdf").stat().st_size / 1024),
        "html_kib": round((folder / "briefing.html").stat().st_size / 1024),
    }


def _stage_runs(store: Path, day: str, work: Path, runs: int, report: Path = REPORT) -> list[dict[str, Any]]:
    out = []
    for i in range(runs):
        folder = work / f"stages-{store.name}-{i}"
        sample = run(["-m", "bench.stages", "--store", str(store), "--date", day, "--output", str(folder),
                      "--report", str(report)])
        result = json.loads(sample.stdout.strip().splitlines()[-1])
        result["process_wall"] = sample.wall
        out.append(result)
        shutil.rmtree(folder, ignore_errors=True)
    return out


def stages(data: Dataset, work: Path, runs: int) -> dict[str, Any]:
    """Each stage of one briefing, timed inside one new process per run."""
    results = _stage_runs(data.store, data.day.isoformat(), work, runs)
    return {
        "stages": {
            name: {"wall_s": summary([r["seconds"][name] for r in results]),
                   "rss_mib_after": summary([r["rss_mib"][name] for r in results], 1)}
            for name in STAGES if name in results[0]["seconds"]
        },
        "process_wall_s": summary([r["process_wall"] for r in results]),
        "charts": results[0]["charts"],
        "observations": results[0]["observations"],
    }


# ---------------------------------------------------------------- backfill


def _has_backfill() -> bool:
    return (REPO / "generator" / "commands" / "backfill.py").is_file()


def backfill(data: Dataset, work: Path) -> dict[str, Any]:
    """``briefing backfill`` over 52 weekly dates from the store, one run (it is long)."""
    if not _has_backfill():
        return {"skipped": "briefing backfill is not on main yet (issue 6)"}
    first = data.day - timedelta(weeks=51)
    out = work / "backfill"
    args = ["-m", "generator.cli", "backfill", "--from", first.isoformat(), "--to", data.day.isoformat(),
            "--every", "week", "--source", "store", "--output", str(out), "--quiet"]
    sample = run(args, _store_env(data.store))
    folders = sorted(p for p in out.iterdir() if p.is_dir() and p.name[:2] == "20") if out.is_dir() else []
    return {
        "command": f"briefing backfill --from {first} --to {data.day} --every week --source store",
        "wall_s": summary([sample.wall]),
        "cpu_s": summary([sample.cpu]),
        "rss_mib": summary([sample.rss_mib], 1),
        "tree_rss_mib": summary([sample.tree_rss_mib], 1),
        "briefings": len(folders),
    }


# ---------------------------------------------------------------- live fetch


def _kinds(requests: list[tuple[str, dict[str, str]]]) -> dict[str, int]:
    def kind(path: str, query: dict[str, str]) -> str:
        if path.startswith("/v8/finance/chart/"):
            return "yahoo chart" if "period1" in query else "yahoo time-zone probe"
        if path.startswith("/v1/test/getcrumb"):
            return "yahoo crumb"
        if path == "/":
            return "yahoo cookie"
        return "fred"

    return dict(Counter(kind(p, q) for p, q in requests))


def live(data: Dataset, work: Path, runs: int, report: Path = REPORT) -> dict[str, Any]:
    """Every series through yfinance and FRED's code paths, ``LATENCY`` s per response: first and next run."""
    from bench.support.loopback import Loopback
    from bench.support.market import Market
    from generator.spec import load_spec

    spec = load_spec(report).spec
    phases: dict[str, dict[str, list[Any]]] = {"first_run": {}, "incremental": {}}
    with Loopback(latency=LATENCY) as service:
        Market(spec.series, today=data.day.isoformat()).serve(service)
        # Yahoo's session cookie is kept only for a host named like Yahoo's; *.localhost is loopback.
        yahoo = service.url.replace("127.0.0.1", "yahoo.localhost")
        for i in range(-1, runs):  # run -1 warms the service's response cache and the disk cache; not counted
            folder = work / f"live-{i}"
            for phase in phases:
                service.requests.clear()
                sample = run(["-m", "bench.live", "--yahoo-url", yahoo, "--fred-url", service.url,
                              "--date", data.day.isoformat(), "--data", str(folder), "--report", str(report)],
                             tree=False)  # one process: its peak RSS is wait4's; sampling it would slow it
                if i < 0:
                    continue
                result = json.loads(sample.stdout.strip().splitlines()[-1])
                got = phases[phase]
                got.setdefault("fetch", []).append(result["seconds"])
                got.setdefault("process", []).append(sample.wall)
                got.setdefault("rss", []).append(sample.rss_mib)
                got.setdefault("cpu", []).append(sample.cpu)
                got.setdefault("requests", []).append(len(service.requests))
                got.setdefault("kinds", []).append(_kinds(service.requests))
                got.setdefault("fetched", []).append(result["fetched"])
            shutil.rmtree(folder, ignore_errors=True)
    out: dict[str, Any] = {"latency_s": LATENCY, "series": len(spec.series)}
    for phase, got in phases.items():
        requests = int(statistics.median(got["requests"]))
        out[phase] = {
            "wall_s": summary(got["fetch"]),
            "process_wall_s": summary(got["process"]),
            "process_cpu_s": summary(got["cpu"]),
            "rss_mib": summary(got["rss"], 1),
            "requests": requests,
            "request_kinds": got["kinds"][-1],
            "fetched": min(got["fetched"]),
            "one_after_another_s": round(requests * LATENCY, 2),
        }
    return out


# ---------------------------------------------------------------- scaling


def _row(results: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = {name: round(statistics.median(r["seconds"][name] for r in results), 3)
               for name in STAGES if name in results[0]["seconds"]}
    work = {k: v for k, v in seconds.items() if k not in ("imports",)}
    return {"observations": results[0]["observations"], "series": results[0]["series"], "seconds": seconds,
            "total_s": round(sum(work.values()), 3),
            "rss_mib": round(statistics.median(max(r["rss_mib"].values()) for r in results), 1)}


def scaling(data: Dataset, work: Path, runs: int = 2) -> dict[str, Any]:
    """Stage costs for 10, 20 and 40 years of daily history, and for 1x, 2x and 4x the series."""
    day = data.day.isoformat()
    history = []
    for years in (10, 20, 40):
        store = work / f"history-{years}y"
        synthetic_store(store, years, data.day)
        history.append({"years": years, **_row(_stage_runs(store, day, work, runs))})
        shutil.rmtree(store, ignore_errors=True)
    series = []
    for copies in (1, 2, 4):
        folder = work / f"series-x{copies}"
        folder.mkdir()
        report = REPORT
        if copies > 1:
            report = folder / REPORT.name
            widened_report(report, copies)
            shutil.copy(REPORT.parent / "analyst_inputs.csv", folder / "analyst_inputs.csv")
        synthetic_store(folder / "store", 10, data.day, report=report)
        series.append({"copies": copies, **_row(_stage_runs(folder / "store", day, work, runs, report))})
        shutil.rmtree(folder, ignore_errors=True)
    return {"history": history, "series": series,
            "note": "work stages only (imports excluded); synthetic random-walk data, labelled illustrative"}
