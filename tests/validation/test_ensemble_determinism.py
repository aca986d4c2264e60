"""The validation ensemble gives bit-identical digests on one core or on two spawned worker processes."""

from __future__ import annotations

import pandas as pd

from labelmarket.experiments.pattern_runs import run_variants
from labelmarket.scenarios.loader import load_scenario


def toy_digests(seeds, workers):
    return dict(run_variants({"toy": load_scenario("toy")}, {"full": {}}, seeds, workers=workers))["full"]["toy"]


def test_one_process_and_two_workers_give_identical_digests():
    alone = toy_digests(range(1, 6), workers=1)
    pooled = toy_digests(range(1, 6), workers=2)
    assert [d.seed for d in pooled] == [1, 2, 3, 4, 5]
    for a, b in zip(alone, pooled, strict=True):
        for part in ("market", "inquiries", "shares", "target_spend"):
            pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=True)


def test_different_seeds_give_different_runs():
    first, second = toy_digests([1, 2], workers=1)
    assert not first.target_spend.equals(second.target_spend)
