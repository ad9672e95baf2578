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

NAMES = ("briefing", "serve", "stages", "backfill", "memory", "dask", "live", "scaling")
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


# ---------------------------------------------------------------- the numbers users feel, against a reference


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> float:
    return round(a["median"] / b["median"], 3) if b["median"] else 0.0


def briefing(data: Dataset, work: Path, runs: int) -> dict[str, Any]:
    """QuantStats' HTML tearsheet, ``generate --format html`` and the full ``generate``, each in a new process,
    interleaved run by run (so that the machine's load falls on all three alike); ratios of the medians.

    The full run also records when its manifest appeared: the moment the HTML was published, before the PDF.
    """
    gen = ["-m", "generator.cli", "generate", "--date", data.day.isoformat(), "--source", "store", "--quiet"]
    env = _store_env(data.store)
    reference = ["-m", "bench.reference", "--output"]
    # bytecode and disk cache, as after install; not counted
    run([*reference, str(work / "reference-warmup.html")], tree=False)
    run([*gen, "--output", str(work / "briefing-warmup")], env, tree=False)
    got: dict[str, list[float]] = {k: [] for k in ("ref", "ref_cpu", "html", "html_cpu", "html_rss", "full",
                                                   "full_cpu", "full_rss", "full_html")}
    for i in range(runs):
        # Timed without the memory sampler: reading /proc every 10 ms takes CPU from the processes measured.
        ref = run([*reference, str(work / f"reference-{i}.html")], tree=False)
        html = run([*gen, "--format", "html", "--output", str(work / f"html-{i}")], env, tree=False)
        out = work / f"briefing-{i}"
        full = run([*gen, "--output", str(out)], env, tree=False, watch=out / data.day.isoformat() / "manifest.json")
        for key, sample in (("ref", ref), ("html", html), ("full", full)):
            got[key].append(sample.wall)
            got[f"{key}_cpu"].append(sample.cpu)
            if key != "ref":
                got[f"{key}_rss"].append(sample.rss_mib)
        got["full_html"].append(full.seen or full.wall)
    tree = [run([*gen, "--output", str(work / f"briefing-tree-{i}")], env).tree_rss_mib for i in range(min(runs, 2))]
    folder = work / f"briefing-{runs - 1}" / data.day.isoformat()
    ref_s = summary(got["ref"])
    html_s, full_s = summary(got["html"]), summary(got["full"])
    return {
        "command": f"briefing generate --date {data.day} --source store",
        "reference": {"what": "quantstats.reports.html on 10 years of daily returns (2,520 days), new process",
                      "wall_s": ref_s, "cpu_s": summary(got["ref_cpu"])},
        "html": {"wall_s": html_s, "cpu_s": summary(got["html_cpu"]), "rss_mib": summary(got["html_rss"], 1),
                 "ratio": _ratio(html_s, ref_s)},
        "wall_s": full_s,
        "cpu_s": summary(got["full_cpu"]),
        "rss_mib": summary(got["full_rss"], 1),
        "tree_rss_mib": summary(tree, 1),
        "ratio": _ratio(full_s, ref_s),
        "html_published_s": summary(got["full_html"]),
        "pages": _pdf_pages(folder / "briefing.pdf"),
        "pdf_kib": round((folder / "briefing.pdf").stat().st_size / 1024),
        "html_kib": round((folder / "briefing.html").stat().st_size / 1024),
    }


def serve(data: Dataset, work: Path, dates: int = 3) -> dict[str, Any]:
    """``briefing serve``: from "generate now" to the HTML received, and to the PDF, for dates not archived."""
    sample = run(["-m", "bench.serving", "--store", str(data.store), "--date", data.day.isoformat(),
                  "--output", str(work / "serve"), "--dates", str(dates)], tree=False)
    got = json.loads(sample.stdout.strip().splitlines()[-1])
    return {"start_s": got["start_s"], "html_s": summary([r["html_s"] for r in got["runs"]]),
            "pdf_s": summary([r["pdf_s"] for r in got["runs"]])}


def memory(data: Dataset, work: Path, builds: int = 20, without: int = 20) -> dict[str, Any]:
    """Peak memory of the web app's rendering in each of ``builds`` warm builds (workers recycled), and in each of
    ``without`` builds in one worker that is never replaced, for comparison."""
    out: dict[str, Any] = {}
    for name, count, per in (("recycled", builds, 0), ("one_worker", without, 10_000)):
        sample = run(["-m", "bench.memory", "--store", str(data.store), "--date", data.day.isoformat(),
                      "--output", str(work / f"memory-{name}"), "--builds", str(count),
                      "--jobs-per-worker", str(per)], tree=False)
        got = json.loads(sample.stdout.strip().splitlines()[-1])
        peak = got["peak_mib"]
        out[name] = {**got, "growth": round(peak[-1] / peak[1] - 1, 3) if len(peak) > 1 else 0.0,
                     "workers": len({tuple(p) for p in got.pop("worker_pids")})}
        shutil.rmtree(work / f"memory-{name}", ignore_errors=True)
    return out


def dask(data: Dataset, work: Path, dates: int = 8) -> dict[str, Any]:
    """A backfill of ``dates`` weekly dates on a Dask LocalCluster (two worker processes) against the local pool."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return {"skipped": "the dask extra is not installed (pip install 'macro-briefing[dask]')"}
    sample = run(["-m", "bench.dask_backfill", "--store", str(data.store), "--date", data.day.isoformat(),
                  "--output", str(work / "dask"), "--dates", str(dates)], tree=False)
    return json.loads(sample.stdout.strip().splitlines()[-1])


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
    """``briefing backfill`` over 52 weekly dates from the store: HTML and manifests (the default, PDFs rendered
    when first needed), then with every PDF (``--format html,pdf``). One run each (they are long)."""
    if not _has_backfill():
        return {"skipped": "briefing backfill is not on main yet (issue 6)"}
    first = data.day - timedelta(weeks=51)
    out: dict[str, Any] = {}
    for name, formats in (("html", "html"), ("pdf", "html,pdf")):
        folder = work / f"backfill-{name}"
        args = ["-m", "generator.cli", "backfill", "--from", first.isoformat(), "--to", data.day.isoformat(),
                "--every", "week", "--source", "store", "--format", formats, "--output", str(folder), "--quiet"]
        sample = run(args, _store_env(data.store))
        folders = sorted(p for p in folder.iterdir() if p.is_dir() and p.name[:2] == "20") if folder.is_dir() else []
        out[name] = {
            "command": f"briefing backfill --from {first} --to {data.day} --every week --source store --format {formats}",
            "wall_s": summary([sample.wall]),
            "cpu_s": summary([sample.cpu]),
            "rss_mib": summary([sample.rss_mib], 1),
            "tree_rss_mib": summary([sample.tree_rss_mib], 1),
            "briefings": len(folders),
            "pdfs": sum(1 for p in folders if (p / "briefing.pdf").exists()),
        }
        shutil.rmtree(folder, ignore_errors=True)
    return out


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
        synthetic_store(folder / "store", 10, data.day, report=report)
        series.append({"copies": copies, **_row(_stage_runs(folder / "store", day, work, runs, report))})
        shutil.rmtree(folder, ignore_errors=True)
    return {"history": history, "series": series,
            "note": "work stages only (imports excluded); synthetic random-walk data, labelled illustrative"}
