"""Model 2.0, the strategic seller (agents/vendor.py): prices against utilisation and churn, sales effort aimed
at buyers who value the vendor, and assurances decided when they pay. Each test sets up a situation on a tiny
market, calls the rule, and checks the economic outcome; each rule is off at its default."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core_markets import QUIET_VC, build, index, lab, rival_stake_market, run, strategic, vendor
from labelmarket.agents import lab as lab_rules
from labelmarket.agents import vendor as vendor_rules
from labelmarket.model.event_log import EventKind
from labelmarket.model.market_model import MarketModel

QUARTER_LIMIT = 0.05


def _price_market(**behaviour: float) -> MarketModel:
    """Full runs at capacity; Idle has three quarters of its capacity free; Par sits at the target utilisation."""
    market = build(labs={"Buyer": lab(300.0, {"Full": 100.0, "Idle": 50.0, "Par": 85.0})},
                   vendors={"Full": vendor(100.0, 0.8), "Idle": vendor(200.0, 0.8), "Par": vendor(100.0, 0.8)},
                   behaviour={**QUIET_VC, "price_speed": 1.0, "price_review_weeks": 13.0,
                              "price_max_change_per_quarter": QUARTER_LIMIT, "price_floor_index": 0.8,
                              "price_ceiling_index": 1.2, **behaviour})
    return MarketModel(market, rng=1)


def _review_week(model: MarketModel, name: str) -> int:
    """A week at which vendor ``name`` reviews its price (week + its index divisible by the review interval)."""
    return (-index(model, vendor_name=name)) % 13


# ------------------------------------------------------------------------------------------------ pricing
def test_a_full_vendor_raises_its_price_and_an_idle_one_cuts_it_by_at_most_the_quarterly_limit():
    model = _price_market()
    s, b = model.state, model.behaviour
    full, idle, par = (index(model, vendor_name=n) for n in ("Full", "Idle", "Par"))
    entries = []
    for week in range(13):  # one quarter: every vendor reviews once
        entries += vendor_rules.set_prices(s, b, week)
    assert s.price_index[full] == pytest.approx(1.0 + QUARTER_LIMIT)  # capped: the gap (+0.15) is larger
    assert s.price_index[idle] == pytest.approx(1.0 / (1.0 + QUARTER_LIMIT))
    assert s.price_index[par] == pytest.approx(1.0)  # at the target utilisation: no reason to move
    changed = {e.actor: e for e in entries if e.kind is EventKind.PRICE_CHANGE}
    assert set(changed) == {"Full", "Idle"}
    assert changed["Full"].utilisation == pytest.approx(1.0) and changed["Full"].price_before == 1.0


def test_prices_change_only_at_a_vendors_review():
    model = _price_market()
    s, b = model.state, model.behaviour
    full = index(model, vendor_name="Full")
    vendor_rules.set_prices(s, b, _review_week(model, "Full") + 1)
    assert s.price_index[full] == 1.0


def test_prices_stop_at_the_floor_and_the_ceiling():
    model = _price_market(price_max_change_per_quarter=0.5)
    s, b = model.state, model.behaviour
    for week in range(13 * 8):
        vendor_rules.set_prices(s, b, week)
    assert s.price_index[index(model, vendor_name="Full")] == pytest.approx(1.2)
    assert s.price_index[index(model, vendor_name="Idle")] == pytest.approx(0.8)


def test_churn_cuts_the_price_of_a_vendor_at_its_target_utilisation():
    model = _price_market()
    s, b = model.state, model.behaviour
    i, par = index(model, "Buyer", "Par")
    s.withdrawn_musd[i, par] = 30.0  # clients recently took $30M/yr away
    vendor_rules.set_prices(s, b, _review_week(model, "Par"))
    assert s.price_index[par] < 1.0


def test_with_price_speed_zero_prices_never_move():
    model = _price_market(price_speed=0.0)
    s, b = model.state, model.behaviour
    assert all(vendor_rules.set_prices(s, b, week) == [] for week in range(26))
    assert (s.price_index == 1.0).all()


def test_in_the_model_prices_are_recorded_weekly_and_labs_value_reads_them():
    model = _price_market(price_review_weeks=1.0, price_max_change_per_quarter=0.3)
    model.run()
    prices = model.frames()["vendors"].query("vendor == 'Full'").price_index.to_numpy()
    assert prices[0] == 1.0 and len(set(prices.round(6))) > 2  # the price moves week by week
    assert ((prices >= 0.8 - 1e-12) & (prices <= 1.2 + 1e-12)).all()
    s, b = model.state, model.behaviour
    current = s.spend_musd > 0
    value = lab_rules.vendor_value(b, s.quality, s.trust, s.price_index, s.fit, s.switching_cost, current, 0.0)
    at_par = lab_rules.vendor_value(b, s.quality, s.trust, np.ones_like(s.price_index), s.fit, s.switching_cost,
                                    current, 0.0)
    np.testing.assert_allclose(at_par - value, b.price_weight * np.log(s.price_index)[None, :])


# ------------------------------------------------------------------------------------------------- sales
def _sales_market(seller_quality: float = 0.95, **behaviour: float) -> MarketModel:
    """Seller is 30 % owned by Owner (Acquirer's arm) and has idle capacity. Rival is the Acquirer's rival;
    Friend is nobody's rival. Both buy only from Other, a weaker vendor."""
    market = build(
        labs={"Acquirer": lab(100.0, {"Seller": 50.0, "Other": 50.0}, {"Rival": 1.0}),
              "Rival": lab(100.0, {"Other": 100.0}, {"Acquirer": 1.0}),
              "Friend": lab(100.0, {"Other": 100.0})},
        vendors={"Seller": vendor(300.0, seller_quality, owners={"Owner": {"stake": 0.3, "voting": False}}),
                 "Other": vendor(400.0, 0.6)},
        investors={"Owner": strategic("Acquirer")},
        behaviour={**QUIET_VC, "sales_intensity": 20.0, "sales_cost_musd_per_contact": 0.5,
                   "sales_pilot_share": 0.05, **behaviour})
    return MarketModel(market, rng=3)


def test_an_idle_vendors_sales_reach_a_buyer_that_values_it_and_not_its_owners_rival():
    model = _sales_market()
    s, b = model.state, model.behaviour
    seller = index(model, vendor_name="Seller")
    friend, rival = index(model, "Friend"), index(model, "Rival")
    cash = s.cash_musd[seller]
    entries = vendor_rules.direct_sales(s, b, np.random.default_rng(0))
    assert s.considered[friend, seller] and not s.considered[rival, seller]
    assert s.inquiries[seller] == 1  # the only buyer it may approach
    assert s.cash_musd[seller] == pytest.approx(cash - 0.5)
    [win] = entries
    assert (win.kind, win.actor, win.target, win.destination) == (EventKind.SALES_WIN, "Friend", "Other", "Seller")
    assert win.amount_musd == pytest.approx(5.0) and win.value_gap > 0
    assert s.spend_musd[friend, seller] == pytest.approx(5.0)
    assert s.spend_musd[friend].sum() == pytest.approx(100.0)  # the pilot moves money, it creates none
    assert s.spend_musd[rival, seller] == 0.0


def test_a_buyer_that_values_the_seller_less_than_its_vendors_only_inquires():
    model = _sales_market(seller_quality=0.45)  # trusted above the alarm level, valued below Other
    s, b = model.state, model.behaviour
    seller, friend = index(model, vendor_name="Seller"), index(model, "Friend")
    assert vendor_rules.direct_sales(s, b, np.random.default_rng(0)) == []
    assert s.considered[friend, seller] and s.spend_musd[friend, seller] == 0.0


def test_a_vendor_at_its_target_utilisation_with_no_churn_makes_no_sales_calls():
    model = _sales_market()
    s, b = model.state, model.behaviour
    seller = index(model, vendor_name="Seller")
    s.capacity_musd[seller] = s.revenue_musd()[seller] / b.target_utilisation
    assert vendor_rules.direct_sales(s, b, np.random.default_rng(0)) == []
    assert s.inquiries[seller] == 0


def test_with_sales_intensity_zero_there_is_no_sales_effort():
    model = _sales_market(sales_intensity=0.0)
    s, b = model.state, model.behaviour
    assert vendor_rules.direct_sales(s, b, np.random.default_rng(0)) == []
    assert s.inquiries.sum() == 0


# -------------------------------------------------------------------------------------------- assurances
def _assurance_run(voting: bool, **behaviour: float) -> MarketModel:
    return run(rival_stake_market({"assurance_decided_strength": 0.8, "assurance_cost_musd": 0.5,
                                   "assurance_trigger_fall": 0.05, **behaviour}, voting=voting,
                                  horizon_weeks=12))


def decided(model: MarketModel) -> list:
    return [e for e in model.recorder.events if e.kind is EventKind.VENDOR_ASSURANCE]


def test_a_vendor_whose_clients_doubt_it_issues_an_assurance_when_it_pays():
    model = _assurance_run(voting=False)
    [entry] = decided(model)[:1]
    assert entry.actor == "Incumbent" and entry.week >= 2  # only after the stake: its clients' doubts
    assert entry.benefit_musd > entry.amount_musd == 0.5
    assert model.state.assurance[index(model, vendor_name="Incumbent")] > 0


def test_an_assurance_that_costs_more_than_it_protects_is_not_given():
    model = _assurance_run(voting=False, assurance_cost_musd=150.0)
    assert decided(model) == []
    assert model.state.assurance[index(model, vendor_name="Incumbent")] == 0.0


def test_a_voting_owner_makes_the_same_promise_less_credible():
    free, controlled = decided(_assurance_run(voting=False))[0], decided(_assurance_run(voting=True))[0]
    assert controlled.credibility < free.credibility
    assert controlled.strength < free.strength


def test_a_breach_and_a_repeated_promise_each_discount_the_next_assurance():
    model = _sales_market()
    s, b = model.state, model.behaviour
    j = index(model, vendor_name="Other")
    fresh = vendor_rules.assurance_credibility(s, b)[j]
    vendor_rules.issue_assurance(s, j, 0.5, non_voting=False)
    repeated = vendor_rules.assurance_credibility(s, b)[j]
    vendor_rules.note_breach(s, j)  # e.g. key people left for an owner while the promise stood
    breached = vendor_rules.assurance_credibility(s, b)[j]
    assert fresh == 1.0
    assert repeated == pytest.approx(b.assurance_repeat_decay)
    assert breached == pytest.approx(b.assurance_repeat_decay * b.assurance_breach_discount)


def test_scheduled_assurances_still_work_with_decided_ones_off():
    market = rival_stake_market(horizon_weeks=6)
    doc_events = {"promise": {"kind": "assurance", "week": 3, "vendor": "Incumbent", "strength": 0.5}}
    market = market.model_copy(update={"events": {**market.events, **build(
        labs={"L": lab(1.0)}, vendors={"Incumbent": vendor()}, events=doc_events).events}})
    model = run(market)
    kinds = [e.kind for e in model.recorder.events]
    assert EventKind.ASSURANCE in kinds and EventKind.VENDOR_ASSURANCE not in kinds
    assert model.state.assurance[index(model, vendor_name="Incumbent")] == pytest.approx(0.5)
    assert math.isclose(model.behaviour.assurance_decided_strength, 0.0)


def test_in_the_calibrated_scenario_scale_decides_its_promise_in_the_shock_week_and_only_with_the_stake():
    """D86: meta_scale_2025 schedules no assurance; Scale AI's rule gives one in the week of the stake, and none
    in the no-shock twin or with the leaders' departure alone."""
    from labelmarket.scenarios.loader import load_scenario
    from labelmarket.scenarios.schema import Assurance

    base = load_scenario("meta_scale_2025")
    assert not any(isinstance(event, Assurance) for _, event in base.enabled_events())
    promised = {}
    for name in ("meta_scale_2025", "no_shock", "talent_loss_only"):
        model = MarketModel(load_scenario(name), rng=3, weeks=40)
        model.run()
        promised[name] = [(e.week, e.actor) for e in decided(model)]
        assert not any(e.kind is EventKind.ASSURANCE for e in model.recorder.events), "nothing scheduled"
    assert promised == {"meta_scale_2025": [(base.meta.reference_week, "Scale AI")], "no_shock": [],
                        "talent_loss_only": []}
