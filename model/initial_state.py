"""Scenario -> initial :class:`MarketState`.

Initial perceived neutrality and trust sit at the levels the initial ownership implies, so nothing moves
until something changes. The alternative-specific constants ("fit") are inverted from the initial contracts
(Berry 1994), so each lab's initial split is the softmax choice it would make: the pre-shock market is at
rest, and every later move has a cause.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents import perception
from labelmarket.agents.vendor import expected_sales_contacts
from labelmarket.agents.lab import routine_inquiry_rate, vendor_value
from labelmarket.model.state import NEVER_WEEK, WEEKS_PER_YEAR, MarketState, rivalry_matrix
from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.schema import WORK_SEGMENTS, Scenario

MIN_REST_SHARE = 1e-9   # floor of an unused vendor's rest share (keeps its fit finite when the menu cost is 0)


def build_state(scenario: Scenario, rng: np.random.Generator) -> MarketState:
    """Arrays for every lab, vendor and investor of the scenario, at their initial values."""
    labs, vendors, investors = scenario.labs, scenario.vendors, scenario.investors
    lab_names, vendor_names, investor_names = list(labs), list(vendors), list(investors)
    L, V, K = len(labs), len(vendors), len(investors)

    column = {name: j for j, name in enumerate(vendor_names)}
    spend = np.zeros((L, V))
    for i, lab in enumerate(labs.values()):
        for vendor, amount in lab.contracts.items():
            spend[i, column[vendor]] = amount
    stake = np.zeros((V, K))
    voting = np.zeros((V, K), dtype=bool)
    for j, vendor in enumerate(vendors.values()):
        for inv, owner in vendor.owners.items():
            stake[j, investor_names.index(inv)] = owner.stake
            voting[j, investor_names.index(inv)] = owner.voting
    segments: list[str] = []
    for v in vendors.values():
        if v.segment not in segments:
            segments.append(v.segment)
    for ev in scenario.events.values():
        seg = getattr(ev, "segment", None)
        if seg is not None and seg not in segments:
            segments.append(seg)

    lab_of = {name: i for i, name in enumerate(lab_names)}
    state = MarketState(
        lab_names=lab_names, vendor_names=vendor_names, investor_names=investor_names,
        budget_musd=np.array([lab.budget_musd for lab in labs.values()]),
        growth_per_week=np.array([(1.0 + lab.growth_per_year) ** (1.0 / WEEKS_PER_YEAR) - 1.0
                                  for lab in labs.values()]),
        data_sensitivity=np.array([lab.data_sensitivity for lab in labs.values()]),
        review_interval_weeks=np.array([lab.review_interval_weeks for lab in labs.values()], dtype=np.int64),
        review_phase_weeks=np.array([int(rng.integers(lab.review_interval_weeks)) for lab in labs.values()],
                                    dtype=np.int64),
        switching_cost=np.array([lab.switching_cost for lab in labs.values()]),
        alarm_trust=np.array([lab.alarm_trust for lab in labs.values()]),
        unplaced_musd=np.array([lab.budget_musd for lab in labs.values()]) - spend.sum(axis=1),
        review_now=np.zeros(L, dtype=bool), wariness=np.zeros(L),
        spend_musd=spend, trust=np.zeros((L, V)), perceived_neutrality=np.ones((L, V)),
        considered=spend > 0, fit=np.zeros((L, V)), target_share=np.zeros((L, V)),
        withdrawn_musd=np.zeros((L, V)), exposure=np.zeros((L, V)),
        rivalry=rivalry_matrix(scenario),
        capacity_musd=np.array([v.capacity_musd for v in vendors.values()]),
        quality=np.array([v.quality for v in vendors.values()]),
        talent=np.array([v.quality for v in vendors.values()]),
        talent_base=np.array([v.quality for v in vendors.values()]),
        price_index=np.array([v.price_index for v in vendors.values()]),
        cash_musd=np.array([v.cash_musd for v in vendors.values()]),
        active=np.ones(V, dtype=bool),
        assurance=np.array([v.neutrality_commitment for v in vendors.values()]),
        loss_weeks=np.zeros(V, dtype=np.int64), growth_ema=np.zeros(V),
        demand_ema_musd=spend.sum(axis=0), refused_musd=np.zeros(V), inquiries=np.zeros(V, dtype=np.int64),
        inquiries_short_ema=np.zeros(V), inquiries_long_ema=np.zeros(V),
        segment=np.array([segments.index(v.segment) for v in vendors.values()], dtype=np.int64),
        stake=stake, voting=voting, departed_talent=np.zeros((V, K)),
        is_strategic=np.array([inv.kind == "strategic" for inv in investors.values()], dtype=bool),
        investor_lab=np.array([lab_of[inv.lab] if inv.lab else -1 for inv in investors.values()], dtype=np.int64),
        capital_musd=np.array([inv.capital_musd for inv in investors.values()]),
        capital_left_musd=np.array([inv.capital_musd for inv in investors.values()]),
        # model 2.0, sellers and owners (set to their resting values in settle_sellers_and_owners)
        client_neutrality_ema=np.ones(V), assurances_issued=np.zeros(V, dtype=np.int64),
        assurance_breaches=np.zeros(V, dtype=np.int64), last_assurance_week=np.full(V, NEVER_WEEK, dtype=np.int64),
        fund_neutrality=np.ones(V), revenue_long_ema_musd=spend.sum(axis=0), stake_paid_musd=np.zeros((V, K)),
        segments=segments,
        segment_demand=np.array([[lab.demand_mix().get(g, 0.0) for g in WORK_SEGMENTS] for lab in labs.values()]),
        segment_service=np.array([[v.service().get(g, 0.0) for g in WORK_SEGMENTS] for v in vendors.values()]),
        notice_musd=np.zeros((L, V)), notice_due_week=np.zeros((L, V), dtype=np.int64), paused_musd=np.zeros((L, V)),
        quality_at_rest=np.array([v.quality for v in vendors.values()]),
        price_at_rest=np.array([v.price_index for v in vendors.values()]),
        expected_quality=np.tile(np.array([v.quality for v in vendors.values()]), (L, 1)), breach=np.zeros((L, V)),
    )
    settle_perceptions(state, scenario)
    settle_sellers_and_owners(state, scenario)
    state.fit = invert_fit(state, scenario)
    placed = spend.sum(axis=1, keepdims=True)
    state.target_share = np.divide(spend, placed, out=np.zeros_like(spend), where=placed > 0)
    state.review_now = placed[:, 0] <= 0
    baseline = routine_inquiry_rate(state, scenario.behaviour) + expected_sales_contacts(state, scenario.behaviour)
    state.inquiries_short_ema, state.inquiries_long_ema = baseline.copy(), baseline.copy()
    return state


def settle_perceptions(state: MarketState, scenario: Scenario) -> None:
    """Start perceived neutrality at 1 - exposure and trust at quality x neutrality (a resting state)."""
    b = scenario.behaviour
    state.exposure = perception.conflict_exposure(
        state.data_sensitivity, state.rivalry, state.stake, state.voting, state.departed_talent,
        state.assurance, stake_weight=b.stake_weight, voting_weight=b.voting_weight,
        talent_weight=b.talent_weight, assurance_efficacy=b.assurance_efficacy)
    state.perceived_neutrality = 1.0 - state.exposure
    state.trust = state.quality[None, :] * state.perceived_neutrality


def settle_sellers_and_owners(state: MarketState, scenario: Scenario) -> None:
    """Start vendors' and owners' memories at rest (model 2.0): a vendor remembers its clients' current
    spend-weighted perceived neutrality, funds see a vendor as neutral as its strategic ownership implies, and an
    initial owner is taken to have paid its stake's value at ``stake_valuation_multiple`` x today's revenue."""
    b = scenario.behaviour
    spend = state.spend_musd
    revenue = spend.sum(axis=0)
    weighted = (spend * state.perceived_neutrality).sum(axis=0)
    state.client_neutrality_ema = np.divide(weighted, revenue, out=np.ones_like(revenue), where=revenue > 0)
    strategic_stake = state.stake[:, state.is_strategic].sum(axis=1)
    state.fund_neutrality = np.clip(1.0 - b.fund_owner_discount * strategic_stake, 0.0, 1.0)
    state.stake_paid_musd = state.stake * b.stake_valuation_multiple * revenue[:, None]


def invert_fit(state: MarketState, scenario: Scenario) -> np.ndarray:
    """(L, V) alternative-specific constants that make each lab's initial split its softmax choice.

    For current vendors: fit = ln(share) / beta - observed value, centred to mean 0 over the lab's vendors, where
    the observed value is ``labelmarket.agents.lab.vendor_value`` without fit, less the dependence aversion
    at the current share (the first-order condition of ``labelmarket.agents.choice.diversified_split``);
    for the others fit = 0, so a newcomer competes on quality, trust, price and (missing) loyalty alone
    (pre-2.0 rule), or, with ``rest_fit_on``, the outside-option fit of :func:`rest_fit_unused`.
    """
    b = scenario.behaviour
    spend = state.spend_musd
    current = spend > 0
    if b.choice_intensity <= 0:
        return np.zeros_like(spend)
    placed = spend.sum(axis=1, keepdims=True)
    share = np.divide(spend, placed, out=np.ones_like(spend), where=placed > 0)
    value = vendor_value(b, state.quality, state.trust, state.price_index, 0.0, state.switching_cost, current,
                         state.lab_owned_stake(), state.segment_match() if b.segment_fit_weight else None)
    observed = value - b.dependence_aversion * share * current
    raw = np.where(current, np.log(np.where(current, share, 1.0)) / b.choice_intensity - observed, 0.0)
    n_current = np.maximum(current.sum(axis=1, keepdims=True), 1)
    centre = raw.sum(axis=1, keepdims=True) / n_current
    if b.rest_fit_on:
        unused = rest_fit_unused(state, b, value, -centre)
        return np.where(current, raw - centre, unused)
    return np.where(current, raw - centre, 0.0)


def rest_fit_unused(state: MarketState, b: Behaviour, value: np.ndarray, level: np.ndarray) -> np.ndarray:
    """(L, V) fit of the vendors a lab does not use that makes the initial state rest under the full decision rule.

    Each unused vendor is an outside option whose fit puts it, in the first-order condition of the diversified
    split, at the rest share t* = rest_share_of_menu_cost x min_move_share x spread_ij
    x exp(-beta x loyalty of the lab), where spread_ij shares it among the unused vendors in proportion to
    exp(beta x segment_fit_weight x (match_ij - 1)) (equal shares when segments play no part): value - aversion t* - ln(t*) / beta = level, the common level of the
    lab's current vendors (Berry 1994 inversion, extended to the outside goods). So even if a lab inquired at
    every vendor it does not use, and even if they became current vendors (with the loyalty bonus), together
    they would draw less than the menu cost (``min_move_share``): routine inquiries do not move a market at rest.
    A lab with no contracts keeps fit 0 (it must place its whole budget anyway).
    """
    spend = state.spend_musd
    current = spend > 0
    # with segments (D36) the unused vendors share the rest share by segment match, as in the logit choice
    match_weight = np.where(current, 0.0, np.exp(b.choice_intensity * b.segment_fit_weight
                                                 * (state.segment_match() - 1.0)))
    spread = match_weight / np.maximum(match_weight.sum(axis=1, keepdims=True), MIN_REST_SHARE)
    loyalty = b.choice_intensity * b.switching_cost_scale * state.switching_cost[:, None]
    menu_cost = max(b.min_move_share, MIN_REST_SHARE)
    rest_share = np.maximum(b.rest_share_of_menu_cost * menu_cost * spread * np.exp(-loyalty), MIN_REST_SHARE)
    fit = level + np.log(rest_share) / b.choice_intensity + b.dependence_aversion * rest_share - value
    return np.where(current.any(axis=1, keepdims=True), fit, 0.0)
