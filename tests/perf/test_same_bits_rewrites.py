"""Rules rewritten for large markets (D80-D82) give the same bits as the code they replace.

Each reference below is the earlier form of a rule, line for line; both run on copies of a real market's state
(scrambled where the rule branches) and everything the rule writes, and every random number it draws, must
match bit for bit.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from labelmarket.agents import choice, vendor
from labelmarket.agents import lab as lab_rules
from labelmarket.model.market_model import MarketModel
from labelmarket.model.state import LAB_VENDOR_FIELDS, VENDOR_FIELDS, MarketState
from labelmarket.scenarios.synthetic import synthetic_scenario


def state_bits(s: MarketState) -> dict[str, bytes]:
    names = LAB_VENDOR_FIELDS + VENDOR_FIELDS + ("unplaced_musd", "review_now", "budget_musd", "wariness")
    return {name: np.ascontiguousarray(getattr(s, name)).tobytes() for name in names}


@pytest.fixture(scope="module")
def market() -> MarketModel:
    """A synthetic market run past its week-26 stake (some entrants, moves and notices)."""
    return MarketModel(synthetic_scenario(80, 20, 2), rng=2, weeks=40).run()


# ------------------------------------------------------------------------------- place_unplaced (D80)
def place_unplaced_with_fancy_indexing(s: MarketState) -> None:
    """lab.place_unplaced before D80: fancy-index copies of the labs with unplaced money, always."""
    rows = np.flatnonzero(s.unplaced_musd > 1e-9)
    if rows.size == 0:
        return
    target = s.target_share[rows] * s.active[None, :]
    total = target.sum(axis=1, keepdims=True)
    lost = total[:, 0] <= 0
    s.review_now[rows[lost]] = True
    target = np.divide(target, total, out=np.zeros_like(target), where=total > 0)
    spare = s.capacity_musd - s.revenue_musd()
    wanted = target * s.unplaced_musd[rows, None]
    granted = choice.ration_capacity(wanted, spare)
    s.refused_musd += (wanted - granted).sum(axis=0)
    s.spend_musd[rows] += granted
    s.unplaced_musd[rows] = np.maximum(s.unplaced_musd[rows] - granted.sum(axis=1), 0.0)


@pytest.mark.parametrize("share_unplaced", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("draw", range(4))
def test_place_unplaced_gives_the_bits_of_the_fancy_indexed_rule(market, share_unplaced, draw):
    rng = np.random.default_rng(draw)
    s = copy.deepcopy(market.state)
    L, V = s.spend_musd.shape
    s.unplaced_musd = np.where(rng.random(L) < share_unplaced, rng.uniform(0.0, 30.0, L), 0.0)
    s.target_share[rng.random(L) < 0.1] = 0.0  # labs with no target left review at once
    s.active[rng.random(V) < 0.2] = False
    s.capacity_musd = s.revenue_musd() * rng.uniform(0.9, 1.2, V)  # some vendors full: rationed
    every_lab = bool((s.unplaced_musd > 1e-9).all())
    assert every_lab == (share_unplaced == 1.0)  # share 1: the path with views (every lab places money)
    reference, spend_before = copy.deepcopy(s), s.spend_musd.copy()
    lab_rules.place_unplaced(s)
    place_unplaced_with_fancy_indexing(reference)
    assert state_bits(s) == state_bits(reference)
    assert (s.spend_musd > spend_before).any() == (share_unplaced > 0)


# ------------------------------------------------------------------------------- sales prospects (D82)
def sales_prospects_with_a_matrix_product(s: MarketState, b) -> tuple[np.ndarray, np.ndarray]:
    """vendor.sales_prospects before D82: rival owners found by a matrix product of rivalry and ownership."""
    current = s.spend_musd > 0
    owned = s.lab_owned_stake()
    value = lab_rules.vendor_value(b, s.quality, s.trust, s.price_index, s.fit, s.switching_cost, current, owned)
    rival_owner = (s.rivalry[:, s.is_strategic] @ (s.stake[:, s.is_strategic] > 0).T) > 0
    prospects = (s.active[None, :] & ~s.considered & ~current & ~rival_owner
                 & (s.trust >= s.alarm_trust[:, None]) & (s.budget_musd > 0)[:, None])
    return prospects, value


@pytest.mark.parametrize("draw", range(6))
def test_sales_prospects_exclude_the_same_rivals_as_the_matrix_product(market, draw):
    """Rivalry and stakes are shares (0..1), so a sum of rivalry x owns is positive exactly when some term is."""
    rng = np.random.default_rng(draw)
    s = copy.deepcopy(market.state)
    s.rivalry = np.where(rng.random(s.rivalry.shape) < 0.3, rng.uniform(0.0, 1.0, s.rivalry.shape), 0.0)
    s.rivalry[0] = 5e-324  # the smallest positive rivalry still counts
    s.stake = np.where(rng.random(s.stake.shape) < 0.2, rng.uniform(0.0, 0.6, s.stake.shape), 0.0)
    s.stake[:, 0] = 5e-324
    s.is_strategic = rng.random(s.is_strategic.shape) < 0.5
    s.considered = rng.random(s.considered.shape) < 0.2
    got, want = vendor.sales_prospects(s, market.behaviour), sales_prospects_with_a_matrix_product(s, market.behaviour)
    assert np.array_equal(got[0], want[0]) and got[1].tobytes() == want[1].tobytes()
    assert want[0].any() and not want[0].all()
