"""Invariants of the model 2.0 sellers' and owners' rules on random small markets (hypothesis), with every
behaviour parameter drawn from its declared range, so the mechanisms are on in most examples: prices stay
within their bounds, stakes within [0, 1] with a price paid only for a stake held, vendors' cash moves by
exactly what their sales and assurances cost, and owners' captive shifts move money without creating any."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from test_core_properties import PROFILE, markets

from labelmarket.agents import investor as investor_rules
from labelmarket.agents import vendor as vendor_rules
from labelmarket.model.event_log import EventKind
from labelmarket.model.market_model import MarketModel

SELLERS_PROFILE = settings(PROFILE, max_examples=15)  # three properties on one shared budget of time


@SELLERS_PROFILE
@given(markets())
def test_prices_stay_within_bounds_and_stakes_within_one(scenario):
    model = MarketModel(scenario)
    b = model.behaviour
    first_price: dict[str, float] = {}
    while model.running:
        model.step()
        s = model.state
        for name, price in zip(s.vendor_names, s.price_index):
            p0 = first_price.setdefault(name, float(price))
            assert min(b.price_floor_index, p0) - 1e-12 <= price <= max(b.price_ceiling_index, p0) + 1e-12, name
        assert (s.stake >= 0).all() and (s.stake.sum(axis=1) <= 1 + 1e-9).all()
        assert (s.stake_paid_musd >= 0).all() and (s.stake_paid_musd[s.stake == 0] == 0).all()
        assert ((s.fund_neutrality >= 0) & (s.fund_neutrality <= 1)).all()
        assert np.isfinite(s.client_neutrality_ema).all()


@SELLERS_PROFILE
@given(markets())
def test_vendors_cash_pays_exactly_for_sales_contacts_and_decided_assurances(scenario):
    model = MarketModel(scenario)
    b = model.behaviour
    while model.running:
        model.step()
        s = copy.deepcopy(model.state)
        cash, inquiries = s.cash_musd.copy(), s.inquiries.copy()
        entries = vendor_rules.compete(s, b, np.random.default_rng(model.week), model.week + 1)
        assured = np.zeros(s.n_vendors)
        for e in entries:
            if e.kind is EventKind.VENDOR_ASSURANCE:
                assured[s.vendor_names.index(e.actor)] += e.amount_musd
        spent = (s.inquiries - inquiries) * b.sales_cost_musd_per_contact + assured
        np.testing.assert_allclose(cash - s.cash_musd, spent, atol=1e-9)
        np.testing.assert_allclose(s.spend_musd.sum(axis=1), model.state.spend_musd.sum(axis=1), rtol=1e-12,
                                   atol=1e-9)  # pilots move money between vendors, they create none


@SELLERS_PROFILE
@given(markets())
def test_owners_decisions_move_money_within_capacity_and_never_create_it(scenario):
    model = MarketModel(scenario)
    b = model.behaviour
    while model.running:
        model.step()
        s = copy.deepcopy(model.state)
        before, revenue = s.spend_musd.copy(), s.revenue_musd()
        investor_rules.decide_as_owner(s, b, model.week + 1)
        np.testing.assert_allclose(s.spend_musd.sum(axis=1), before.sum(axis=1), rtol=1e-12, atol=1e-9)
        assert (s.spend_musd >= 0).all()
        grew = s.revenue_musd() > revenue + 1e-9
        assert (s.revenue_musd()[grew] <= np.maximum(s.capacity_musd, revenue)[grew] + 1e-9).all()
