"""The sweep folder: complete results, resuming, refusing a changed sweep, recording failures."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from labelmarket.experiments import load_results, sweep
from labelmarket.experiments.sweep.cli import main as sweep_main
from labelmarket.experiments.sweep.engines import Engine
from labelmarket.experiments.sweep.known_functions import fragile, toy_market
from labelmarket.experiments.sweep.spec import SweepError
from labelmarket.experiments.sweep.store import SweepStore
from sweep_helpers import toy_sweep, write_sweep


def run(document, out, **options):
    return sweep(document, out=out, workers=1, progress=False, **options)


def test_a_sweep_writes_results_weekly_design_and_manifest(tmp_path):
    out = tmp_path / "toy"
    outcome = run(toy_sweep("grid", replications=2), out)
    assert (outcome.runs, outcome.ok, outcome.failed, outcome.exit_code) == (12, 12, 0, 0)
    assert outcome.run_dir == out and not (tmp_path / ".tmp-toy").exists()
    results = load_results(out)
    runs = results.runs
    assert len(runs) == 12 and runs["error"].isna().all()
    assert list(runs.columns[:5]) == ["point_id", "replicate", "seed", "events.shock.stake", "behaviour.wariness_gain"]
    assert {"final_hhi", "hhi_below_2500_week", "peak_unmet_musd", "share_week_26", "share_week_50"} <= set(runs.columns)
    # common random numbers: every point runs the same seeds
    seeds = runs.groupby("point_id")["seed"].apply(tuple)
    assert seeds.nunique() == 1 and len(seeds.iloc[0]) == 2
    assert len(results.weekly) == 12 * 61
    assert results.weekly.groupby(["point_id", "replicate"]).size().eq(61).all()
    manifest = results.manifest
    assert manifest["counts"] == {"points": 6, "replications": 2, "runs": 12, "unique_runs": 12, "ok": 12, "failed": 0}
    assert manifest["resolved"]["sweep"]["design"]["method"] == "grid"
    assert manifest["versions"]["pandas"] == pd.__version__
    assert {"python", "labelmarket", "mesa", "SALib", "dask"} <= set(manifest["versions"]), "one provenance writer"
    assert "commit" in manifest["git"] and manifest["timings"]["run_s_mean"] > 0
    assert (out / "sweep.toml").exists() and (out / "design.parquet").exists()


def test_outputs_match_a_direct_call_of_the_run_function(tmp_path):
    results = load_results(run(toy_sweep("grid", replications=1), tmp_path / "toy").run_dir)
    row = results.runs.iloc[3]
    direct = toy_market({"events.shock.stake": row["events.shock.stake"],
                         "behaviour.wariness_gain": row["behaviour.wariness_gain"]}, int(row["seed"]))
    assert row["final_hhi"] == direct["final_hhi"]
    assert row["share_week_26"] == direct["share_week_26"]


def test_running_it_again_does_nothing(tmp_path):
    document = toy_sweep("grid")
    run(document, tmp_path / "toy")
    again = run(document, tmp_path / "toy")
    assert again.already_complete and again.exit_code == 0 and again.computed == 0


def test_a_changed_sweep_is_refused_against_the_old_folder(tmp_path, capsys):
    document = toy_sweep("grid")
    run(document, tmp_path / "toy")
    document["outputs"]["share_weeks"] = [20]  # replications may grow (test_sweep_growth.py); outputs may not change
    with pytest.raises(SweepError, match=r"differs from the one already in .*outputs.share_weeks"):
        run(document, tmp_path / "toy")
    path = write_sweep(tmp_path, document)
    assert sweep_main([str(path), "--out", str(tmp_path / "toy"), "--no-progress"]) == 2
    assert "run it into a new folder with --out" in capsys.readouterr().err


def test_a_changed_sweep_is_refused_mid_way_too(tmp_path):
    document = toy_sweep("grid")
    stopped = run(document, tmp_path / "toy", run_point=InterruptAt(3))
    assert stopped.interrupted and stopped.exit_code == 130
    document["seed"] = 8
    with pytest.raises(SweepError, match="seed 7 → 8"):
        run(document, tmp_path / "toy")


def test_the_name_and_analysis_choices_do_not_count_as_a_change(tmp_path):
    document = toy_sweep("grid")
    run(document, tmp_path / "toy")
    document["description"] = "now described"
    document["outputs"]["analyze"] = ["final_hhi"]
    assert run(document, tmp_path / "toy").already_complete


class InterruptAt:
    """Runs the toy market, but the n-th call raises KeyboardInterrupt (as Ctrl-C would)."""

    sweep_identity = "labelmarket.experiments.sweep.known_functions:toy_market"

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def __call__(self, params, seed):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt
        return toy_market(params, seed)


def test_an_interrupted_sweep_resumes_to_the_same_results(tmp_path, frames_equal):
    document = toy_sweep("grid", replications=2)
    stopped = run(document, tmp_path / "resumed", run_point=InterruptAt(5))
    assert stopped.interrupted and stopped.ok == 4
    assert (tmp_path / ".tmp-resumed").is_dir() and not (tmp_path / "resumed").exists()
    partial = load_results(tmp_path / "resumed")
    assert not partial.complete and len(partial.runs) == 4

    resumed = run(document, tmp_path / "resumed")
    assert resumed.computed == 8 and resumed.exit_code == 0
    whole = run(document, tmp_path / "whole")
    keys = ["point_id", "replicate"]
    frames_equal(load_results(resumed.run_dir).runs, load_results(whole.run_dir).runs, keys)
    frames_equal(load_results(resumed.run_dir).weekly, load_results(whole.run_dir).weekly, [*keys, "week"])


def test_stray_temporary_files_are_removed_on_resume(tmp_path):
    document = toy_sweep("grid")
    run(document, tmp_path / "toy", run_point=InterruptAt(2))
    work = tmp_path / ".tmp-toy"
    part_folder = next((work / "parts").iterdir())
    stray = [part_folder / "abc.parquet.tmp-123-deadbeef", work / "failures" / "abc.json.tmp-1-2"]
    for path in stray:
        path.write_bytes(b"PAR1 truncated")
    assert run(document, tmp_path / "toy").exit_code == 0
    assert not any(p.exists() for p in stray)
    assert not list((tmp_path / "toy").rglob("*.tmp-*"))


def test_a_failing_point_is_recorded_and_the_sweep_carries_on(tmp_path, capsys):
    document = {"name": "fragile", "run_function": "labelmarket.experiments.sweep.known_functions:fragile", "replications": 2,
                "design": {"method": "grid"},
                "parameters": {"p.a": {"values": [0.1, 0.5, 0.9]}, "p.b": {"values": [1.0, 0.0]}}}
    path = write_sweep(tmp_path, document)
    assert sweep_main([str(path), "--out", str(tmp_path / "f"), "--workers", "1", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "8 run(s) failed" in err and "ValueError: a = 0.900 is above 0.8" in err

    results = load_results(tmp_path / "f")
    failed = results.failures
    # a = 0.9 fails (ValueError, 2 points); b = 0 divides by zero (ZeroDivisionError, 2 more points)
    assert len(failed) == 8 and len(results.runs) == 12
    assert set(failed["error"].str.split(":").str[0]) == {"ValueError", "ZeroDivisionError"}
    assert failed["y"].isna().all() and results.runs.loc[results.runs["error"].isna(), "y"].notna().all()
    manifest = results.manifest
    assert manifest["counts"]["failed"] == 8 and len(manifest["failures"]) == 8
    details = json.loads((tmp_path / "f" / manifest["failures"][0]["details"]).read_text())
    assert "Traceback" in details["traceback"] and details["params"]

    again = sweep(path, out=tmp_path / "f", workers=1, progress=False)
    assert again.computed == 8 and again.failed == 8, "a re-run tries only the failures again"


def test_identical_points_run_once(tmp_path):
    document = {"name": "m", "run_function": "labelmarket.experiments.sweep.known_functions:fragile", "seed": 1,
                "design": {"method": "morris", "trajectories": 6, "levels": 2},
                "parameters": {"p.a": {"bounds": [0.0, 0.5]}, "p.b": {"bounds": [1.0, 2.0]}}}
    outcome = run(document, tmp_path / "m")
    manifest = load_results(outcome.run_dir).manifest
    assert manifest["counts"]["runs"] == 18 and manifest["counts"]["unique_runs"] < 18
    assert outcome.computed == manifest["counts"]["unique_runs"]
    assert len(load_results(outcome.run_dir).runs) == 18


def test_one_folder_takes_one_sweep_at_a_time(tmp_path):
    first = SweepStore(tmp_path / "x")
    first.open()
    try:
        with pytest.raises(SweepError, match="another sweep is writing"):
            SweepStore(tmp_path / "x").open()
    finally:
        first.close()


def test_a_folder_that_is_not_a_sweep_is_left_alone(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(SweepError, match="is not a labelmarket output folder"):
        run(toy_sweep("grid"), tmp_path / "mine")


def test_sweep_is_callable_from_experiments_with_a_dict_and_a_run_function(tmp_path):
    document = {"name": "direct", "design": {"method": "grid"}, "parameters": {"p.a": {"values": [0.1, 0.2]}}}
    outcome = sweep(document, out=tmp_path / "d", engine=Engine(), run_point=fragile, progress=False)
    assert outcome.exit_code == 0
    assert load_results(outcome.run_dir).runs["y"].tolist() == [1.1, 1.2]


def test_resuming_on_changed_code_says_so(tmp_path, monkeypatch):
    document = toy_sweep("grid")
    monkeypatch.setattr("labelmarket.experiments.sweep.runner.git_state", lambda: {"commit": "a" * 40, "dirty": False})
    run(document, tmp_path / "toy", run_point=InterruptAt(3))
    monkeypatch.setattr("labelmarket.experiments.sweep.runner.git_state", lambda: {"commit": "b" * 40, "dirty": False})
    outcome = run(document, tmp_path / "toy")
    assert outcome.exit_code == 0
    assert outcome.notes and "the code changed since this sweep started (git aaaaaaaaaaaa → bbbbbbbbbbbb)" in outcome.notes[0]
    sessions = load_results(outcome.run_dir).manifest["sessions"]
    assert [s["git"]["commit"][0] for s in sessions] == ["a", "b"]
