"""The synthetic market generator (scenarios/synthetic.py): deterministic by seed, valid, and shaped like the
calibrated market (strategic owners, rivalry blocks, heavy tails, consistent contracts, a shock)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labelmarket.scenarios.loader import load_scenario, scenario_hash, scenario_toml
from labelmarket.scenarios.schema import OwnershipChange, Scenario
from labelmarket.scenarios.synthetic import ALLOCATION_ROWS_LIMIT, synthetic_scenario


@pytest.fixture(scope="module")
def market() -> Scenario:
    return synthetic_scenario(labs=400, vendors=60, seed=3)


def revenue(s: Scenario) -> dict[str, float]:
    out = dict.fromkeys(s.vendors, 0.0)
    for lab in s.labs.values():
        for vendor, amount in lab.contracts.items():
            out[vendor] += amount
    return out


def test_same_seed_same_market_other_seed_other_market():
    a, b = synthetic_scenario(50, 12, seed=7), synthetic_scenario(50, 12, seed=7)
    assert scenario_hash(a) == scenario_hash(b)
    assert scenario_hash(a) != scenario_hash(synthetic_scenario(50, 12, seed=8))


def test_the_generator_leaves_global_random_state_alone():
    state = np.random.get_state()[1].copy()
    synthetic_scenario(20, 5, seed=1)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("labs, vendors", [(1, 1), (2, 1), (1, 3), (10, 10), (30, 200)])
def test_tiny_and_lopsided_markets_are_valid(labs, vendors):
    s = synthetic_scenario(labs, vendors, seed=0)
    assert len(s.labs) == labs and len(s.vendors) == vendors


def test_a_market_needs_a_lab_and_a_vendor():
    with pytest.raises(ValueError, match="at least one lab"):
        synthetic_scenario(0, 5, seed=1)


def test_it_round_trips_through_a_scenario_file(market, tmp_path: Path):
    path = tmp_path / "synthetic.toml"
    path.write_text(scenario_toml(market), encoding="utf-8")
    assert scenario_hash(load_scenario(path)) == scenario_hash(market)


def test_contracts_fit_budgets_and_capacities(market):
    for lab in market.labs.values():
        assert lab.contracts, "every lab starts with at least one contract"
        assert sum(lab.contracts.values()) <= lab.budget_musd * (1 + 1e-12)
    for name, amount in revenue(market).items():
        vendor = market.vendors[name]
        assert 0 < amount <= vendor.capacity_musd, name
        # 80-95 % utilisation: no vendor starts loss-making (operating cost is 80 % of capacity)
        assert amount >= 0.79 * vendor.capacity_musd, name


def test_budgets_and_vendor_sizes_are_heavy_tailed(market):
    budgets = np.array([lab.budget_musd for lab in market.labs.values()])
    assert budgets.max() > 10 * np.median(budgets)
    shares = np.sort(np.array(list(revenue(market).values())))[::-1]
    shares /= shares.sum()
    assert shares[:3].sum() > 0.3           # a few vendors dominate
    assert (shares > 0).all()               # and every vendor has a client


def test_strategic_owners_are_the_largest_labs(market):
    strategic = {name: inv.lab for name, inv in market.investors.items() if inv.kind == "strategic"}
    assert 2 <= len(strategic) <= 6
    budgets = sorted(((lab.budget_musd, name) for name, lab in market.labs.items()), reverse=True)
    assert set(strategic.values()) == {name for _, name in budgets[: len(strategic)]}
    ventures = [inv for inv in market.investors.values() if inv.kind == "venture"]
    assert len(ventures) >= 2 and all(v.capital_musd > 0 for v in ventures)


def test_rivalry_blocks_tie_labs_to_the_strategic_owners(market):
    owner_labs = {inv.lab for inv in market.investors.values() if inv.kind == "strategic"}
    frontier = [lab for name, lab in market.labs.items() if lab.kind == "frontier_lab" and name not in owner_labs]
    assert all(owner_labs & set(lab.rivals) for lab in frontier), "each frontier lab rivals a strategic owner"
    others = [lab for lab in market.labs.values() if lab.kind != "frontier_lab"]
    assert others and all(not lab.rivals for lab in others), "enterprises and public sector rival no one"
    for name in owner_labs:
        assert set(market.labs[name].rivals) >= owner_labs - {name}, "strategic owners rival each other"


def test_the_shock_is_a_strategic_stake_in_the_largest_vendor(market):
    shocks = [e for e in market.events.values() if isinstance(e, OwnershipChange)]
    assert len(shocks) == 1
    shock = shocks[0]
    sizes = revenue(market)
    assert shock.vendor == max(sizes, key=sizes.get)
    assert market.investors[shock.investor].kind == "strategic"
    assert shock.week == market.meta.reference_week <= market.meta.horizon_weeks
    assert 0 < shock.stake < 0.5 and not shock.voting
    assert not market.vendors[shock.vendor].owners, "the target starts without owners"


def test_large_markets_switch_the_allocations_frame_off():
    small, large = synthetic_scenario(20, 10, seed=1), synthetic_scenario(200, 100, seed=1)
    assert small.record.allocations and small.record.decisions_min_musd == 1.0
    assert 200 * 100 * (large.meta.horizon_weeks + 1) > ALLOCATION_ROWS_LIMIT
    assert not large.record.allocations
    assert large.record.decisions_min_musd > 1.0
