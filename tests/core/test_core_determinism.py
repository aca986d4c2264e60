"""Reproducibility: the same seed gives identical frames, a different seed different ones, and a run folder
replays exactly from its own scenario.toml."""

from __future__ import annotations

import pandas as pd
import pytest

from labelmarket.experiments.cli import main
from labelmarket.experiments.run_folder import FRAME_FILES, read_run_folder
from labelmarket.model.market_model import MarketModel
from labelmarket.model.runner import run_scenario
from labelmarket.scenarios.loader import load_scenario, scenario_hash, scenario_toml

FRAMES = tuple(FRAME_FILES)


def assert_same_frames(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_the_same_seed_gives_identical_frames():
    assert_same_frames(run_scenario("toy", seed=11).frames(), run_scenario("toy", seed=11).frames())


def test_a_model_is_unaffected_by_runs_before_it_in_the_same_process():
    first = MarketModel("toy", rng=5).run().frames()
    run_scenario("toy", seed=6)
    run_scenario("toy", seed=7, weeks=3)
    assert_same_frames(first, MarketModel("toy", rng=5).run().frames())


def test_a_different_seed_gives_different_frames():
    a, b = run_scenario("toy", seed=1).frames(), run_scenario("toy", seed=2).frames()
    assert not all(a[name].equals(b[name]) for name in FRAMES)
    assert not a["allocations"].equals(b["allocations"])


def test_the_seed_defaults_to_the_scenarios_own():
    scenario = load_scenario("toy")
    result = run_scenario("toy")
    assert result.seed == scenario.meta.seed
    assert_same_frames(result.frames(), run_scenario("toy", seed=scenario.meta.seed).frames())


def test_the_resolved_scenario_round_trips_through_toml(tmp_path):
    scenario = load_scenario("toy", {"behaviour.wariness_gain": 0.25})
    path = tmp_path / "resolved.toml"
    path.write_text(scenario_toml(scenario), encoding="utf-8")
    again = load_scenario(path)
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)


def test_the_hash_changes_with_any_value():
    assert scenario_hash(load_scenario("toy")) != scenario_hash(load_scenario("toy", {"labs.Alpha.budget_musd": 101}))


def _run(tmp_path, name: str, *args: str) -> dict:
    out = tmp_path / name
    assert main(["run", *args, "--out", str(out)]) == 0
    return read_run_folder(out)


def test_labelmarket_run_twice_with_seed_7_writes_identical_frames(tmp_path, capsys):
    first, second = _run(tmp_path, "a", "toy", "--seed", "7"), _run(tmp_path, "b", "toy", "--seed", "7")
    assert_same_frames(first, second)
    for file in FRAME_FILES.values():  # byte for byte, too
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    assert first["manifest"]["scenario_sha256"] == second["manifest"]["scenario_sha256"]


@pytest.mark.parametrize("options", [["--seed", "3"], ["--seed", "4", "--weeks", "12"],
                                     ["--seed", "5", "--set", "behaviour.wariness_gain=0.2",
                                      "--set", "labs.Beta.budget_musd=150"]])
def test_a_run_replays_exactly_from_its_scenario_toml(tmp_path, capsys, options):
    original = _run(tmp_path, "original", "toy", *options)
    replay = original["manifest"]["replay"].split()
    assert replay[:3] == ["labelmarket", "run", str(tmp_path / "original" / "scenario.toml")]
    again = _run(tmp_path, "replay", *replay[2:])
    assert_same_frames(original, again)
    assert again["manifest"]["scenario_sha256"] == original["manifest"]["scenario_sha256"]


def test_the_summary_is_the_same_for_the_same_seed(tmp_path, capsys):
    _run(tmp_path, "a", "toy", "--seed", "2")
    first = capsys.readouterr().out.replace(str(tmp_path / "a"), "OUT")
    _run(tmp_path, "b", "toy", "--seed", "2")
    assert capsys.readouterr().out.replace(str(tmp_path / "b"), "OUT") == first
