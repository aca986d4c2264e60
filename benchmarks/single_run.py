"""Benchmark 1: the cost of one run of the default scenario (meta_scale_2025, 104 weeks).

In-process figures exclude imports and scenario loading (the scenario is loaded once, and loading is timed
on its own): ``build_run`` is constructing ``MarketModel`` and running it, ``run_only`` the weekly loop alone,
``run_scenario`` the public API end to end (build, run, frames). ``process`` is the start-to-finish wall time
of a whole ``labelmarket run`` process, imports included. ``split_compile`` is the first call of the labs'
compiled split (D74) in fresh processes: compiling it with an empty numba cache, then loading it from that cache.
"""

from __future__ import annotations

import shutil
import time
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from labelmarket.benchmarks.measure import PYTHON, REPO, median_seconds, process_seconds, run_child

SCENARIO = "meta_scale_2025"
SEEDS = (1, 2, 3, 4, 5)


def in_process(repeats: int = 20) -> dict[str, Any]:
    from labelmarket.model.market_model import MarketModel
    from labelmarket.model.runner import run_scenario
    from labelmarket.scenarios.loader import load_scenario

    load_s, _ = median_seconds(lambda: load_scenario(SCENARIO), max(3, repeats // 4))
    scenario = load_scenario(SCENARIO)
    seeds = iter(SEEDS * repeats)
    MarketModel(scenario, rng=1).run()  # warm-up: first-call costs (lazy imports, caches) are not a run's cost
    build_run_s, _ = median_seconds(lambda: MarketModel(scenario, rng=next(seeds)).run(), repeats)

    models = [MarketModel(scenario, rng=SEEDS[i % len(SEEDS)]) for i in range(repeats)]
    pending = iter(models)
    run_only_s, _ = median_seconds(lambda: next(pending).run(), repeats)
    fresh = iter([MarketModel(scenario, rng=SEEDS[i % len(SEEDS)]) for i in range(repeats)])
    run_only_cpu_s, _ = median_seconds(lambda: next(fresh).run(), repeats, clock=time.process_time)
    frames_s, _ = median_seconds(lambda: models[0].frames(), max(3, repeats // 4))
    api_s, _ = median_seconds(lambda: run_scenario(scenario, seed=next(seeds)), repeats)
    return {"scenario": SCENARIO, "weeks": scenario.meta.horizon_weeks, "repeats": repeats,
            "load_scenario_ms": 1e3 * load_s, "build_run_ms": 1e3 * build_run_s, "run_only_ms": 1e3 * run_only_s,
            "run_only_cpu_ms": 1e3 * run_only_cpu_s,
            "frames_ms": 1e3 * frames_s, "run_scenario_ms": 1e3 * api_s}


def split_compile() -> dict[str, Any]:
    """The compiled split's first call in a fresh process with an empty numba cache (it compiles), then in
    another with that cache (it loads); each child also times ``import numba`` and a warm call."""
    with tempfile.TemporaryDirectory(prefix="labelmarket-numba-") as cache:
        compiled = run_child("single_run", ["first_call"], timeout_s=300, env={"NUMBA_CACHE_DIR": cache})
        cached = run_child("single_run", ["first_call"], timeout_s=300, env={"NUMBA_CACHE_DIR": cache})
    return {"compile_first_call_ms": compiled["first_call_ms"], "cache_first_call_ms": cached["first_call_ms"],
            "warm_call_us": cached["warm_call_us"], "import_numba_ms": cached["import_numba_ms"]}


def first_call() -> dict[str, Any]:
    """This process's first and a warm call of the split (on the dashboard's warm-up input), and numba's import."""
    start = time.perf_counter()
    import numba  # noqa: F401

    import_numba_s = time.perf_counter() - start
    from labelmarket.agents.choice import compile_split

    start = time.perf_counter()
    compile_split()
    first_s = time.perf_counter() - start
    warm_s, _ = median_seconds(compile_split, 101)
    return {"import_numba_ms": 1e3 * import_numba_s, "first_call_ms": 1e3 * first_s, "warm_call_us": 1e6 * warm_s}


def cli_command() -> tuple[list[str], str]:
    """``labelmarket run`` if the CLI answers ``--help``; otherwise a ``python -c`` stand-in, and why."""
    executable = Path(PYTHON).parent / "labelmarket"
    found = str(executable) if executable.exists() else shutil.which("labelmarket")
    if found:
        probe = subprocess.run([found, "run", "--help"], capture_output=True, text=True, timeout=120)
        if probe.returncode == 0:
            return [found, "run"], "labelmarket run"
        reason = f"`labelmarket run --help` failed ({probe.stderr.strip().splitlines()[-1:] or probe.returncode})"
    else:
        reason = "no labelmarket executable"
    stand_in = [PYTHON, "-c", f"from model.runner import run_scenario; run_scenario({SCENARIO!r})"]
    return stand_in, f"python -c run_scenario (stand-in: {reason})"


def process(repeats: int = 5) -> dict[str, Any]:
    """Median wall time of whole ``labelmarket run`` processes (the run folder goes to a scratch folder)."""
    command, label = cli_command()
    with tempfile.TemporaryDirectory(prefix="labelmarket-bench-") as scratch:
        if command[0] != PYTHON:
            command = [*command, "--out", str(Path(scratch) / "run"), "--force"]
        median_s, times = process_seconds(command, REPO, repeats, timeout_s=300)
    return {"command": label, "repeats": repeats, "process_s": median_s, "times_s": times}


def dashboard_step(steps: int = 20) -> dict[str, Any]:
    """The server side of a dashboard Step: one week of the classroom's markets (the scenario and its no-shock
    twin) and the readings every view takes (event log, market frames), median over ``steps`` weeks from the
    start. The browser's part (sending the click, rendering) is measured by tests/browser/test_browser_speed.py,
    not here."""
    from labelmarket.viz.run import ClassroomRun

    run = ClassroomRun(SCENARIO, seed=1)
    run.events(), run.market_frames()

    def step() -> None:
        run.step()
        run.events(), run.market_frames()

    median_s, _ = median_seconds(step, steps)
    return {"scenario": SCENARIO, "steps": steps, "server_step_ms": 1e3 * median_s}


if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:] == ["first_call"]:
        print(json.dumps(first_call()))
