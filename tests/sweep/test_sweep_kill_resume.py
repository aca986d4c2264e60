"""Kill a sweep with SIGKILL mid-way, resume it with the same command: nothing lost, nothing duplicated, and the
result equals a sweep that was never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import psutil

from labelmarket.experiments import load_results, sweep
from sweep_helpers import PYTHON, pid_alive, stop_pid, subprocess_env, write_sweep

RUNS = 40


def slow_toy_sweep() -> dict:
    return {
        "name": "killed",
        "run_function": "labelmarket.experiments.sweep.known_functions:toy_market",
        "seed": 99,
        "replications": 5,
        "design": {"method": "grid"},
        "parameters": {"events.shock.stake": {"values": [0.0, 0.2, 0.35, 0.49]},
                       "behaviour.wariness_gain": {"values": [0.3, 0.9]},
                       "toy.delay_s": {"values": [0.1]}},
        "outputs": {"weekly_market": True},
    }


def count_parts(folder) -> int:
    parts = folder / "parts"
    if not parts.exists():
        return 0
    return sum(1 for p in parts.rglob("*.parquet") if not p.name.endswith(".weekly.parquet") and ".tmp-" not in p.name)


def test_kill_9_then_resume_loses_and_duplicates_nothing(tmp_path, monkeypatch, frames_equal):
    path = write_sweep(tmp_path, slow_toy_sweep())
    out = tmp_path / "killed"
    work = tmp_path / ".tmp-killed"
    command = [PYTHON, "-m", "labelmarket.experiments.sweep", str(path), "--workers", "2", "--out", str(out), "--no-progress"]
    driver = subprocess.Popen(command, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while count_parts(work) < RUNS * 0.4:
            assert driver.poll() is None, driver.communicate()
            assert time.monotonic() < deadline, "the sweep made no progress"
            workers = [c.pid for c in psutil.Process(driver.pid).children(recursive=True)] or workers
            time.sleep(0.01)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait(timeout=10)
        assert driver.returncode == -signal.SIGKILL
        # the spawned workers notice their driver is gone and exit by themselves
        deadline = time.monotonic() + 10
        while any(pid_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers and not any(pid_alive(pid) for pid in workers), "orphaned workers stayed behind"
    finally:
        for pid in [driver.pid, *workers]:
            stop_pid(pid, signal.SIGKILL)

    done_before = count_parts(work)
    assert 0.4 * RUNS <= done_before < RUNS, "killed mid-way"
    assert not out.exists() and not (work / "results.parquet").exists()

    resumed = subprocess.run(command, env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{RUNS} runs, {RUNS} ok, 0 failed ({RUNS - done_before} computed now" in resumed.stdout
    results = load_results(out)
    assert len(results.runs) == RUNS
    assert not results.runs.duplicated(["point_id", "replicate"]).any()
    assert count_parts(out) == RUNS and not list(out.rglob("*.tmp-*"))
    sessions = results.manifest["sessions"]
    assert len(sessions) == 2 and sessions[0]["finished"] is None and sessions[1]["computed"] == RUNS - done_before

    monkeypatch.setattr("labelmarket.experiments.sweep.known_functions.time.sleep", lambda seconds: None)
    whole = load_results(sweep(slow_toy_sweep(), out=tmp_path / "whole", workers=1, progress=False).run_dir)
    frames_equal(results.runs, whole.runs, ["point_id", "replicate"])
    frames_equal(results.weekly, whole.weekly, ["point_id", "replicate", "week"])
    assert (out / "results.parquet").read_bytes() == (tmp_path / "whole" / "results.parquet").read_bytes()
