"""validate, ablate, robustness and test run on a dask cluster with ``--scheduler``, with the results of a
local run (issue 14: one batch engine everywhere; researchers run ensembles locally or on a cluster).

The cluster is the ``dask_cluster`` fixture (a real scheduler and two workers on 127.0.0.1, conftest.py).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from labelmarket.experiments.cli import main


def tasks_seen(address: str) -> int:
    """How many task transitions the scheduler has made: grows only when work runs on the cluster."""
    from distributed import Client

    with Client(address, timeout="30s", set_as_default=False) as client:
        return client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)

RESULT_FILES = {"ablate": ["carries.csv", "criteria.csv", "mechanisms.csv"],
                "robustness": ["points.csv", "pass_rates.csv", "thirds.csv"]}
ARGS = {"ablate": ["toy", "--seeds", "2", "--mechanism", "pause", "--mechanism", "breach memory"],
        "robustness": ["toy", "--points", "3", "--seeds", "2"]}


@pytest.mark.parametrize("command", sorted(RESULT_FILES))
def test_ablate_and_robustness_on_the_cluster_equal_a_local_run(tmp_path, dask_cluster, command):
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert main([command, *ARGS[command], "--workers", "1", "--out", str(local)]) == 0
    before = tasks_seen(dask_cluster)
    assert main([command, *ARGS[command], "--scheduler", dask_cluster, "--out", str(remote)]) == 0
    assert tasks_seen(dask_cluster) > before, "the runs went to the cluster"
    for name in RESULT_FILES[command]:
        pd.testing.assert_frame_equal(pd.read_csv(local / name), pd.read_csv(remote / name), check_exact=True)
    manifest = json.loads((remote / "manifest.json").read_text())
    assert manifest["scheduler"] == dask_cluster
    assert json.loads((local / "manifest.json").read_text())["scheduler"] is None


def test_validate_on_the_cluster_prints_the_local_table(tmp_path, dask_cluster, capsys):
    def table(*engine: str) -> tuple[list[str], dict]:
        out = tmp_path / engine[0].strip("-")
        main(["validate", "--seeds", "2", *engine, "--out", str(out)])
        printed = capsys.readouterr().out.splitlines()
        manifest = json.loads((out / "manifest.json").read_text())
        assert printed[-1].startswith("report: ") and " seeds x " in printed[-2]  # the folder; the wall time
        return printed[:-2], manifest

    local, local_manifest = table("--workers", "1")
    before = tasks_seen(dask_cluster)
    remote, remote_manifest = table("--scheduler", dask_cluster)
    assert tasks_seen(dask_cluster) > before, "the runs went to the cluster"
    assert len(local) > 20 and local == remote, "the same table, criterion by criterion"
    assert local_manifest["criteria"] == remote_manifest["criteria"]
    assert remote_manifest["scheduler"] == dask_cluster


def test_the_ci_checks_on_the_cluster_equal_a_local_run(dask_cluster, capsys):
    def rows(*engine: str) -> list[str]:
        assert main(["test", "toy", "--seeds", "2", *engine]) == 0
        return capsys.readouterr().out.splitlines()[:-1]  # the last line has the wall time

    local, before = rows("--workers", "1"), tasks_seen(dask_cluster)
    assert local == rows("--scheduler", dask_cluster)
    assert tasks_seen(dask_cluster) > before, "the runs went to the cluster"


@pytest.mark.parametrize("command", ["validate", "ablate", "robustness", "test"])
def test_an_unusable_scheduler_is_one_line_before_anything_runs(tmp_path, capsys, command):
    out = ["--out", str(tmp_path / "out")] if command != "test" else []
    assert main([command, "--seeds", "1", "--scheduler", "tcp://127.0.0.1:9", *out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--scheduler: nothing answers at tcp://127.0.0.1:9" in err
    assert not (tmp_path / "out").exists()
    assert main([command, "--seeds", "1", "--scheduler", "<script>:1", *out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'<script>:1' is not a scheduler address" in err
