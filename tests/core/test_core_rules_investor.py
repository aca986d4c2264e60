"""Investor rules (agents/investor.py): strategic stakes, divestment, and venture funds within their capital."""

from __future__ import annotations

import numpy as np
import pytest

from labelmarket.agents import investor as investor_rules
from core_markets import QUIET_VC, build, index, lab, run, strategic, vendor, venture
from labelmarket.model.event_log import EventKind
from labelmarket.model.explain import cause
from labelmarket.model.market_model import MarketModel

HOT_VC = {"vc_base_deal_rate_per_week": 0.5, "vc_appetite": 5.0, "vc_ticket_share": 1.0}  # a deal every week


def _ownership_model(owners: dict[str, dict]) -> MarketModel:
    market = build(labs={"Buyer": lab(100.0, {"Target": 100.0}), "Acquirer": lab(50.0, {"Target": 50.0})},
                   vendors={"Target": vendor(200.0, owners=owners)},
                   investors={"Arm": strategic("Acquirer"), "Fund": venture(100.0), "Angel": venture(10.0)},
                   behaviour=QUIET_VC)
    return MarketModel(market, rng=1)


def _stakes(model: MarketModel) -> dict[str, float]:
    s = model.state
    return dict(zip(s.investor_names, s.stake[0].tolist()))


# ------------------------------------------------------------------------------------ strategic stakes
def test_a_stake_purchase_dilutes_the_other_holders_pro_rata():
    model = _ownership_model({"Fund": {"stake": 0.6, "voting": True}, "Angel": {"stake": 0.3, "voting": True}})
    investor_rules.acquire_stake(model.state, index_of(model, "Arm"), 0, 0.4, voting=False, cash_musd=25.0, talent_taken=0.0)
    stakes = _stakes(model)
    assert stakes["Arm"] == pytest.approx(0.4)
    assert stakes["Fund"] == pytest.approx(0.6 * 0.6 / 0.9) and stakes["Angel"] == pytest.approx(0.6 * 0.3 / 0.9)
    assert sum(stakes.values()) == pytest.approx(1.0)
    assert not model.state.voting[0, index_of(model, "Arm")]
    assert model.state.cash_musd[0] == pytest.approx(1025.0)


def test_a_stake_purchase_with_room_to_spare_dilutes_nobody():
    model = _ownership_model({"Fund": {"stake": 0.2, "voting": True}})
    investor_rules.acquire_stake(model.state, index_of(model, "Arm"), 0, 0.49, voting=True, cash_musd=0.0, talent_taken=0.0)
    assert _stakes(model) == pytest.approx({"Arm": 0.49, "Fund": 0.2, "Angel": 0.0})


def test_a_strategic_purchase_makes_the_owners_lab_review_at_once():
    model = _ownership_model({})
    investor_rules.acquire_stake(model.state, index_of(model, "Arm"), 0, 0.3, voting=False, cash_musd=0.0, talent_taken=0.0)
    assert model.state.review_now.tolist() == [False, True]


def test_a_purchase_that_takes_talent_lowers_quality_and_leaves_exposure_behind():
    model = _ownership_model({})
    k = index_of(model, "Arm")
    investor_rules.acquire_stake(model.state, k, 0, 0.3, voting=False, cash_musd=0.0, talent_taken=0.2)
    assert model.state.talent[0] == pytest.approx(0.8 * 0.8)
    assert model.state.departed_talent[0, k] == pytest.approx(0.2)


def test_a_sole_owner_buying_more_stays_at_most_whole_and_finite():
    model = _ownership_model({"Fund": {"stake": 0.6, "voting": True}})
    investor_rules.acquire_stake(model.state, index_of(model, "Fund"), 0, 0.5, voting=True, cash_musd=0.0, talent_taken=0.0)
    assert np.isfinite(model.state.stake).all()
    assert _stakes(model)["Fund"] == pytest.approx(1.0)


def test_buying_more_never_lowers_the_buyers_stake():
    model = _ownership_model({"Fund": {"stake": 0.6, "voting": True}, "Angel": {"stake": 0.3, "voting": True}})
    investor_rules.acquire_stake(model.state, index_of(model, "Fund"), 0, 0.5, voting=True, cash_musd=0.0, talent_taken=0.0)
    assert _stakes(model)["Fund"] == pytest.approx(1.0)
    assert sum(_stakes(model).values()) == pytest.approx(1.0)


def test_divestment_sells_the_stake_and_its_votes():
    model = _ownership_model({"Fund": {"stake": 0.3, "voting": True}})
    k = index_of(model, "Fund")
    assert investor_rules.divest(model.state, k, 0, 0.1) == pytest.approx(0.1)
    assert _stakes(model)["Fund"] == pytest.approx(0.2) and model.state.voting[0, k]
    assert investor_rules.divest(model.state, k, 0, None) == pytest.approx(0.2)
    assert _stakes(model)["Fund"] == 0.0 and not model.state.voting[0, k]
    assert investor_rules.divest(model.state, k, 0, 0.5) == 0.0  # nothing left to sell


# ----------------------------------------------------------------------------------------- venture funds
def _hot_market(capital: float, weeks: int = 30, **behaviour: float):
    """A strategic stake scares the Rival away from Incumbent; two funds with small capital watch."""
    return build(labs={"Rival": lab(200.0, {"Incumbent": 150.0, "Neutral": 50.0}, {"Acquirer": 1.0},
                                    review_interval_weeks=2),
                       "Acquirer": lab(100.0, {"Incumbent": 100.0})},
                 vendors={"Incumbent": vendor(300.0), "Neutral": vendor(60.0, segment="expert_network"),
                          "Owned": vendor(60.0, segment="expert_network", owners={"Arm": {"stake": 0.2,
                                                                                           "voting": False}})},
                 investors={"Arm": strategic("Acquirer"), "Small fund": venture(capital), "Big fund": venture(50.0)},
                 events={"stake": {"kind": "ownership_change", "week": 2, "investor": "Arm",
                                   "vendor": "Incumbent", "stake": 0.49, "voting": True}},
                 behaviour={**HOT_VC, "routine_inquiries": 3.0, **behaviour}, horizon_weeks=weeks)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_fund_commits_no_more_than_its_capital(seed):
    model = run(_hot_market(capital=10.0), seed=seed)
    frames, s = model.frames(), model.state
    funding = frames["events"].query("kind == 'funding'")
    committed = funding.groupby("actor").amount_musd.sum()
    assert committed.get("Small fund", 0.0) <= 10.0 + 1e-9
    assert committed.get("Big fund", 0.0) <= 50.0 + 1e-9
    assert (s.capital_left_musd >= -1e-9).all()
    np.testing.assert_allclose(s.capital_musd - s.capital_left_musd,
                               [0.0, committed.get("Small fund", 0.0), committed.get("Big fund", 0.0)])
    assert frames["market"].vc_committed_musd.sum() == pytest.approx(committed.sum())
    assert committed.sum() > 0  # the market was hot enough to deal


def test_funds_back_only_neutral_vendors():
    model = MarketModel(_hot_market(capital=200.0, vc_entry_share=0.0), rng=4)
    s = model.state
    strategic_arms = np.flatnonzero(s.is_strategic)
    deals = 0
    while model.running:
        model.step()
        funded = model.frames()["events"].query(f"kind == 'funding' and week == {model.week}").target
        for name in funded:  # the stake a strategic arm held when the fund invested
            assert s.stake[s.vendor_names.index(name), strategic_arms].sum() == 0.0, (model.week, name)
        deals += len(funded)
    assert deals > 0


def test_a_fund_can_found_a_neutral_entrant():
    model = run(_hot_market(capital=200.0, vc_entry_share=1.0, entrant_capacity_musd=30.0), seed=1)
    s, frames = model.state, model.frames()
    entries = frames["events"].query("kind == 'entry'")
    assert len(entries) >= 1 and frames["market"].entrants.sum() == len(entries)
    for name in entries.actor:
        j = s.vendor_names.index(name)
        assert s.stake[j, s.is_strategic].sum() == 0.0 and 0.0 < s.stake[j].sum() <= 1.0
        assert s.active[j] and s.capacity_musd[j] > 0
    s.check_shapes()


def test_heat_rises_with_inquiries_above_their_usual_level():
    model = MarketModel(_hot_market(capital=100.0), rng=1)
    s = model.state
    j = s.vendor_names.index("Neutral")
    s.inquiries_long_ema[:] = 1.0
    s.inquiries_short_ema[:] = 1.0
    calm, _, _ = investor_rules.sector_heat(model.state, model.behaviour)
    s.inquiries_short_ema[j] = 6.0
    hot, segment, appeal = investor_rules.sector_heat(model.state, model.behaviour)
    assert hot > calm
    assert segment == "expert_network"
    assert appeal[j] > 0 and appeal[s.vendor_names.index("Owned")] == 0.0  # an owned vendor has no appeal


def test_herding_more_heat_means_more_deals():
    deals = []
    for herding in (0.0, 20.0):
        model = run(_hot_market(capital=1000.0, vc_base_deal_rate_per_week=0.02, vc_appetite=1.0,
                                vc_ticket_share=0.01, vc_herding=herding, vc_entry_share=0.0), seed=7)
        deals.append(len(model.frames()["events"].query("kind == 'funding'")))
    assert deals[1] > deals[0]


def index_of(model: MarketModel, investor: str) -> int:
    return model.state.investor_names.index(investor)


def test_a_fund_with_no_capital_left_invests_nothing_and_says_so():
    """A venture_funding event for a fund whose capital is spent changes nothing (no 0/0 stake) and is logged
    under the event's own kind."""
    model = MarketModel("toy", rng=1)
    s = model.state
    k = int(np.flatnonzero(~s.is_strategic)[0])
    s.capital_left_musd[k] = 0.0
    stake, cash = s.stake.copy(), s.cash_musd.copy()
    entries = investor_rules.commit(s, model.behaviour, model.rng, k, 10.0, 0, s.segments[0],
                                    EventKind.VENTURE_FUNDING)
    assert np.array_equal(s.stake, stake) and np.array_equal(s.cash_musd, cash) and s.vc_committed_musd == 0.0
    assert [(e.kind, e.actor, e.target, e.amount_musd) for e in entries] == [
        (EventKind.VENTURE_FUNDING, s.investor_names[k], s.vendor_names[0], 0.0)]
    assert cause(entries[0]) == f"{s.investor_names[k]} has no capital left: nothing invested (announced)"
