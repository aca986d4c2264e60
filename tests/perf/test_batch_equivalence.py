"""One engine (issue 14, D71): a run's frames are the same, bit for bit, whether it runs alone or inside a mixed
batch of the batch engine (other seeds, other parameters, another scenario's events), in this process or on
worker processes; and a recording level below ``full`` keeps the same numbers as the full frames.

Every bundled scenario at seeds 1-5 is checked: alone (``run_scenario``) against its place in a batch where it
sits between runs of another scenario, at other seeds and with other behaviour parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelmarket.experiments.sweep.engines import map_in_order
from labelmarket.model.market_model import MarketModel
from labelmarket.model.recorder import RECORD_LEVELS
from labelmarket.model.runner import RunResult, RunSpec, run_batch, run_scenario
from labelmarket.scenarios.loader import bundled_scenarios

SEEDS = (1, 2, 3, 4, 5)
FRAMES = ("market", "vendors", "allocations", "events", "labs")
SCENARIOS = sorted(bundled_scenarios())


def assert_bit_identical(alone: pd.DataFrame, batched: pd.DataFrame, what: str) -> None:
    """Same columns, dtypes and values; float columns compared as their bit patterns (-0.0 is not 0.0)."""
    pd.testing.assert_frame_equal(alone, batched, check_exact=True, obj=what)
    for column in alone.columns:
        if alone[column].dtype == np.float64:
            bits = alone[column].to_numpy().view(np.int64), batched[column].to_numpy().view(np.int64)
            assert np.array_equal(*bits), f"{what}: column {column} differs in its bits"


def mixed_batch(name: str) -> tuple[list[RunSpec], list[int]]:
    """The scenario's five seeds, each between runs of another scenario (other events), at other seeds and
    with other parameters; returns the batch and where the five runs sit in it."""
    other = SCENARIOS[(SCENARIOS.index(name) + 1) % len(SCENARIOS)]
    specs, places = [], []
    for seed in SEEDS:
        specs.append(RunSpec(other, seed + 10, {"behaviour.wariness_gain": 1.0 + 0.5 * seed}, weeks=30))
        places.append(len(specs))
        specs.append(RunSpec(name, seed))
    specs.append(RunSpec(name, 99, {"behaviour.choice_intensity": 2.0}, weeks=30))
    return specs, places


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_run_alone_equals_the_same_run_inside_a_mixed_batch(name):
    specs, places = mixed_batch(name)
    batch = run_batch(specs)
    for seed, place in zip(SEEDS, places):
        alone = run_scenario(name, seed=seed).frames()
        inside = batch[place].frames()
        for frame in FRAMES:
            assert_bit_identical(alone[frame], inside[frame], f"{name}@{seed} {frame}")


def _frames_of_batch(specs: list[RunSpec]) -> list[RunResult]:
    return run_batch(specs)


def test_a_batch_on_worker_processes_equals_the_runs_alone():
    specs, places = mixed_batch("meta_scale_2025")
    on_workers = list(map_in_order(_frames_of_batch, specs, workers=2))
    for seed, place in zip(SEEDS, places):
        alone = run_scenario("meta_scale_2025", seed=seed).frames()
        for frame in FRAMES:
            assert_bit_identical(alone[frame], on_workers[place].frames()[frame], f"meta_scale_2025@{seed} {frame}")


@pytest.mark.parametrize("level", RECORD_LEVELS)
def test_every_recording_level_keeps_the_full_frames_numbers(level):
    full = MarketModel("meta_scale_2025", rng=3).run()
    lower = MarketModel("meta_scale_2025", rng=3, record=level).run()
    kept = lower.frames()
    assert set(kept) <= set(FRAMES) and {"market", "events"} <= set(kept)
    for frame, values in kept.items():
        assert_bit_identical(full.frames([frame])[frame], values, f"{level} {frame}")
    if level != "full":
        with pytest.raises(ValueError, match="not recorded at recording level"):
            lower.frames(["labs"])


def test_event_log_entries_are_stamped_with_their_week_when_read():
    model = MarketModel("toy", rng=1).run()
    events = model.recorder.events
    assert events and all(entry.week >= 0 for entry in events)
    assert [entry.week for entry in events] == model.frames(["events"])["events"]["week"].tolist()
    assert model.recorder.events is events  # read once, kept


def test_an_unknown_recording_level_is_refused():
    with pytest.raises(ValueError, match="recording level 'some'"):
        MarketModel("toy", rng=1, record="some")
    with pytest.raises(ValueError, match="needs a reduce function"):
        run_batch([RunSpec("toy", 1)], record="market")
