"""Sweep throughput on the default scenario: sequential, local worker processes, and a local dask cluster.

    python -m labelmarket.benchmarks.sweep_throughput [--runs 160] [--workers 2] [--repeats 1] [--out FILE.json]

or, from ``make bench``: ``from benchmarks.sweep_throughput import run; figures = run()``.

Each engine runs the same Latin-hypercube sweep (stake × wariness, one seed per point) into a fresh folder; the
wall time includes starting the workers, writing every part and consolidating, i.e. what a user waits for.
Runs per second and the ratio to sequential are written as JSON, with the machine's own ceiling at that moment
(how much faster two processes of pure-Python work run than one; 2.0 on two idle cores). Not a timed test: the
figures depend on the machine and on whatever else it is doing (the JSON records the load average too).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "_scratch" / "sweep_throughput.json"


def sweep_document(runs: int, scenario: str, weeks: int | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": "throughput",
        "scenario": scenario,
        "seed": 1,
        "replications": 1,
        "design": {"method": "lhs", "samples": runs},
        "parameters": {"events.meta_stake.stake": {"bounds": [0.0, 0.49]},
                       "behaviour.wariness_gain": {"bounds": [0.0, 6.0]}},
        "outputs": {"final_week": ["hhi", "effective_vendors", "unmet_musd"]},
    }
    if weeks is not None:
        document["weeks"] = weeks
        document["outputs"]["share_weeks"] = []
    return document


def run(
    runs: int = 160,
    workers: int = 2,
    scenario: str = "meta_scale_2025",
    weeks: int | None = None,
    engines: tuple[str, ...] = ("sequential", "processes", "dask-local"),
    repeats: int = 1,
    out: str | Path | None = DEFAULT_OUT,
) -> dict[str, Any]:
    """Time one sweep per engine, ``repeats`` rounds interleaved, and keep each engine's fastest round (the one
    least disturbed by other work on the machine). Return the figures; also write them to ``out`` as JSON."""
    from labelmarket.experiments.sweep.results import load_results

    document = sweep_document(runs, scenario, weeks)
    scratch = Path(tempfile.mkdtemp(prefix="sweep-throughput-"))
    results: dict[str, Any] = {}
    identical: dict[str, bool] = {}
    reference = None
    try:
        for round_number in range(repeats):
            for kind in engines:
                folder = scratch / f"{kind}-{round_number}"
                wall, load_before, outcome = _time_one(kind, workers, document, folder)
                loaded = load_results(outcome.run_dir)
                frame = loaded.runs.drop(columns=["run_key"])
                same = reference is None or frame.equals(reference)
                reference = frame if reference is None else reference
                previous = results.get(kind)
                walls = (previous["all_wall_s"] if previous else []) + [round(wall, 3)]
                if previous is None or wall < previous["wall_s"]:
                    results[kind] = {
                        "workers": 1 if kind == "sequential" else workers,
                        "wall_s": round(wall, 3),
                        "runs_per_s": round(runs / wall, 3),
                        "model_s_per_run": loaded.manifest["timings"]["run_s_mean"],
                        "load_average_before": load_before,
                    }
                results[kind]["all_wall_s"] = walls
                identical[kind] = identical.get(kind, True) and bool(same)
                results[kind]["results_identical_to_first"] = identical[kind]
                shutil.rmtree(folder, ignore_errors=True)
        base = results.get("sequential", {}).get("runs_per_s")
        for figures in results.values():
            figures["ratio_to_sequential"] = round(figures["runs_per_s"] / base, 3) if base else None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    ceiling = machine_parallel_speedup(workers)
    report = {
        "summary": "; ".join(f"{kind} ×{f['workers']}: {f['runs_per_s']:.2f} runs/s ({f['ratio_to_sequential']:.2f}× sequential)"
                             for kind, f in results.items()) + f"; machine ceiling ×{workers}: {ceiling:.2f}×",
        "machine_parallel_speedup": ceiling,
        "benchmark": "sweep_throughput",
        "scenario": scenario,
        "runs": runs,
        "weeks": weeks,
        "repeats": repeats,
        "engines": results,
        "host": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()},
        "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _spin(n: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def machine_parallel_speedup(workers: int, n: int = 6_000_000) -> float:
    """The machine's own ceiling right now: how much faster ``workers`` processes spinning a pure-Python loop
    finish ``workers`` loops than one process does (start-up excluded). 2.0 on two idle cores; less when the
    cores are shared (hyper-threads, other tenants, other jobs)."""
    import multiprocessing

    one = min(_spin(n) for _ in range(2))
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(_spin, [1000] * workers)  # start the workers first
        started = time.perf_counter()
        pool.map(_spin, [n] * workers, chunksize=1)
        parallel = time.perf_counter() - started
    return round(workers * one / parallel, 3)


def _time_one(kind: str, workers: int, document: dict[str, Any], folder: Path) -> tuple[float, float | None, Any]:
    """Wall time of one whole sweep on one engine, from starting the engine to consolidated results."""
    from labelmarket.experiments.sweep.engines import Engine, local_dask_engine, process_engine
    from labelmarket.experiments.sweep.runner import run_sweep

    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    started = time.perf_counter()
    if kind == "sequential":
        engine = Engine()
    elif kind == "processes":
        engine = process_engine(workers)
    elif kind == "dask-local":
        engine = local_dask_engine(workers)
    else:
        raise ValueError(f"unknown engine {kind!r}")
    try:
        outcome = run_sweep(document, out=folder, engine=engine, progress=False)
    finally:
        engine.close()
    wall = time.perf_counter() - started
    if outcome.exit_code != 0:
        raise RuntimeError(f"{kind}: {outcome.failed} runs failed: {outcome.failures[:1]}")
    return wall, load_before, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labelmarket.benchmarks.sweep_throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=160)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", default="meta_scale_2025")
    parser.add_argument("--weeks", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=1, help="rounds per engine; the fastest counts")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)
    report = run(args.runs, args.workers, args.scenario, args.weeks, repeats=args.repeats, out=args.out)
    print(f"{report['runs']} runs of {report['scenario']} on {report['host']['cpus']} CPUs:")
    for kind, figures in report["engines"].items():
        print(f"  {kind:<11} {figures['workers']} worker(s): {figures['wall_s']:7.1f} s, "
              f"{figures['runs_per_s']:6.2f} runs/s, {figures['ratio_to_sequential']:.2f}× sequential"
              + ("" if figures["results_identical_to_first"] else
                 "  (results differ from the first engine's: did the model's code change meanwhile?)"))
    print(f"  machine ceiling: {args.workers} processes of pure-Python work run {report['machine_parallel_speedup']:.2f}× "
          "as fast as one, right now")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
