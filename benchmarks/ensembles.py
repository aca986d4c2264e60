"""Benchmark 5: ensembles, the rows of issue 14's table that time many runs.

- ``batched``: default-scenario runs in one batch (``labelmarket.model.runner.run_batch``) recorded at the
  ``market`` level, in this process: runs per second per core (process CPU time, the steadier figure on a shared
  machine, and wall time); beside it, interleaved, the same runs one by one with every frame (``run_scenario``);
- ``validate``: the simulations of ``labelmarket validate --seeds 30`` (every role x 30 seeds, 2 workers), wall
  time from the first run submitted to the last digest back (the pattern checks themselves excluded);
- ``sobol``: ``labelmarket sweep experiments/sobol_shock.toml --workers 2`` (1,024 runs) into a scratch folder,
  a whole process: start-up, runs, writing and consolidating, what a user waits for.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from labelmarket.benchmarks.measure import PYTHON, REPO

SCENARIO = "meta_scale_2025"
SOBOL_FILE = REPO / "experiments" / "sobol_shock.toml"


def _market_frame(model, spec):
    return model.frames(("market",))["market"]


def batched(runs: int = 64, repeats: int = 3) -> dict[str, Any]:
    """Runs/s per core of a batch of default runs at the market level, and of the same runs one by one with every
    frame, interleaved (medians of ``repeats`` rounds)."""
    from labelmarket.model.runner import RunSpec, run_batch, run_scenario
    from labelmarket.scenarios.loader import load_scenario

    scenario = load_scenario(SCENARIO)
    specs = [RunSpec(scenario, seed) for seed in range(1, runs + 1)]
    run_batch(specs[:1], _market_frame, record="market")  # warm-up: first-call costs are not a run's cost
    batch_cpu, batch_wall, single_cpu, single_wall = [], [], [], []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        run_batch(specs, _market_frame, record="market")
        batch_wall.append(time.perf_counter() - start)
        batch_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        for spec in specs:
            run_scenario(scenario, seed=spec.seed)
        single_wall.append(time.perf_counter() - start)
        single_cpu.append(time.process_time() - cpu)
    batch, single = statistics.median(batch_cpu), statistics.median(single_cpu)
    return {"scenario": SCENARIO, "runs": runs, "repeats": repeats,
            "runs_per_cpu_s": runs / batch, "runs_per_wall_s": runs / statistics.median(batch_wall),
            "one_by_one_full_frames_runs_per_cpu_s": runs / single,
            "one_by_one_full_frames_runs_per_wall_s": runs / statistics.median(single_wall),
            "speedup_cpu": single / batch}


def validate(seeds: int = 30, workers: int = 2) -> dict[str, Any]:
    """Wall time of the simulations of ``labelmarket validate --seeds N`` on ``workers`` processes."""
    from labelmarket.experiments.validate import validation_runs

    start = time.perf_counter()
    digests = validation_runs(seeds, workers)
    seconds = time.perf_counter() - start
    return {"seeds": seeds, "workers": workers, "runs": sum(len(d) for d in digests.values()), "wall_s": seconds}


def sobol(workers: int = 2) -> dict[str, Any]:
    """Wall time of the 1,024-run Sobol sweep of experiments/sobol_shock.toml, a whole ``labelmarket sweep``."""
    executable = Path(PYTHON).parent / "labelmarket"
    command = [str(executable)] if executable.exists() else [PYTHON, "-m", "labelmarket"]
    with tempfile.TemporaryDirectory(prefix="labelmarket-bench-sobol-") as scratch:
        start = time.perf_counter()
        done = subprocess.run([*command, "sweep", str(SOBOL_FILE), "--workers", str(workers), "--out",
                               str(Path(scratch) / "sweep"), "--no-progress"], cwd=REPO, capture_output=True,
                              text=True, timeout=1800)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"the Sobol sweep failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return {"sweep_file": str(SOBOL_FILE.relative_to(REPO)), "runs": 1024, "workers": workers, "wall_s": seconds}
