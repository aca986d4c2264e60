"""How much the compiled split (D74) changes the recorded frames against the numpy split it replaced.

Every bundled scenario at seeds 1-5 is run twice in this process, once with the model's compiled split and once
with ``ensemble_alternatives.numpy_split`` (the numpy form the model used before) patched in. For each frame, the
largest absolute and relative change over its numeric cells, the share of cells that changed at all, and whether
its shape or its text columns (the event log's prose) changed. A run whose market frame changes somewhere by more
than ``DIVERGED`` times the column's largest value has taken another path (a decision near its threshold went the
other way); such runs are listed with the week they part, and the frames' figures are given over all runs and
over the others.

``python -m labelmarket.benchmarks.split_frame_changes [SEEDS]`` prints one JSON line.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import numpy as np
import pandas as pd

from labelmarket.agents import choice
from labelmarket.benchmarks.ensemble_alternatives import numpy_split

TINY = 1e-9  # relative changes are taken on cells of at least this size (rounding noise around 0 is not 100 %)
DIVERGED = 1e-9  # relative: far above rounding (a few units of 1e-16), far below any figure anyone reads


def frames_of(scenario: str, seed: int, numpy: bool) -> dict[str, pd.DataFrame]:
    from labelmarket.model.market_model import MarketModel

    compiled = choice._entropic_quadratic_split
    if numpy:
        choice._entropic_quadratic_split = numpy_split
    try:
        return MarketModel(scenario, rng=seed).run().frames()
    finally:
        choice._entropic_quadratic_split = compiled


def frame_change(new: pd.DataFrame, old: pd.DataFrame) -> dict[str, Any]:
    if new.shape != old.shape or list(new.columns) != list(old.columns):
        return {"same_shape": False, "shape": [list(new.shape), list(old.shape)]}
    numeric = [c for c in new.columns
               if pd.api.types.is_numeric_dtype(new[c]) and not pd.api.types.is_bool_dtype(new[c])]
    others = [c for c in new.columns if c not in numeric]
    a = new[numeric].to_numpy(dtype=float)
    b = old[numeric].to_numpy(dtype=float)
    differ = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    change = np.where(differ, np.abs(a - b), 0.0)
    scale = np.maximum(np.abs(a), np.abs(b))
    relative = np.divide(change, scale, out=np.zeros_like(change), where=scale > TINY)
    return {"same_shape": True, "cells": int(a.size), "changed_cells": int(differ.sum()),
            "max_abs": float(change.max(initial=0.0)), "max_rel": float(relative.max(initial=0.0)),
            "other_columns_equal": bool(new[others].equals(old[others]))}


def parting_week(new: pd.DataFrame, old: pd.DataFrame) -> int | None:
    """The first week whose market row changes by more than DIVERGED times its column's largest value (at least
    1); None if none does."""
    numeric = [c for c in new.columns if pd.api.types.is_float_dtype(new[c])]
    a, b = new[numeric].to_numpy(dtype=float), old[numeric].to_numpy(dtype=float)
    scale = np.maximum(np.nanmax(np.abs(b), axis=0, initial=0.0), 1.0)  # the column's largest value, at least 1
    rows = np.flatnonzero((np.abs(a - b) > DIVERGED * scale).any(axis=1))
    return int(new["week"].iloc[rows[0]]) if rows.size else None


def compare(seeds: range = range(1, 6)) -> dict[str, Any]:
    from labelmarket.scenarios.loader import bundled_scenarios

    def empty():
        return {"runs": 0, "shape_changed_in": [], "text_changed_in": [], "cells": 0, "changed_cells": 0,
                "max_abs": 0.0, "max_rel": 0.0}

    every: dict[str, dict[str, Any]] = {}
    same_path: dict[str, dict[str, Any]] = {}
    diverged: dict[str, int] = {}
    for scenario in bundled_scenarios():
        for seed in seeds:
            new, old = frames_of(scenario, seed, numpy=False), frames_of(scenario, seed, numpy=True)
            parted = parting_week(new["market"], old["market"])
            if parted is not None:
                diverged[f"{scenario}:{seed}"] = parted
            for name in new:
                row = frame_change(new[name], old[name])
                for totals in (every, same_path) if parted is None else (every,):
                    total = totals.setdefault(name, empty())
                    total["runs"] += 1
                    if not row["same_shape"]:
                        total["shape_changed_in"].append(f"{scenario}:{seed}")
                        continue
                    if not row["other_columns_equal"]:
                        total["text_changed_in"].append(f"{scenario}:{seed}")
                    for key in ("cells", "changed_cells"):
                        total[key] += row[key]
                    for key in ("max_abs", "max_rel"):
                        total[key] = max(total[key], row[key])
    return {"scenarios": len(bundled_scenarios()), "seeds": [seeds.start, seeds.stop - 1],
            "diverged_runs_first_week": diverged, "frames_all_runs": every, "frames_runs_on_the_same_path": same_path}


if __name__ == "__main__":
    print(json.dumps(compare(range(1, 1 + (int(sys.argv[1]) if len(sys.argv) > 1 else 5)))))
