"""Rules rewritten for large markets (D80-D82, D84) give the same bits as the code they replace.

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
from test_gumbel_draws import sample_with_noise_on_every_cell


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


# ------------------------------------------------------------------------- direct sales (D81, D82, D84)
def sales_prospects_with_a_matrix_product(s: MarketState, b) -> tuple[np.ndarray, np.ndarray]:
    """vendor.sales_prospects before D82: every vendor, rival owners found by a matrix product of rivalry and
    ownership."""
    current = s.spend_musd > 0
    owned = s.lab_owned_stake()
    value = lab_rules.vendor_value(b, s.quality, s.trust, s.price_index, s.fit, s.switching_cost, current, owned)
    rival_owner = (s.rivalry[:, s.is_strategic] @ (s.stake[:, s.is_strategic] > 0).T) > 0
    prospects = (s.active[None, :] & ~s.considered & ~current & ~rival_owner
                 & (s.trust >= s.alarm_trust[:, None]) & (s.budget_musd > 0)[:, None])
    return prospects, value


def win_pilots_on_every_row(s: MarketState, b, chosen, value, used, churn) -> list:
    """vendor.win_pilots before D84: the values of every lab, every lab's lowest-valued current vendor."""
    sellers, buyers = np.nonzero(chosen)
    current = s.spend_musd > 0
    src_of = np.argmin(np.where(current, value, np.inf), axis=1)
    src = src_of[buyers]
    gap = value[buyers, sellers] - value[buyers, src]
    want = np.where(current.any(axis=1)[buyers] & (gap >= 0), b.sales_pilot_share * s.budget_musd[buyers], 0.0)
    held = s.spend_musd[np.arange(s.n_labs), src_of]
    asked = np.bincount(buyers, weights=want, minlength=s.n_labs)
    want *= np.divide(held, asked, out=np.ones(s.n_labs), where=asked > held)[buyers]
    room = np.maximum(s.capacity_musd - s.revenue_musd(), 0.0)
    asked = np.bincount(sellers, weights=want, minlength=s.n_vendors)
    amount = want * np.divide(room, asked, out=np.ones(s.n_vendors), where=asked > room)[sellers]
    np.add.at(s.spend_musd, (buyers, src), -amount)
    np.add.at(s.spend_musd, (buyers, sellers), amount)
    np.add.at(s.withdrawn_musd, (buyers, src), amount)
    s.switched_musd += float(amount.sum())
    return [(s.lab_names[i], s.vendor_names[k], float(x), s.vendor_names[j], float(g), float(used[j]),
             float(churn[j])) for i, k, j, x, g in zip(buyers, src, sellers, amount, gap) if x > 0]


def direct_sales_on_every_cell(s: MarketState, b, rng) -> list:
    """vendor.direct_sales before D81, D82 and D84: prospects, weights and values of every lab and vendor."""
    if b.sales_intensity <= 0:
        return []
    used, churn = vendor.utilisation(s), vendor.churn_share(s)
    contacts = rng.poisson(vendor.expected_sales_contacts(s, b))
    if not contacts.any():
        return []
    prospects, value = sales_prospects_with_a_matrix_product(s, b)
    log_weight = (np.log(np.maximum(s.budget_musd, 1e-9))[:, None] + b.choice_intensity * value).T
    chosen = sample_with_noise_on_every_cell(log_weight, prospects.T, contacts, rng)
    s.cash_musd -= chosen.sum(axis=1) * b.sales_cost_musd_per_contact
    s.inquiries += chosen.sum(axis=1)
    s.considered |= chosen.T
    return win_pilots_on_every_row(s, b, chosen, value, used, churn)


def scrambled_for_sales(market: MarketModel, draw: int) -> MarketState:
    rng = np.random.default_rng(draw)
    s = copy.deepcopy(market.state)
    L, V = s.spend_musd.shape
    s.rivalry = np.where(rng.random(s.rivalry.shape) < 0.3, rng.uniform(0.0, 1.0, s.rivalry.shape), 0.0)
    s.rivalry[0] = 5e-324  # the smallest positive rivalry still counts
    s.stake = np.where(rng.random(s.stake.shape) < 0.2, rng.uniform(0.0, 0.6, s.stake.shape), 0.0)
    s.stake[:, 0] = 5e-324
    s.is_strategic = rng.random(s.is_strategic.shape) < 0.5
    s.considered = rng.random((L, V)) < 0.2
    s.capacity_musd = s.revenue_musd() * rng.uniform(0.5, 1.3, V)  # idle vendors sell; some have little room
    s.withdrawn_musd = np.where(rng.random((L, V)) < 0.1, rng.uniform(0.0, 5.0, (L, V)), s.withdrawn_musd)
    s.price_index = rng.uniform(0.7, 1.4, V)
    return s


@pytest.mark.parametrize("draw", range(8))
def test_sales_prospects_exclude_the_same_rivals_as_the_matrix_product(market, draw):
    """Rivalry and stakes are shares (0..1), so a sum of rivalry x owns is positive exactly when some term is."""
    s = scrambled_for_sales(market, draw)
    vendors = np.flatnonzero(np.random.default_rng(draw).random(s.n_vendors) < 0.5)
    got = vendor.sales_prospects(s, market.behaviour, vendors)
    want = sales_prospects_with_a_matrix_product(s, market.behaviour)
    assert np.array_equal(got[0], want[0][:, vendors]) and got[1].tobytes() == want[1][:, vendors].tobytes()
    assert want[0].any() and not want[0].all()


@pytest.mark.parametrize("draw", range(12))
def test_direct_sales_gives_the_bits_and_the_draws_of_the_rule_on_every_cell(market, draw):
    s = scrambled_for_sales(market, draw)
    b = market.behaviour.model_copy(update={"sales_intensity": 2.0 + draw})  # several sellers a week
    reference = copy.deepcopy(s)
    rng, rng_reference = np.random.default_rng(draw), np.random.default_rng(draw)
    entries = vendor.direct_sales(s, b, rng)
    want = direct_sales_on_every_cell(reference, b, rng_reference)
    got = [(e.actor, e.target, e.amount_musd, e.destination, e.value_gap, e.utilisation, e.churn) for e in entries]
    assert got == want and len(want) > 0
    assert state_bits(s) == state_bits(reference) and s.switched_musd == reference.switched_musd
    assert np.array_equal(s.considered, reference.considered)
    assert rng.bit_generator.state == rng_reference.bit_generator.state
