"""Rules of 'Labs decide' and 'Budgets grow' in the model (agents/lab.py), on small pinned markets."""

from __future__ import annotations

import numpy as np
import pytest

from labelmarket.agents import lab as lab_rules
from core_markets import QUIET_VC, build, index, lab, rival_stake_market, run, series, strategic, vendor
from labelmarket.model.market_model import MarketModel

NEVER_DUE = 52  # review interval long enough that no routine review falls inside a test


def _capacity_market(**behaviour: float) -> MarketModel:
    """Mover buys only from Old; Small is better but has 10 $M/yr of room; Mover considers both."""
    market = build(labs={"Mover": lab(100.0, {"Old": 100.0}, review_interval_weeks=NEVER_DUE)},
                   vendors={"Old": vendor(300.0, 0.8), "Small": vendor(10.0, 0.95)},
                   behaviour={**QUIET_VC, "max_move_share": 0.5, **behaviour})
    model = MarketModel(market, rng=1)
    s = model.state
    s.considered[:] = True
    s.trust[0, 0] = 0.05  # Mover has lost faith in Old: it wants most of its budget elsewhere
    s.review_now[0] = True
    return model


def test_capacity_caps_a_move():
    model = _capacity_market()
    model.log(lab_rules.decide(model.state, model.behaviour, model.rng, model.week,
                               model.market_scenario.record.decisions_min_musd))
    s = model.state
    assert s.spend_musd[0, 1] == pytest.approx(10.0)  # all the room Small had, and no more
    assert s.revenue_musd()[1] <= s.capacity_musd[1] + 1e-9
    assert s.refused_musd[1] > 0  # the refused increase is the demand signal Small hires toward
    assert s.spend_musd[0].sum() + s.unplaced_musd[0] == pytest.approx(s.budget_musd[0])


def test_a_vendor_that_receives_overflow_records_no_refusal():
    market = build(labs={"Mover": lab(100.0, {"Old": 100.0}, review_interval_weeks=NEVER_DUE)},
                   vendors={"Old": vendor(300.0, 0.8), "Small": vendor(10.0, 0.95), "Roomy": vendor(300.0, 0.9)},
                   behaviour={**QUIET_VC, "max_move_share": 0.5})
    model = MarketModel(market, rng=1)
    s = model.state
    s.considered[:] = True
    s.trust[0, 0] = 0.05
    s.review_now[0] = True
    model.log(lab_rules.decide(model.state, model.behaviour, model.rng, model.week,
                               model.market_scenario.record.decisions_min_musd))
    assert s.spend_musd[0, 1] == pytest.approx(10.0) and s.spend_musd[0, 2] > 0.0
    assert s.refused_musd[1] > 0.0
    assert s.refused_musd[0] == 0.0 and s.refused_musd[2] == 0.0  # overflow it received is no refusal


def test_the_refused_part_of_a_move_counts_as_blocked_and_unmet():
    model = _capacity_market()
    model.log(lab_rules.decide(model.state, model.behaviour, model.rng, model.week,
                               model.market_scenario.record.decisions_min_musd))
    s = model.state
    assert s.spend_musd[0, 0] == pytest.approx(90.0)  # what found no room stays where it was
    assert s.switched_musd == pytest.approx(10.0)
    assert s.blocked_musd == pytest.approx(s.refused_musd.sum()) and s.blocked_musd > 30.0


def test_switched_spend_is_the_spend_that_changed_vendor():
    model = _capacity_market()
    before = model.state.spend_musd.copy()
    model.log(lab_rules.decide(model.state, model.behaviour, model.rng, model.week,
                               model.market_scenario.record.decisions_min_musd))
    gained = np.maximum(model.state.spend_musd - before, 0.0).sum()
    assert model.state.switched_musd == pytest.approx(gained)
    moves = model.frames()["events"].query("kind == 'move'")
    assert not any(f"from {v} to {v}" in cause for v in ("Old", "Small") for cause in moves.cause)


# --------------------------------------------------------------------------------------- switching cost
def _first_week_below(spend: np.ndarray, level: float) -> int:
    below = np.flatnonzero(spend < level)
    return int(below[0]) if below.size else len(spend)


def _loyalty_market(switching_cost: float):
    return build(
        labs={"Loyal": lab(100.0, {"Home": 100.0}, {"Acquirer": 1.0}, switching_cost=switching_cost,
                           review_interval_weeks=2),
              "Acquirer": lab(50.0, {"Home": 25.0, "Away": 25.0})},
        vendors={"Home": vendor(200.0, 0.8), "Away": vendor(200.0, 0.8), "Elsewhere": vendor(200.0, 0.8)},
        investors={"Owner": strategic("Acquirer")},
        events={"stake": {"kind": "ownership_change", "week": 2, "investor": "Owner", "vendor": "Home",
                          "stake": 0.3, "voting": False}},
        behaviour={**QUIET_VC, "routine_inquiries": 5.0, "max_move_share": 1.0,
                   "min_move_share": 0.0, "wariness_gain": 0.0}, horizon_weeks=20)


def test_the_loyalty_bonus_delays_switching():
    costs = (0.0, 0.5, 1.0, 1.5)
    spend = {cost: series(run(_loyalty_market(cost)).frames()["allocations"], "spend_musd",
                          lab="Loyal", vendor="Home") for cost in costs}
    kept_at_first_review = [spend[cost][2] for cost in costs]
    assert np.all(np.diff(kept_at_first_review) > 5.0)  # a higher switching cost keeps more at home...
    assert _first_week_below(spend[0.0], 50.0) < _first_week_below(spend[1.5], 50.0)  # ...for longer


# ------------------------------------------------------------------------------------------- inquiries
def _inquiry_market(routine: float, search: float):
    return build(
        labs={"Buyer": lab(100.0, {"Home": 100.0}, {"Acquirer": 1.0}, review_interval_weeks=2),
              "Acquirer": lab(50.0, {"Home": 50.0})},
        vendors={"Home": vendor(400.0, 0.8), "Better": vendor(400.0, 0.95), "Also": vendor(400.0, 0.9)},
        investors={"Owner": strategic("Acquirer")},
        events={"stake": {"kind": "ownership_change", "week": 2, "investor": "Owner", "vendor": "Home",
                          "stake": 0.49, "voting": True}},
        behaviour={**QUIET_VC, "routine_inquiries": routine, "search_breadth": search}, horizon_weeks=30)


def test_a_lab_that_makes_no_inquiries_never_moves_to_a_new_vendor():
    model = run(_inquiry_market(routine=0.0, search=0.0))
    frames = model.frames()
    assert frames["vendors"].inquiries.sum() == 0
    allocations = frames["allocations"]
    new = allocations[(allocations.lab == "Buyer") & allocations.vendor.isin(["Better", "Also"])]
    assert new.spend_musd.max() == 0.0
    assert series(allocations, "trust", lab="Buyer", vendor="Home")[-1] < 0.4  # it had every reason to


def test_inquiries_are_recorded_per_vendor_and_week_and_only_inquired_or_current_vendors_get_spend():
    model = MarketModel(_inquiry_market(routine=1.0, search=10.0), rng=4)
    current = model.state.spend_musd > 0
    seen = []
    while model.running:
        model.step()
        s = model.state
        seen.append(s.inquiries.copy())
        assert not ((s.spend_musd > 0) & ~(s.considered | current)).any()
    vendors = model.frames()["vendors"]
    recorded = vendors[vendors.week >= 1].pivot(index="week", columns="vendor", values="inquiries")
    np.testing.assert_array_equal(recorded[model.state.vendor_names].to_numpy(), np.array(seen))
    assert recorded[["Better", "Also"]].to_numpy().sum() > 0
    assert vendors.inquiries.dtype.kind == "i"


def test_dissatisfaction_raises_inquiries():
    calm = run(_inquiry_market(routine=0.5, search=10.0), weeks=1).frames()["vendors"].inquiries.sum()
    shocked = run(_inquiry_market(routine=0.5, search=10.0)).frames()["vendors"]
    assert shocked[shocked.week.between(3, 12)].inquiries.sum() > 5 * max(calm, 1)


# ------------------------------------------------------------------------------------------------ alarm
def _alarm_model(alarm_trust: float) -> MarketModel:
    market = rival_stake_market(behaviour={"routine_inquiries": 3.0}, week=2,
                                alarm_trust=alarm_trust, review_interval_weeks=NEVER_DUE)
    model = MarketModel(market, rng=2)
    model.state.review_phase_weeks[index(model, "Rival")] = NEVER_DUE - 40  # first routine review: week 40
    return model.run()


def test_alarm_triggers_an_immediate_review():
    alarmed, calm = _alarm_model(alarm_trust=0.5), _alarm_model(alarm_trust=0.0)
    moves = {name: m.frames()["events"].query("kind == 'move' and actor == 'Rival'") for name, m in
             (("alarmed", alarmed), ("calm", calm))}
    assert len(moves["alarmed"]) >= 1 and moves["alarmed"].week.min() <= 10
    assert moves["calm"].empty  # the same fall in trust, without an alarm, waits for the routine review
    spend = series(alarmed.frames()["allocations"], "spend_musd", lab="Rival", vendor="Incumbent")
    assert spend[10] < spend[1] - 10.0


# ------------------------------------------------------------------------------------------- budgets
def test_budgets_grow_at_each_labs_rate_and_new_money_is_placed():
    market = build(labs={"Growing": lab(100.0, {"A": 60.0, "B": 40.0}, growth_per_year=0.5),
                         "Shrinking": lab(100.0, {"A": 50.0, "B": 50.0}, growth_per_year=-0.2),
                         "Flat": lab(80.0, {"B": 80.0})},
                   vendors={"A": vendor(250.0), "B": vendor(250.0)}, behaviour=QUIET_VC, horizon_weeks=52)
    model = run(market)
    s = model.state
    np.testing.assert_allclose(s.budget_musd, [150.0, 80.0, 80.0], rtol=1e-9)
    np.testing.assert_allclose(s.spend_musd.sum(axis=1) + s.unplaced_musd, s.budget_musd, rtol=1e-9)
    assert s.unplaced_musd[0] < 1.0  # the new money found room


# ---------------------------------------------------------------------------------------- captive demand
def _owner_spend(stake: float) -> np.ndarray:
    market = rival_stake_market(behaviour={"routine_inquiries": 2.0}, week=2, stake=stake, horizon_weeks=40)
    return series(run(market, seed=5).frames()["allocations"], "spend_musd", lab="Acquirer", vendor="Incumbent")


def test_captive_demand_steers_the_owners_lab_toward_the_vendor_it_owns():
    owned, not_owned = _owner_spend(0.49), _owner_spend(0.0)
    assert np.all(owned[2:] >= not_owned[2:] - 1e-9)
    assert owned[-1] > not_owned[-1] + 2.0


def test_the_strategic_owners_lab_does_not_cut_spend_at_the_vendor_it_owns():
    owner = _owner_spend(0.49)
    assert np.all(np.diff(owner[2:]) >= -1e-9)
