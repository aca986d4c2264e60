"""The results are identical whichever engine runs them: in process, spawned local workers, or dask.

The dask tests use a real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (the ``dask_cluster``
fixture in conftest.py), stopped by PID afterwards.
"""

from __future__ import annotations

import subprocess

from labelmarket.experiments import load_results, sweep
from labelmarket.experiments.sweep.engines import auto_batch_size
from sweep_helpers import PYTHON, subprocess_env, toy_sweep

REAL_MODEL_SWEEP = {
    "name": "real",
    "scenario": "meta_scale_2025",
    "seed": 5,
    "weeks": 40,  # short runs: this test is about engines, not the market
    "replications": 2,
    "design": {"method": "lhs", "samples": 3},
    "parameters": {"events.meta_stake.stake": {"bounds": [0.0, 0.49]},
                   "behaviour.wariness_gain": {"bounds": [0.0, 2.0]}},
    "outputs": {"final_week": ["hhi", "effective_vendors"], "share_weeks": [8], "weekly_market": True},
}
KEYS = ["point_id", "replicate"]


def results_of(outcome):
    assert outcome.exit_code == 0, outcome
    return load_results(outcome.run_dir)


def assert_same(first, second, frames_equal):
    frames_equal(first.runs, second.runs, KEYS)
    frames_equal(first.weekly, second.weekly, [*KEYS, "week"])
    for name in ("results.parquet", "weekly.parquet"):
        assert (first.run_dir / name).read_bytes() == (second.run_dir / name).read_bytes(), f"{name} differs"


def test_spawned_workers_match_the_sequential_run(tmp_path, frames_equal):
    document = toy_sweep("lhs", replications=2, samples=12)
    sequential = results_of(sweep(document, out=tmp_path / "seq", workers=1, progress=False))
    pool = sweep(document, out=tmp_path / "pool", workers=2, batch_size=5, progress=False)
    assert pool.computed == 24
    assert_same(sequential, results_of(pool), frames_equal)
    engine = results_of(pool).manifest["sessions"][-1]["engine"]
    assert engine == {"kind": "processes", "workers": 2, "address": None}


def test_batch_size_shrinks_for_small_sweeps_and_is_capped():
    assert auto_batch_size(10, 1) == 1
    assert auto_batch_size(10, 2) == 1
    assert auto_batch_size(1000, 2) == 16
    assert auto_batch_size(200, 2) == 13


def test_a_dask_cluster_and_local_processes_match_sequential_runs_of_the_real_model_with_batches(
        tmp_path, dask_cluster, frames_equal):
    """Issue 14: identical results on every engine with batching on (runs shipped to workers several at a time)."""
    sequential = results_of(sweep(REAL_MODEL_SWEEP, out=tmp_path / "seq", workers=1, progress=False))
    assert sequential.manifest["resolved"]["target"]["share_vendor"] == "Scale AI"
    on_dask = sweep(REAL_MODEL_SWEEP, out=tmp_path / "dask", scheduler=dask_cluster, batch_size=4, progress=False)
    assert on_dask.computed == 6, "pure=False keeps every replicate"
    dask_results = results_of(on_dask)
    assert dask_results.manifest["sessions"][-1]["engine"] == {"kind": "dask", "workers": 2, "address": dask_cluster}
    assert_same(sequential, dask_results, frames_equal)
    on_processes = sweep(REAL_MODEL_SWEEP, out=tmp_path / "pool", workers=2, batch_size=3, progress=False)
    assert_same(sequential, results_of(on_processes), frames_equal)


def test_the_cli_runs_on_the_cluster(tmp_path, dask_cluster):
    from sweep_helpers import write_sweep

    path = write_sweep(tmp_path, toy_sweep("grid", replications=1))
    done = subprocess.run([PYTHON, "-m", "labelmarket.experiments.sweep", str(path), "--scheduler", dask_cluster,
                           "--out", str(tmp_path / "out"), "--no-progress"],
                          env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "6 runs, 6 ok, 0 failed" in done.stdout


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, capsys):
    from labelmarket.experiments.sweep.cli import main as sweep_main
    from sweep_helpers import write_sweep

    path = write_sweep(tmp_path, toy_sweep("grid", replications=1))
    code = sweep_main([str(path), "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--scheduler: nothing answers at tcp://127.0.0.1:9" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists() and not (tmp_path / ".tmp-out").exists(), "nothing is created"
