"""Custom reporters: checked before the sweep, run in the workers, stored like built-in outputs, and identical
on every engine."""

from __future__ import annotations

import pytest

from labelmarket.experiments import load_results, sweep
from labelmarket.experiments.sweep.cli import main as sweep_main
from labelmarket.experiments.sweep.spec import SweepError
from sweep_helpers import write_sweep

REPORTED = {
    "name": "reported",
    "scenario": "meta_scale_2025",
    "seed": 5,
    "weeks": 70,  # the reporter reads week 26 + 40
    "replications": 2,
    "design": {"method": "lhs", "samples": 2},
    "parameters": {"events.meta_stake.stake": {"bounds": [0.0, 0.49]}},
    "outputs": {"final_week": ["hhi"], "share_weeks": [40], "halving_labs": [],
                "reporters": ["measures:scale_share_week_40", "measures:weeks_and_vendors"]},
}


def test_a_reporter_runs_in_local_worker_processes_and_is_stored_like_an_output(tmp_path):
    outcome = sweep(REPORTED, out=tmp_path / "pool", workers=2, batch_size=1, progress=False)
    assert outcome.exit_code == 0
    runs = load_results(outcome.run_dir).runs
    assert runs["scale_share_week_40"].tolist() == runs["share_week_40"].tolist(), "the same measure, two ways"
    assert runs["scale_share_week_40"].nunique() > 1
    assert runs["weeks_and_vendors_weeks"].tolist() == [70.0] * 4, "a reporter that takes the model"
    assert (runs["weeks_and_vendors_vendor_agents"] > 0).all()


def test_a_reporter_gives_identical_values_on_a_dask_cluster(tmp_path, dask_cluster, frames_equal):
    local = sweep(REPORTED, out=tmp_path / "local", workers=2, batch_size=1, progress=False)
    on_dask = sweep(REPORTED, out=tmp_path / "dask", scheduler=dask_cluster, batch_size=1, progress=False)
    assert local.exit_code == on_dask.exit_code == 0 and on_dask.computed == 4
    frames_equal(load_results(local.run_dir).runs, load_results(on_dask.run_dir).runs, ["point_id", "replicate"])
    assert (local.run_dir / "results.parquet").read_bytes() == (on_dask.run_dir / "results.parquet").read_bytes()


@pytest.mark.parametrize("reporter, says", [
    ("no_such_module_here:f", "outputs.reporters[0]: cannot use 'no_such_module_here:f': No module named"),
    ("measures:no_such_measure", "outputs.reporters[0]: cannot use 'measures:no_such_measure'"),
    ("measures", "is not 'module:function'"),
])
def test_a_reporter_that_cannot_be_imported_is_refused_up_front(tmp_path, capsys, reporter, says):
    document = {**REPORTED, "outputs": {**REPORTED["outputs"], "reporters": [reporter]}}
    path = write_sweep(tmp_path, document)
    assert sweep_main([str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists() and not (tmp_path / ".tmp-out").exists()


def test_reporters_need_the_labelmarket_model(tmp_path):
    document = {"run_function": "labelmarket.experiments.sweep.known_functions:linear", "design": {"method": "grid"},
                "parameters": {"lin.x1": {"values": [0.0]}}, "outputs": {"reporters": ["measures:scale_share_week_40"]}}
    with pytest.raises(SweepError, match="reporters measure labelmarket runs"):
        sweep(document, out=tmp_path / "out", progress=False)
