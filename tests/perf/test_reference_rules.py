"""Each vectorised helper gives the numbers of its slow, loop-based reference (tests/perf/reference_rules.py).

Inputs are small random blocks, with the awkward cases mixed in: a lab with nothing allowed, a lab with
everything allowed, more inquiries wanted than vendors exist, equal trust and target. The vectorised rules
may sum in another order than the loops, hence a tolerance of 1e-12 rather than bit equality (1e-10 for
the diversified split, which both sides solve iteratively).
"""

from __future__ import annotations

import numpy as np
import pytest

from labelmarket.agents import choice, perception
import reference_rules as ref

SEEDS = range(8)
TOL = dict(rtol=1e-12, atol=1e-12)
SOLVED = dict(rtol=1e-10, atol=1e-10)  # for the diversified split: a fixed point found by two methods


def random_block(rng: np.random.Generator, rows: int, cols: int, density: float = 0.5):
    value = rng.normal(0.0, 1.0, (rows, cols))
    allowed = rng.random((rows, cols)) < density
    allowed[0] = False            # a lab with nothing allowed
    if rows > 1:
        allowed[1] = True         # a lab with everything allowed
    return value, allowed


# ------------------------------------------------------------------------------------------ choice
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("intensity", [0.0, 1.0, 6.0, 30.0])
def test_softmax_split_matches_reference(seed, intensity):
    value, allowed = random_block(np.random.default_rng(seed), 6, 7)
    np.testing.assert_allclose(choice.softmax_split(value, allowed, intensity),
                               ref.softmax_split(value, allowed, intensity), **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("aversion", [0.0, 0.7, 1.5, "per lab"])
def test_diversified_split_matches_reference(seed, aversion):
    rng = np.random.default_rng(seed)
    value, allowed = random_block(rng, 5, 9)
    if aversion == "per lab":
        aversion = rng.uniform(0.0, 3.0, (5, 1))
    np.testing.assert_allclose(choice.diversified_split(value, allowed, 6.0, aversion),
                               ref.diversified_split(value, allowed, 6.0, aversion), **SOLVED)


@pytest.mark.parametrize("seed", SEEDS)
def test_diversified_split_in_a_wide_market_packs_rows_and_matches_reference(seed):
    """From PACK_MIN_VENDORS vendors the split is solved on each lab's allowed vendors only."""
    rng = np.random.default_rng(seed)
    cols = choice.PACK_MIN_VENDORS + 6
    value, allowed = random_block(rng, 4, cols, density=6 / cols)
    aversion = rng.uniform(0.5, 2.0, (4, 1))
    np.testing.assert_allclose(choice.diversified_split(value, allowed, 6.0, aversion),
                               ref.diversified_split(value, allowed, 6.0, aversion), **SOLVED)


def test_diversified_split_packed_and_dense_paths_agree(monkeypatch):
    rng = np.random.default_rng(11)
    value, allowed = random_block(rng, 40, 90, density=0.08)
    packed = choice.diversified_split(value, allowed, 6.0, 1.5)
    monkeypatch.setattr(choice, "PACK_MIN_VENDORS", 10**9)
    dense = choice.diversified_split(value, allowed, 6.0, 1.5)
    np.testing.assert_allclose(packed, dense, **TOL)
    assert np.all(packed[~allowed] == 0.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_sample_without_replacement_takes_the_top_keys(seed):
    rng = np.random.default_rng(seed)
    log_weight, allowed = random_block(rng, 8, 10)
    count = rng.integers(0, 13, 8)   # sometimes more than the allowed vendors
    chosen = choice.sample_without_replacement(log_weight, allowed, count, np.random.default_rng(seed + 100))
    keys = log_weight + np.random.default_rng(seed + 100).gumbel(size=log_weight.shape)
    np.testing.assert_array_equal(chosen, ref.top_keys(keys, allowed, count))
    np.testing.assert_array_equal(chosen.sum(axis=1), np.minimum(count, allowed.sum(axis=1)))


def test_sample_without_replacement_draws_in_proportion_to_weight():
    """One draw per row picks column j with probability w_j / sum w (the Gumbel-max property)."""
    weight = np.array([1.0, 2.0, 3.0, 4.0])
    rows = 40_000
    chosen = choice.sample_without_replacement(np.log(np.tile(weight, (rows, 1))), np.ones((rows, 4), bool),
                                               np.ones(rows, dtype=np.int64), np.random.default_rng(5))
    np.testing.assert_allclose(chosen.mean(axis=0), weight / weight.sum(), atol=0.01)


@pytest.mark.parametrize("seed", SEEDS)
def test_limit_move_matches_reference(seed):
    rng = np.random.default_rng(seed)
    desired = rng.normal(0.0, 10.0, (6, 5))
    desired[2] = 0.01                          # a tiny move, under the menu cost
    max_move, min_move = rng.uniform(1.0, 20.0, 6), rng.uniform(0.0, 2.0, 6)
    got, want = choice.limit_move(desired, max_move, min_move), ref.limit_move(desired, max_move, min_move)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, **TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_rationing_matches_reference(seed):
    rng = np.random.default_rng(seed)
    increase = rng.exponential(5.0, (6, 5)) * (rng.random((6, 5)) < 0.6)
    spare = rng.uniform(-2.0, 15.0, 5)         # some vendors full (negative spare), some with room
    decrease = rng.exponential(5.0, (6, 5)) * (increase == 0) * (rng.random((6, 5)) < 0.5)
    target, allowed = rng.dirichlet(np.ones(5), 6), rng.random((6, 5)) < 0.7
    np.testing.assert_allclose(choice.ration_capacity(increase, spare), ref.ration_capacity(increase, spare), **TOL)
    np.testing.assert_allclose(choice.ration_with_overflow(increase, decrease, target, allowed, spare),
                               ref.ration_with_overflow(increase, decrease, target, allowed, spare), **TOL)


# -------------------------------------------------------------------------------------- perception
@pytest.mark.parametrize("seed", SEEDS)
def test_conflict_exposure_matches_reference(seed):
    rng = np.random.default_rng(seed)
    labs, vendors, investors = 6, 7, 4
    rivalry = rng.uniform(0.0, 1.0, (labs, investors)) * (rng.random((labs, investors)) < 0.5)
    rivalry[:, 3] = 0.0                        # an investor no one rivals (a venture fund)
    stake = rng.uniform(0.0, 0.5, (vendors, investors)) * (rng.random((vendors, investors)) < 0.4)
    voting = rng.random((vendors, investors)) < 0.5
    talent = rng.uniform(0.0, 0.2, (vendors, investors)) * (rng.random((vendors, investors)) < 0.3)
    args = (rng.uniform(0.2, 1.0, labs), rivalry, stake, voting, talent, rng.uniform(0.0, 1.0, vendors))
    weights = dict(stake_weight=2.2, voting_weight=1.6, talent_weight=1.5, assurance_efficacy=0.35)
    np.testing.assert_allclose(perception.conflict_exposure(*args, **weights),
                               ref.conflict_exposure(*args, **weights), **TOL)


def test_conflict_exposure_is_zero_when_no_rival_holds_anything():
    labs, vendors, investors = 3, 4, 2
    rivalry = np.array([[0.0, 1.0], [0.0, 0.5], [0.0, 0.0]])
    stake = np.zeros((vendors, investors))
    stake[1, 0] = 0.4                          # held only by an investor no lab rivals
    exposure = perception.conflict_exposure(np.ones(labs), rivalry, stake, np.ones_like(stake, bool),
                                            np.zeros_like(stake), np.zeros(vendors), stake_weight=2.2,
                                            voting_weight=1.6, talent_weight=1.5, assurance_efficacy=0.35)
    np.testing.assert_array_equal(exposure, 0.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_opinion_and_trust_updates_match_reference(seed):
    rng = np.random.default_rng(seed)
    level, target = rng.random((5, 6)), rng.random((5, 6))
    target[0, :3] = level[0, :3]               # already at target
    np.testing.assert_allclose(perception.anchored_update(level, target, 0.35),
                               ref.anchored_update(level, target, 0.35), **TOL)
    np.testing.assert_allclose(perception.asymmetric_update(level, target, 0.45, 0.03),
                               ref.asymmetric_update(level, target, 0.45, 0.03), **TOL)


def test_updates_leave_their_inputs_alone():
    """The rules keep ``before`` values (e.g. trust before the update, for alarm crossings)."""
    level, target = np.full((2, 2), 0.5), np.array([[0.1, 0.9], [0.5, 0.2]])
    kept = level.copy()
    perception.anchored_update(level, target, 0.35)
    perception.asymmetric_update(level, target, 0.45, 0.03)
    np.testing.assert_array_equal(level, kept)


@pytest.mark.parametrize("seed", SEEDS)
def test_dissatisfaction_and_worst_shortfall_match_reference(seed):
    rng = np.random.default_rng(seed)
    spend = rng.exponential(10.0, (6, 5)) * (rng.random((6, 5)) < 0.6)
    spend[0] = 0.0                             # a lab with no contracts
    trust = rng.random((6, 5))
    np.testing.assert_allclose(perception.dissatisfaction(spend, trust, 0.6),
                               ref.dissatisfaction(spend, trust, 0.6), **TOL)
    np.testing.assert_allclose(perception.worst_shortfall(spend, trust, 0.6),
                               ref.worst_shortfall(spend, trust, 0.6), **TOL)
    quality = rng.random(5)
    np.testing.assert_allclose(perception.worst_shortfall(spend, trust, 0.6, quality),
                               ref.worst_shortfall(spend, trust, 0.6, quality), **TOL)
