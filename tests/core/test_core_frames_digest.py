"""Unchanged outputs: the four original frames of every bundled scenario (seeds 1-5) and of a synthetic
300 x 50 market (seed 1) hash to the digests committed in ``frames_digests.json``.

A digest covers the frame's column names (in order) and every value (``pandas.util.hash_pandas_object``
row by row, index excluded). Frames may gain new columns: only the columns listed in the JSON are hashed, in
that order. A refactoring that changes any recorded number or name fails here.

The events frame is compared WITHOUT its ``cause`` column (model 2.0, D39): the cause is prose derived from the
pinned numeric and name columns (``labelmarket.model.explain``), and model 2.0 rewrites it to name each move's
top drivers. Every other column of events.parquet stays pinned.

Regenerate (only for a deliberate, reported change of outputs):
``python tests/core/test_core_frames_digest.py --write``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from labelmarket.model.runner import run_scenario
from labelmarket.scenarios.loader import bundled_scenarios
from labelmarket.scenarios.synthetic import synthetic_scenario

DIGESTS = Path(__file__).with_name("frames_digests.json")
FRAMES = ("market", "vendors", "allocations", "events")
UNPINNED = {"events": ("cause",)}  # derived prose, not pinned (see the docstring)
SEEDS = (1, 2, 3, 4, 5)
SYNTHETIC = (300, 50, 1)  # labs, vendors, seed


def frame_digest(frame: pd.DataFrame, columns: list[str]) -> str:
    """sha256 over the column names and the per-row hashes of those columns (index excluded)."""
    selected = frame[columns]
    rows = pd.util.hash_pandas_object(selected, index=False).to_numpy()
    h = hashlib.sha256(json.dumps(columns).encode())
    h.update(rows.tobytes())
    return h.hexdigest()


def run_keys() -> list[str]:
    return [f"{name}@{seed}" for name in bundled_scenarios() for seed in SEEDS] + ["synthetic_300x50@1"]


def run_frames(key: str) -> dict[str, pd.DataFrame]:
    name, seed = key.split("@")
    source = synthetic_scenario(*SYNTHETIC) if name == "synthetic_300x50" else name
    return run_scenario(source, seed=int(seed)).frames()


def current(key: str, columns: dict[str, list[str]] | None = None) -> dict[str, dict]:
    frames = run_frames(key)
    out = {}
    for frame_name in FRAMES:
        cols = ([c for c in frames[frame_name].columns if c not in UNPINNED.get(frame_name, ())]
                if columns is None else columns[frame_name])
        out[frame_name] = {"columns": cols, "rows": len(frames[frame_name]),
                           "sha256": frame_digest(frames[frame_name], cols)}
    return out


@pytest.fixture(scope="module")
def committed() -> dict[str, dict[str, dict]]:
    return json.loads(DIGESTS.read_text())


def test_every_bundled_scenario_and_the_synthetic_market_have_committed_digests(committed):
    assert sorted(committed) == sorted(run_keys())


@pytest.mark.parametrize("key", run_keys())
def test_the_original_frames_are_unchanged(key, committed):
    expected = committed[key]
    got = current(key, {name: expected[name]["columns"] for name in FRAMES})
    for name in FRAMES:
        assert got[name]["rows"] == expected[name]["rows"], f"{key} {name}: row count changed"
        assert got[name]["sha256"] == expected[name]["sha256"], f"{key} {name}: values changed"


def test_the_cause_column_is_not_pinned_but_every_other_events_column_is(committed):
    for key, frames in committed.items():
        assert "cause" not in frames["events"]["columns"], key
        assert {"week", "kind", "actor", "target", "amount_musd"} <= set(frames["events"]["columns"])


def test_the_digest_sees_a_change_in_one_value():
    frame = pd.DataFrame({"week": [0, 1], "cause": ["a moved", "b moved"]})
    changed = frame.assign(cause=["a moved", "b moved."])
    assert frame_digest(frame, ["week", "cause"]) != frame_digest(changed, ["week", "cause"])
    assert frame_digest(frame, ["week", "cause"]) != frame_digest(frame[["cause", "week"]], ["cause", "week"])


if __name__ == "__main__" and "--write" in sys.argv:
    DIGESTS.write_text(json.dumps({key: current(key) for key in run_keys()}, indent=1, sort_keys=True) + "\n")
