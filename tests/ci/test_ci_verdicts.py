"""The verdict of one check from its per-seed values: each statistic, each comparison, ratios with a zero base."""

from __future__ import annotations

import numpy as np
import pytest

from labelmarket.experiments.expectation_verdicts import judge, ratio
from labelmarket.scenarios.expectations import Expectation

SEEDS = np.array([1.0, 2.0, 3.0, 4.0, 10.0])  # median 3, mean 4, q0.9 7.6


def verdict(values=SEEDS, **fields):
    check = Expectation.model_validate({"metric": "hhi", "week": 0, "compare": "<=", "value": 3.0, **fields})
    return judge("market", "market.toml", "probe", check, np.asarray(values, dtype=float))


@pytest.mark.parametrize("fields, value, passed", [
    ({}, 3.0, True),                                                        # median 3 <= 3
    ({"value": 2.9}, 3.0, False),
    ({"statistic": "mean"}, 4.0, False),                                    # the outlier moves the mean
    ({"statistic": "mean", "compare": ">=", "value": 4.0}, 4.0, True),
    ({"statistic": "quantile", "q": 0.9, "value": 7.0}, 7.6, False),
    ({"statistic": "quantile", "q": 0.5}, 3.0, True),
    ({"compare": "between", "value": [2.5, 3.5]}, 3.0, True),
    ({"compare": "between", "value": [3.5, 9.0]}, 3.0, False),
    ({"statistic": "every_seed", "value": 10.0}, 1.0, True),
    ({"statistic": "every_seed", "value": 9.9}, 0.8, False),                # 4 of 5 seeds
    ({"statistic": "share_of_seeds", "seed_share": 0.8, "value": 9.9}, 0.8, True),
    ({"statistic": "share_of_seeds", "seed_share": 0.8, "value": 3.0}, 0.6, False),
])
def test_statistic_and_comparison(fields, value, passed):
    v = verdict(**fields)
    assert v.value == pytest.approx(value) and v.passed is passed and v.status == ("PASS" if passed else "FAIL")
    assert v.seed_values == tuple(SEEDS)


def test_the_row_shows_the_value_the_threshold_and_the_spread():
    v = verdict(statistic="share_of_seeds", seed_share=0.8, compare="between", value=[0.5, 4.5])
    assert (v.shown_value, v.threshold, v.p10_p90) == ("4/5 seeds", ">= 80% of seeds between 0.5 and 4.5", "1 - 10")
    failing = verdict(value=1200.0, compare=">=", relative_to_week=-1)
    line = failing.message()
    assert line.startswith("market: probe: FAIL: 3, expected >= 1,200 (median: hhi at week 0 from the shock / week -1")
    assert "10-90 % over 5 seeds: 1 - 10" in line


def test_ratio_per_seed_with_a_zero_base():
    values = ratio(np.array([2.0, 0.0, 3.0]), np.array([4.0, 0.0, 0.0]))
    assert values.tolist() == [0.5, 1.0, np.inf]  # zero over zero is no change; growth from zero is infinite
