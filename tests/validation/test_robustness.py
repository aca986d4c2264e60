"""The robustness map: Latin-hypercube points over the calibration box, pass rates, and the thirds screen."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from labelmarket.experiments.cli import main
from labelmarket.experiments.robustness import pass_rates, sample_box, thirds, where_it_breaks
from labelmarket.scenarios.mechanisms import box_bounds


def test_points_are_a_latin_hypercube_inside_the_box_and_reproducible():
    bounds = box_bounds()
    points = sample_box(20, seed=5)
    assert points == sample_box(20, seed=5) and points != sample_box(20, seed=6)
    for name, (low, high) in bounds.items():
        values = np.array([p[name] for p in points])
        assert values.min() >= low and values.max() <= high
        # 1e-9: a value rounded onto a stratum's edge (0.535 in 0.5..0.85) must not fall back by float error
        strata = np.minimum(((values - low) / (high - low) * 20 + 1e-9).astype(int), 19)
        assert len(set(strata)) >= 19, name   # one point per twentieth (rounding may nudge one across)


def _table() -> pd.DataFrame:
    gain = np.linspace(0.05, 5.95, 12)            # wariness_gain over its box 0..6, four points per third
    breaks = gain < 2.0                            # P5 fails in the low third only
    return pd.DataFrame({"point": [f"point {i}" for i in range(12)], "wariness_gain": gain,
                         "dependence_aversion": np.tile([0.2, 2.8], 6),
                         "pass:P5.hhi": ~breaks, "pass:P5": ~breaks, "pass:P1": True,
                         **{f"pass:P{n}": False for n in (2, 3, 4, 6, 7, 8, 9)},
                         "pass:targets": False, "pass:all": False})


def test_pass_rates_and_the_thirds_screen_find_the_parameter_that_breaks_a_pattern():
    table = _table()
    rates = pass_rates(table).set_index("what")["pass_rate"]
    assert rates["P5"] == rates["P5.hhi"] == 8 / 12 and rates["P1"] == 1.0 and rates["all"] == 0.0
    spread = thirds(table, {"wariness_gain": (0.0, 6.0), "dependence_aversion": (0.0, 3.0)})
    p5 = spread[spread.pattern == "P5"].set_index("parameter")
    assert p5.loc["wariness_gain", ["low_third", "mid_third", "high_third"]].tolist() == [0.0, 1.0, 1.0]
    assert p5.loc["wariness_gain", "spread"] == 1.0
    top = where_it_breaks(spread)
    assert top[top.pattern == "P5"].parameter.iloc[0] == "wariness_gain"
    assert top[top.pattern == "P1"].empty             # always passes: nothing breaks it


def test_robustness_end_to_end_on_the_toy_scenario(tmp_path):
    out = tmp_path / "map"
    assert main(["robustness", "toy", "--points", "2", "--seeds", "1", "--workers", "1", "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {"report.md", "robustness.png", "points.csv", "pass_rates.csv",
                                               "thirds.csv", "manifest.json"}
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 2 and set(box_bounds()) <= set(points.columns) and "pass:P1.exit" in points.columns
    assert json.loads((out / "manifest.json").read_text())["points"] == 2
    assert main(["robustness", "toy", "--points", "2", "--seeds", "1", "--out", str(out)]) == 2
