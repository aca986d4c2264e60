"""Growing a sweep in place computes only the new runs, and gives what the bigger sweep gives from the start."""

from __future__ import annotations

import pytest

from labelmarket.experiments import load_results, sweep
from labelmarket.experiments.sweep.spec import SweepError
from sweep_helpers import ishigami_sweep, toy_sweep

KEYS = ["point_id", "replicate"]


def grown_and_fresh(tmp_path, small: dict, big: dict):
    first = sweep(small, out=tmp_path / "grown", workers=1, progress=False)
    grown = sweep(big, out=tmp_path / "grown", workers=1, progress=False)
    fresh = sweep(big, out=tmp_path / "fresh", workers=1, progress=False)
    assert first.exit_code == grown.exit_code == fresh.exit_code == 0
    return first, grown, fresh


def assert_identical(tmp_path, frames_equal):
    grown, fresh = load_results(tmp_path / "grown"), load_results(tmp_path / "fresh")
    frames_equal(grown.runs, fresh.runs, KEYS)
    assert (tmp_path / "grown" / "results.parquet").read_bytes() == (tmp_path / "fresh" / "results.parquet").read_bytes()
    assert (tmp_path / "grown" / "design.parquet").read_bytes() == (tmp_path / "fresh" / "design.parquet").read_bytes()


def test_more_replications_compute_only_the_new_seeds(tmp_path, frames_equal):
    first, grown, fresh = grown_and_fresh(tmp_path, toy_sweep("grid", replications=1), toy_sweep("grid", replications=2))
    assert (first.computed, grown.computed, fresh.computed) == (6, 6, 12)
    assert_identical(tmp_path, frames_equal)
    assert "replications 1 → 2" in load_results(tmp_path / "grown").manifest["sessions"][-1]["grown"]


def test_a_sobol_sweep_grows_from_64_to_128_samples(tmp_path, frames_equal):
    first, grown, fresh = grown_and_fresh(tmp_path, ishigami_sweep(64), ishigami_sweep(128))
    assert (first.computed, grown.computed, fresh.computed) == (512, 512, 1024)
    assert_identical(tmp_path, frames_equal)


def test_more_grid_values_compute_only_the_new_combinations(tmp_path, frames_equal):
    small = toy_sweep("grid", replications=1)
    big = toy_sweep("grid", replications=1)
    big["parameters"]["behaviour.wariness_gain"]["values"] = [0.2, 0.5, 0.8]
    first, grown, fresh = grown_and_fresh(tmp_path, small, big)
    assert (first.computed, grown.computed, fresh.computed) == (6, 3, 9)
    assert_identical(tmp_path, frames_equal)


@pytest.mark.parametrize("change, says", [
    (lambda d: d["parameters"]["ishigami.x1"].update(bounds=[-3.0, 3.0]), "bounds"),
    (lambda d: d["design"].update(samples=32), "would leave finished runs out"),
    (lambda d: d["design"].update(second_order=False), "second_order"),
])
def test_a_change_that_invalidates_finished_runs_is_still_refused(tmp_path, change, says):
    sweep(ishigami_sweep(64), out=tmp_path / "s", workers=1, progress=False)
    changed = ishigami_sweep(64)
    change(changed)
    with pytest.raises(SweepError, match=says):
        sweep(changed, out=tmp_path / "s", workers=1, progress=False)


def test_a_bigger_latin_hypercube_is_refused_with_the_reason(tmp_path):
    sweep(toy_sweep("lhs", replications=1, samples=4), out=tmp_path / "l", workers=1, progress=False)
    with pytest.raises(SweepError, match="a Latin hypercube of 8 points is a new sample"):
        sweep(toy_sweep("lhs", replications=1, samples=8), out=tmp_path / "l", workers=1, progress=False)
