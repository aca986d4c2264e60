"""Vendor rules (agents/vendor.py): hiring, layoffs, quality from talent, growth dilution, cash and exit."""

from __future__ import annotations

import numpy as np
import pytest

from labelmarket.agents import vendor as vendor_rules
from core_markets import QUIET_VC, build, index, lab, run, series, vendor
from labelmarket.model.market_model import MarketModel

RATE, RAMP, COST = 0.01, 2.0, 0.15


def _model(**behaviour: float) -> MarketModel:
    """Busy has more clients than room; Idle has room and no clients."""
    market = build(labs={"Buyer": lab(200.0, {"Busy": 100.0, "Other": 100.0})},
                   vendors={"Busy": vendor(100.0, 0.8, cash=50.0), "Idle": vendor(100.0, 0.8, cash=500.0),
                            "Other": vendor(120.0, 0.8)},
                   behaviour={**QUIET_VC, "hiring_rate_per_week": RATE, "hiring_ramp_musd_per_week": RAMP,
                              "hiring_cost_musd_per_musd": COST, "layoff_after_weeks": 6.0,
                              "layoff_rate_per_week": 0.05, "talent_recovery_rate_per_week": 0.05,
                              "growth_dilution": 2.0, **behaviour})
    return MarketModel(market, rng=1)


def test_hiring_is_rate_limited_and_costs_cash():
    model = _model()
    s = model.state
    j = index(model, vendor_name="Busy")
    s.refused_musd[j] = 500.0  # clients asked for far more than Busy can deliver
    capacity, cash = s.capacity_musd[j], s.cash_musd[j]
    vendor_rules.staff_to_demand(model.state, model.behaviour)
    hired = s.capacity_musd[j] - capacity
    assert hired == pytest.approx(RATE * capacity + RAMP)  # as fast as it may, and no faster
    assert s.cash_musd[j] == pytest.approx(cash - COST * hired)


def test_a_vendor_without_cash_cannot_hire():
    model = _model()
    s = model.state
    j = index(model, vendor_name="Busy")
    s.refused_musd[j], s.cash_musd[j] = 500.0, 0.0
    capacity = s.capacity_musd[j]
    vendor_rules.staff_to_demand(model.state, model.behaviour)
    assert s.capacity_musd[j] == capacity
    assert s.cash_musd[j] == 0.0


def test_layoffs_come_only_after_the_loss_streak():
    model = _model()
    s = model.state
    j = index(model, vendor_name="Idle")  # no revenue: every week is a loss
    capacity = [s.capacity_musd[j]]
    for _ in range(8):
        vendor_rules.staff_to_demand(model.state, model.behaviour)
        capacity.append(s.capacity_musd[j])
    assert capacity[:6] == [100.0] * 6  # five loss-making weeks: no layoff yet
    assert capacity[6] == pytest.approx(95.0)  # the sixth: 5 % of capacity goes
    assert capacity[7] == pytest.approx(95.0 * 0.95)


def test_a_profitable_vendor_never_lays_off():
    model = _model()
    s = model.state
    j = index(model, vendor_name="Busy")
    for _ in range(20):
        vendor_rules.staff_to_demand(model.state, model.behaviour)
        assert s.loss_weeks[j] == 0
    assert s.capacity_musd[j] >= 100.0


def test_talent_loss_drops_quality_and_it_recovers_slowly():
    model = _model()
    s = model.state
    j = index(model, vendor_name="Other")
    vendor_rules.lose_talent(model.state, j, 0.25, None)
    vendor_rules.update_quality(model.state, model.behaviour)
    quality = [s.quality[j]]
    for _ in range(30):
        vendor_rules.update_quality(model.state, model.behaviour)
        quality.append(s.quality[j])
    gap = 0.8 - np.array(quality)
    assert quality[0] < 0.8 * 0.75 + 0.05 * 0.2 + 1e-9  # the loss shows at once
    assert np.all(np.diff(quality) > 0)  # then it climbs back...
    np.testing.assert_allclose(gap[1:] / gap[:-1], 0.95)  # ...closing 5 % of the gap a week
    assert quality[-1] < 0.8 - 0.01


def test_fast_growth_dilutes_quality():
    model = _model()
    s = model.state
    s.growth_ema[:] = [0.05, 0.0, -0.05]
    vendor_rules.update_quality(model.state, model.behaviour)
    assert s.quality[0] == pytest.approx(0.8 * (1 - 2.0 * 0.05))
    assert s.quality[1] == pytest.approx(0.8)
    assert s.quality[2] == pytest.approx(0.8)  # shrinking does not dilute


def test_in_the_model_rapid_hiring_dilutes_quality_and_steady_state_does_not():
    market = build(labs={"Buyer": lab(400.0, {"Small": 50.0, "Big": 350.0})},
                   vendors={"Small": vendor(50.0, 0.8), "Big": vendor(500.0, 0.8)},
                   behaviour={**QUIET_VC, "hiring_rate_per_week": 0.05, "growth_dilution": 2.0})
    model = MarketModel(market, rng=1)
    model.state.refused_musd[0] = 200.0  # a burst of demand at Small
    model.state.demand_ema_musd[0] = 250.0
    model.run()
    quality = series(model.frames()["vendors"], "quality", vendor="Small")
    assert quality.min() < 0.79
    assert series(model.frames()["vendors"], "quality", vendor="Big").min() == pytest.approx(0.8)


def test_cash_follows_the_margin():
    model = _model(operating_cost_ratio=0.8)
    s = model.state
    revenue = s.revenue_musd()
    cash = s.cash_musd.copy()
    vendor_rules.book_cash(model.state, model.behaviour)
    np.testing.assert_allclose(s.cash_musd - cash, (revenue - 0.8 * s.capacity_musd) / 52.0)


def test_a_vendor_with_no_cash_exits_and_its_clients_spend_becomes_unplaced():
    model = _model()
    s = model.state
    j = index(model, vendor_name="Busy")
    i = index(model, "Buyer")
    s.cash_musd[j] = -0.01
    orphaned = s.spend_musd[i, j]
    model.log(vendor_rules.exit_if_insolvent(model.state))
    assert not s.active[j]
    assert s.spend_musd[:, j].sum() == 0.0 and s.capacity_musd[j] == 0.0
    assert s.unplaced_musd[i] == pytest.approx(orphaned)
    assert s.review_now[i]
    assert s.active[index(model, vendor_name="Other")]
    exits = model.frames()["events"].query("kind == 'exit'")
    assert list(exits.actor) == ["Busy"] and exits.amount_musd.iloc[0] == pytest.approx(orphaned)


def test_after_an_exit_the_clients_move_and_no_money_is_lost():
    market = build(labs={"Buyer": lab(200.0, {"Doomed": 100.0, "Safe": 100.0}),
                         "Other": lab(100.0, {"Safe": 100.0})},
                   vendors={"Doomed": vendor(400.0, 0.8, cash=1.0), "Safe": vendor(450.0, 0.8)},
                   behaviour=QUIET_VC, horizon_weeks=12)
    model = run(market)
    s = model.state
    frames = model.frames()
    assert frames["events"].query("kind == 'exit'").actor.tolist() == ["Doomed"]
    assert s.spend_musd[:, 0].sum() == 0.0
    np.testing.assert_allclose(s.spend_musd.sum(axis=1) + s.unplaced_musd, s.budget_musd)
    assert s.unplaced_musd[0] < 1.0  # its spend found room at the vendor that is left
    vendors = frames["vendors"]
    final = vendors[vendors.week == 12]
    assert final.share.sum() == pytest.approx(1.0)
    assert final.set_index("vendor").loc["Doomed", "share"] == 0.0
