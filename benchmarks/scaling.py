"""Benchmark 2: time per week and peak memory against market size (synthetic markets), and the log-log slope.

Each size runs in its own process so that its peak memory is its own. A size's time per week is the median
run-only time (model built beforehand) divided by the weeks run; the recorder stays on (market and vendor
frames; the labs x vendors frame is off for large synthetic markets, as the generator decides). Each child runs
the numerical libraries on one thread, as ``run_batch`` and sweep workers do: under load, two BLAS threads on
two shared cores only wait on each other.

``python -m labelmarket.benchmarks.scaling LABS VENDORS WEEKS SEED REPEATS`` measures one size and prints one JSON line.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from labelmarket.benchmarks.measure import peak_rss_mb, run_child

SIZES = [(10, 10), (100, 30), (300, 100), (1000, 100), (1000, 200), (3000, 300), (10_000, 1_000)]
WEEKS = 52           # half a year either side of the shock at week 26, the same mix of weeks at every size
SEED = 1
SLOPE_MIN_CELLS = 30_000  # fit the slope where the arrays, not the per-call overheads, set the cost


def repeats_for(cells: int) -> int:
    return 3 if cells <= 200_000 else 1


def measure(labs: int, vendors: int, weeks: int, seed: int, repeats: int) -> dict[str, Any]:
    """Build and run one synthetic market ``repeats`` times (in this process); return the figures."""
    from labelmarket.model.market_model import MarketModel
    from labelmarket.scenarios.synthetic import synthetic_scenario

    rss_imports = peak_rss_mb()
    start = time.perf_counter()
    scenario = synthetic_scenario(labs, vendors, seed)
    generate_s = time.perf_counter() - start
    build, run, cpu, frames = [], [], [], []
    model = None
    for r in range(repeats):
        model = None  # free the previous run before the next one is built, so peaks do not add up
        start = time.perf_counter()
        model = MarketModel(scenario, rng=seed + r, weeks=weeks)
        build.append(time.perf_counter() - start)
        start, start_cpu = time.perf_counter(), time.process_time()
        model.run()
        run.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        start = time.perf_counter()
        recorded = model.frames()
        frames.append(time.perf_counter() - start)
    run_s = float(np.median(run))
    assert model is not None
    return {
        "labs": labs, "vendors": vendors, "cells": labs * vendors, "weeks": weeks, "repeats": repeats,
        "generate_s": generate_s, "build_s": float(np.median(build)), "run_s": run_s,
        "cpu_s": float(np.median(cpu)), "frames_s": float(np.median(frames)), "ms_per_week": 1e3 * run_s / weeks,
        "cpu_ms_per_week": 1e3 * float(np.median(cpu)) / weeks,
        "ns_per_cell_week": 1e9 * run_s / weeks / (labs * vendors),
        "lab_steps_per_s": labs * weeks / run_s,
        "peak_rss_mb": peak_rss_mb(), "rss_after_imports_mb": rss_imports,
        "vendors_at_end": model.state.n_vendors, "event_rows": len(recorded["events"]),
        "allocations_recorded": scenario.record.allocations,
    }


def loglog_slope(rows: list[dict[str, Any]], min_cells: int = SLOPE_MIN_CELLS, key: str = "ms_per_week") -> float:
    """Least-squares slope of log(time per week) against log(labs x vendors) over sizes >= min_cells."""
    fit = [r for r in rows if r["cells"] >= min_cells]
    if len(fit) < 2:
        return float("nan")
    x = np.log([r["cells"] for r in fit])
    y = np.log([r[key] for r in fit])
    return float(np.polyfit(x, y, 1)[0])


def sweep_sizes(sizes: list[tuple[int, int]] = SIZES, weeks: int = WEEKS, progress=print) -> dict[str, Any]:
    rows = []
    for labs, vendors in sizes:
        row = run_child("scaling", [str(labs), str(vendors), str(weeks), str(SEED),
                                    str(repeats_for(labs * vendors))], timeout_s=1800)
        progress(f"  {labs:>6} x {vendors:<5} {row['ms_per_week']:9.2f} ms/week (CPU {row['cpu_ms_per_week']:.2f})"
                 f"  peak {row['peak_rss_mb']:7.0f} MB")
        rows.append(row)
    return {"weeks": weeks, "rows": rows, "slope": loglog_slope(rows), "slope_min_cells": SLOPE_MIN_CELLS,
            "slope_cpu": loglog_slope(rows, key="cpu_ms_per_week"), "slope_all_sizes": loglog_slope(rows, 0)}


def target_run(labs: int = 1000, vendors: int = 200, weeks: int = 104, repeats: int = 3) -> dict[str, Any]:
    """The 1,000 x 200 x 104-week target, in its own process."""
    return run_child("scaling", [str(labs), str(vendors), str(weeks), str(SEED), str(repeats)], timeout_s=900)


if __name__ == "__main__":
    import json

    from threadpoolctl import threadpool_limits

    labs_, vendors_, weeks_, seed_, repeats_ = (int(a) for a in sys.argv[1:6])
    with threadpool_limits(limits=1):
        print(json.dumps({**measure(labs_, vendors_, weeks_, seed_, repeats_), "blas_threads": 1}))
