"""Model 2.0, the owners' decisions (agents/investor.py): the strategic owner's captive volume (no floor) and
divestment, and venture funds' own perception of neutrality and prospects. Each is off at its default."""

from __future__ import annotations

import numpy as np
import pytest

from core_markets import QUIET_VC, build, index, lab, rival_stake_market, run, stake_event, strategic, venture, vendor
from labelmarket.agents import investor as investor_rules
from labelmarket.model.event_log import EventKind
from labelmarket.model.market_model import MarketModel

SHIFT = 0.2


def _owner_market(owned_capacity: float = 300.0, owned_quality: float = 0.8, **behaviour: float) -> MarketModel:
    """Acquirer splits its work over Owned (49 % held by its arm, Owner) and Alt; a Bystander uses both."""
    market = build(
        labs={"Acquirer": lab(100.0, {"Owned": 50.0, "Alt": 50.0}),
              "Bystander": lab(100.0, {"Owned": 50.0, "Alt": 50.0})},
        vendors={"Owned": vendor(owned_capacity, owned_quality, owners={"Owner": {"stake": 0.49, "voting": False}}),
                 "Alt": vendor(300.0, 0.8)},
        investors={"Owner": strategic("Acquirer")},
        behaviour={**QUIET_VC, "captive_floor": 0.0, "captive_stake_weight": 1.0,
                   "captive_shift_share": SHIFT, **behaviour})
    return MarketModel(market, rng=1)


def _review_week(model: MarketModel, lab_name: str) -> int:
    i = index(model, lab_name)
    s = model.state
    return int((-s.review_phase_weeks[i]) % s.review_interval_weeks[i])


# -------------------------------------------------------------------------------------------- captive volume
def test_the_owner_shifts_work_to_the_owned_vendor_when_its_stake_outweighs_the_quality_gap():
    model = _owner_market()  # same quality, idle capacity at Owned: net = 1 x 0.49 x margin 1 > 0
    s, b = model.state, model.behaviour
    i, owned = index(model, "Acquirer", "Owned")
    alt = index(model, vendor_name="Alt")
    [entry] = investor_rules.captive_volume(s, b, _review_week(model, "Acquirer"))
    moved = 0.49 * SHIFT * 100.0
    assert s.spend_musd[i, owned] == pytest.approx(50.0 + moved)
    assert s.spend_musd[i, alt] == pytest.approx(50.0 - moved)
    assert (entry.kind, entry.actor, entry.target, entry.destination) == (EventKind.CAPTIVE_SHIFT, "Owner", "Alt",
                                                                          "Owned")
    assert entry.value_gap == pytest.approx(0.49) and entry.benefit_musd == pytest.approx(0.49 * moved)


def test_the_owner_cuts_work_at_the_owned_vendor_when_its_quality_collapses():
    model = _owner_market(owned_quality=0.1)  # quality gap 0.7 > stake value 0.49: no floor keeps the work
    s, b = model.state, model.behaviour
    i, owned = index(model, "Acquirer", "Owned")
    [entry] = investor_rules.captive_volume(s, b, _review_week(model, "Acquirer"))
    assert s.spend_musd[i, owned] < 50.0
    assert (entry.target, entry.destination) == ("Owned", "Alt")
    assert entry.value_gap == pytest.approx(0.49 - 0.7)


def test_idle_capacity_makes_the_stake_worth_more_than_the_same_work_at_a_full_vendor():
    """With the same quality gap (0.3), the owner fills an idle vendor (margin 1) but not a full one, where
    the work earns only the running margin 1 - operating_cost_ratio."""
    idle, full = _owner_market(owned_quality=0.5), _owner_market(owned_capacity=100.0, owned_quality=0.5)
    [toward] = investor_rules.captive_volume(idle.state, idle.behaviour, _review_week(idle, "Acquirer"))
    [away] = investor_rules.captive_volume(full.state, full.behaviour, _review_week(full, "Acquirer"))
    assert toward.destination == "Owned" and toward.value_gap == pytest.approx(0.49 - 0.3)
    assert away.target == "Owned" and away.value_gap == pytest.approx(0.49 * (1 - full.behaviour.operating_cost_ratio) - 0.3)


def test_the_owner_acts_only_at_its_labs_review_and_not_when_switched_off():
    model = _owner_market()
    s, b = model.state, model.behaviour
    assert investor_rules.captive_volume(s, b, _review_week(model, "Acquirer") + 1) == []
    off = _owner_market(captive_stake_weight=0.0)
    assert investor_rules.captive_volume(off.state, off.behaviour, _review_week(off, "Acquirer")) == []


def _collapse_market(floor: float) -> MarketModel:
    """Owned loses most of its talent at week 2; only the labs' own choice (and the floor) decide."""
    market = build(
        labs={"Acquirer": lab(100.0, {"Owned": 50.0, "Alt": 50.0})},
        vendors={"Owned": vendor(300.0, 0.8, owners={"Owner": {"stake": 0.49, "voting": False}}),
                 "Alt": vendor(300.0, 0.8)},
        investors={"Owner": strategic("Acquirer")},
        events={"exodus": {"kind": "leadership_departure", "week": 2, "vendor": "Owned", "to": "Owner",
                           "talent_share": 0.7}},
        behaviour={**QUIET_VC, "captive_floor": floor}, horizon_weeks=20)
    return run(market)


def test_without_the_floor_the_owners_lab_may_cut_spend_at_the_vendor_it_owns():
    kept, free = _collapse_market(floor=1.0), _collapse_market(floor=0.0)
    i, owned = index(kept, "Acquirer", "Owned")
    assert kept.state.spend_musd[i, owned] >= 50.0 - 1e-9  # the pre-2.0 floor
    assert free.state.spend_musd[i, owned] < 45.0           # P8 is no longer guaranteed by code


# ------------------------------------------------------------------------------------------------ divestment
def _stake_run(paid: float, **behaviour: float) -> MarketModel:
    """Owner buys 49 % of Incumbent (revenue $180M/yr) at week 2 for ``paid``."""
    market = rival_stake_market({"divest_threshold": 0.5, "stake_valuation_multiple": 10.0, **behaviour},
                                voting=False, horizon_weeks=3)
    events = {"stake": {**market.events["stake"].model_dump(), "price_paid_musd": paid}}
    market = build(labs={n: l.model_dump() for n, l in market.labs.items()},
                   vendors={n: v.model_dump() for n, v in market.vendors.items()},
                   investors={n: v.model_dump(exclude_none=True) for n, v in market.investors.items()},
                   events=events, behaviour=market.behaviour.model_dump(), horizon_weeks=3)
    return run(market)


def test_an_owner_keeps_a_stake_worth_what_it_paid_and_sells_one_worth_less_than_the_threshold():
    kept = _stake_run(paid=1000.0)       # 0.49 x 10 x ~$180M = ~$880M > half of $1,000M
    sold = _stake_run(paid=2000.0)       # ~$880M < half of $2,000M
    k, j = 0, index(kept, vendor_name="Incumbent")
    assert kept.state.stake[j, k] == pytest.approx(0.49)
    assert sold.state.stake[j, k] == 0.0 and sold.state.stake_paid_musd[j, k] == 0.0
    [sale] = [e for e in sold.recorder.events if e.kind is EventKind.STAKE_SALE]
    assert sale.stake == pytest.approx(0.49) and sale.paid_musd == 2000.0
    assert sale.stake_value_musd < 0.5 * sale.paid_musd
    assert not [e for e in kept.recorder.events if e.kind is EventKind.STAKE_SALE]


def test_with_divest_threshold_zero_no_stake_is_ever_sold():
    model = _stake_run(paid=2000.0, divest_threshold=0.0)
    assert model.state.stake[index(model, vendor_name="Incumbent"), 0] == pytest.approx(0.49)


def test_the_price_paid_defaults_to_the_cash_the_vendor_receives_and_a_partial_sale_keeps_its_share():
    market = rival_stake_market(horizon_weeks=3)
    events = {"stake": stake_event(2, "Owner", "Incumbent", 0.4, cash_musd=300.0)}
    model = run(build(labs={n: l.model_dump() for n, l in market.labs.items()},
                      vendors={n: v.model_dump() for n, v in market.vendors.items()},
                      investors={"Owner": strategic("Acquirer")}, events=events, horizon_weeks=3))
    s = model.state
    j = index(model, vendor_name="Incumbent")
    assert s.stake_paid_musd[j, 0] == 300.0
    investor_rules.divest(s, 0, j, 0.1)
    assert s.stake_paid_musd[j, 0] == pytest.approx(300.0 * 0.3 / 0.4)


# ------------------------------------------------------------------------------------ funds' own perception
def _fund_market(**behaviour: float) -> MarketModel:
    """Minority is 10 % held by a lab's arm nobody rivals; Plain has no strategic owner; equal inquiries."""
    market = build(
        labs={"Owner lab": lab(100.0, {"Minority": 50.0, "Plain": 50.0}),
              "Buyer": lab(100.0, {"Minority": 50.0, "Plain": 50.0})},
        vendors={"Minority": vendor(200.0, 0.8, owners={"Arm": {"stake": 0.1, "voting": False}}),
                 "Plain": vendor(200.0, 0.8)},
        investors={"Arm": strategic("Owner lab"), "Fund": venture(100.0)},
        behaviour={**QUIET_VC, "fund_own_perception": 1.0, "fund_owner_discount": 2.0, **behaviour})
    return MarketModel(market, rng=1)


def test_funds_see_less_neutrality_where_a_strategic_owner_holds_a_stake_though_labs_do_not():
    model = _fund_market()
    s, b = model.state, model.behaviour
    minority, plain = index(model, vendor_name="Minority"), index(model, vendor_name="Plain")
    labs_view = (s.budget_musd / s.budget_musd.sum()) @ s.perceived_neutrality
    assert labs_view[minority] == pytest.approx(labs_view[plain])  # nobody rivals the owner
    investor_rules.perceive_prospects(s, b)
    assert s.fund_neutrality[minority] == pytest.approx(0.8)
    assert s.fund_neutrality[plain] == 1.0


def test_funds_read_clients_exits_as_news():
    model = _fund_market()
    s, b = model.state, model.behaviour
    i, plain = index(model, "Buyer", "Plain")
    s.withdrawn_musd[i, plain] = 50.0  # churn share 50 / (100 + 50)
    investor_rules.perceive_prospects(s, b)
    anchor = 1.0 - b.fund_news_weight / 3.0
    assert s.fund_neutrality[plain] == pytest.approx(1.0 + b.neutrality_rate_per_week * (anchor - 1.0))


def test_with_own_perception_funds_give_a_partly_lab_owned_vendor_some_appeal_and_growth_adds_to_it():
    model = _fund_market()
    s, b = model.state, model.behaviour
    minority, plain = index(model, vendor_name="Minority"), index(model, vendor_name="Plain")
    s.inquiries_short_ema[:] = 5.0
    _, _, borrowed = investor_rules.sector_heat(s, b.model_copy(update={"fund_own_perception": 0.0}))
    _, _, own = investor_rules.sector_heat(s, b)
    assert borrowed[minority] == 0.0 and own[minority] == pytest.approx(0.8 * 5.0)  # excluded vs discounted
    s.spend_musd[:, plain] *= 1.5  # Plain's revenue grows 50 % above its slow average
    _, _, growing = investor_rules.sector_heat(s, b)
    assert growing[plain] == pytest.approx(own[plain] * (1.0 + b.fund_growth_weight * 0.5))
    assert np.isfinite(growing).all()
