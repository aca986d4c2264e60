"""Invariants on random small markets (hypothesis): money is conserved, shares sum to 1, stakes stay in
[0, 1], and nothing becomes negative or NaN, week after week, with events at random weeks.

Every behaviour parameter is drawn from its declared range (scenarios.behaviour.parameter_specs), so the
invariants are checked for any calibration, not just the current one. The profile is derandomized, so CI
sees the same examples every run.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelmarket.model.market_model import MarketModel
from labelmarket.model.metrics import revenue_shares
from labelmarket.scenarios.behaviour import parameter_specs
from labelmarket.scenarios.loader import validate_document
from labelmarket.scenarios.schema import Scenario

PROFILE = settings(max_examples=40, deadline=None, derandomize=True, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
REL = 1e-6

# State arrays that are stocks, flows, shares or counts: none may be negative or NaN.
NON_NEGATIVE = ("budget_musd", "unplaced_musd", "spend_musd", "withdrawn_musd", "target_share", "capacity_musd",
                "refused_musd", "demand_ema_musd", "inquiries", "inquiries_short_ema", "inquiries_long_ema",
                "capital_musd", "capital_left_musd", "departed_talent", "stake", "exposure",
                "wariness", "notice_musd", "paused_musd", "expected_quality", "breach")
UNIT_INTERVAL = ("trust", "perceived_neutrality", "quality", "talent", "assurance", "exposure", "stake",
                 "departed_talent", "target_share", "expected_quality", "breach", "segment_demand",
                 "segment_service")


def money(low: float, high: float) -> st.SearchStrategy[float]:
    """A number in [low, high] to 6 decimals: edge values and zero, but no denormal dust (1e-310 $M/yr)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False).map(
        lambda x: min(max(round(x, 6), low), high))


@st.composite
def markets(draw: st.DrawFn) -> Scenario:
    """A random valid market of 1-4 labs, 1-4 vendors, 0-2 strategic arms, 0-2 funds and 0-5 events."""
    labs = [f"Lab {i}" for i in range(draw(st.integers(1, 4)))]
    vendors = [f"Vendor {j}" for j in range(draw(st.integers(1, 4)))]
    arms_of = draw(st.lists(st.sampled_from(labs), max_size=2, unique=True))
    investors = {f"Arm {n}": {"kind": "strategic", "lab": lab} for n, lab in enumerate(arms_of)}
    investors |= {f"Fund {n}": {"kind": "venture", "capital_musd": draw(money(0, 500))}
                  for n in range(draw(st.integers(0, 2)))}
    arms, names = [n for n in investors if n.startswith("Arm")], list(investors)
    horizon = draw(st.integers(1, 16))

    lab_tables = {}
    for name in labs:
        budget = draw(money(0, 500))
        weights = np.array([draw(money(0, 1)) for _ in vendors])
        placed = draw(money(0, 1)) * budget
        contracts = (weights / weights.sum() * placed) if weights.sum() > 0 else np.zeros(len(vendors))
        others = [n for n in labs + names if n != name]
        rivals = {r: draw(money(0, 1)) for r in draw(st.lists(st.sampled_from(others), unique=True))} if others else {}
        lab_tables[name] = {
            "kind": draw(st.sampled_from(["frontier_lab", "enterprise", "public_sector"])),
            "budget_musd": budget, "growth_per_year": draw(money(-0.9, 5.0)), "rivals": rivals,
            "data_sensitivity": draw(money(0, 1)), "review_interval_weeks": draw(st.integers(1, 8)),
            "switching_cost": draw(money(0, 3)), "alarm_trust": draw(money(0, 1)),
            "contracts": {v: float(c) * (1 - 1e-12) for v, c in zip(vendors, contracts) if c > 0}}

    held: dict[tuple[str, str], float] = {}
    vendor_tables = {}
    for name in vendors:
        owners = {}
        if names:
            chosen = draw(st.lists(st.sampled_from(names), unique=True))
            stakes = np.array([draw(money(0, 1)) for _ in chosen])
            if stakes.sum() > 1:
                stakes = stakes / stakes.sum() * 0.999
            owners = {o: {"stake": float(x), "voting": draw(st.booleans())} for o, x in zip(chosen, stakes)}
            held |= {(o, name): float(x) for o, x in zip(chosen, stakes)}
        vendor_tables[name] = {
            "segment": draw(st.sampled_from(["managed_labelling", "expert_network"])),
            "capacity_musd": draw(money(0, 600)), "quality": draw(money(0, 1)), "price_index": draw(money(0.2, 3)),
            "cash_musd": draw(money(0, 300)), "owners": owners, "neutrality_commitment": draw(money(0, 1))}

    events = {}
    for n in range(draw(st.integers(0, 5))):
        week = draw(st.integers(0, horizon))
        kind = draw(st.sampled_from(["ownership_change", "assurance", "leadership_departure", "divestment",
                                     "entry", "demand_change"]))
        target = draw(st.sampled_from(vendors))
        if kind == "ownership_change" and arms:
            # Buyers are strategic arms; a purchase may take a buyer's holding past 100 % (it is capped).
            buyer = draw(st.sampled_from(arms))
            stake = draw(money(0, 1.0))
            held[(buyer, target)] = held.get((buyer, target), 0.0) + stake
            events[f"e{n}"] = {"kind": kind, "week": week, "investor": buyer, "vendor": target, "stake": stake,
                               "voting": draw(st.booleans()), "cash_musd": draw(money(0, 300)),
                               "talent_taken": draw(money(0, 1))}
        elif kind == "assurance":
            events[f"e{n}"] = {"kind": kind, "week": week, "vendor": target, "strength": draw(money(0, 1)),
                               "promise": draw(st.sampled_from(["data_firewall", "non_voting"]))}
        elif kind == "leadership_departure" and arms:
            events[f"e{n}"] = {"kind": kind, "week": week, "vendor": target, "to": draw(st.sampled_from(arms)),
                               "talent_share": draw(money(0, 1))}
        elif kind == "divestment" and names:
            stake = draw(st.none() | money(0, 1))
            event = {"kind": kind, "week": week, "investor": draw(st.sampled_from(names)), "vendor": target}
            events[f"e{n}"] = event if stake is None else {**event, "stake": stake}
        elif kind == "demand_change":  # model 2.0: a budget changes, in all or one segment
            events[f"e{n}"] = {"kind": kind, "week": week, "lab": draw(st.sampled_from(labs)),
                               "factor": draw(money(0, 3)), "amount_musd": draw(money(-200, 200)),
                               "segment": draw(st.none() | st.sampled_from(["generalist", "expert", "perception",
                                                                            "government"]))}
        elif kind == "entry":
            events[f"e{n}"] = {"kind": kind, "week": week, "vendor": f"Entrant {n}",
                               "capacity_musd": draw(money(0, 200)), "quality": draw(money(0, 1)),
                               "cash_musd": draw(money(0, 100))}

    behaviour = {p.name: draw(money(p.low, p.high)) for p in parameter_specs()}
    doc = {"meta": {"name": "random", "horizon_weeks": horizon, "seed": draw(st.integers(0, 2**31))},
           "labs": lab_tables, "vendors": vendor_tables, "investors": investors, "behaviour": behaviour,
           "events": events}
    return validate_document(doc, "random market")


def check_invariants(model: MarketModel) -> None:
    s, week = model.state, model.week
    s.check_shapes()
    # money: each lab's allocations plus its paused and unplaced spend equal its budget
    held = s.spend_musd.sum(axis=1) + s.paused_musd.sum(axis=1) + s.unplaced_musd
    np.testing.assert_allclose(held, s.budget_musd, rtol=REL, atol=1e-9, err_msg=f"week {week}: money")
    # shares sum to 1 over active vendors (when anything is bought), and are 0 elsewhere
    shares = revenue_shares(s.revenue_musd(), s.active)
    if s.revenue_musd()[s.active].sum() > 0:
        assert abs(shares.sum() - 1.0) < 1e-9, f"week {week}: shares sum to {shares.sum()}"
    assert (shares[~s.active] == 0).all()
    assert (s.spend_musd[:, ~s.active] == 0).all(), f"week {week}: spend at a vendor that left"
    # stakes: each in [0, 1], and at most 100 % of a vendor in all
    assert (s.stake.sum(axis=1) <= 1 + 1e-9).all(), f"week {week}: stakes {s.stake}"
    for name in NON_NEGATIVE:
        values = np.asarray(getattr(s, name), dtype=float)
        assert np.isfinite(values).all(), f"week {week}: {name} is not finite: {values}"
        assert (values >= -1e-9).all(), f"week {week}: {name} is negative: {values}"
    for name in UNIT_INTERVAL:
        values = np.asarray(getattr(s, name), dtype=float)
        assert (values <= 1 + 1e-9).all(), f"week {week}: {name} above 1: {values}"
    cash = s.cash_musd
    assert np.isfinite(cash).all() and (cash[s.active] >= 0).all(), f"week {week}: cash {cash}"
    for name in ("fit", "growth_ema", "rivalry"):
        assert np.isfinite(getattr(s, name)).all(), f"week {week}: {name} is not finite"


@PROFILE
@given(markets())
def test_invariants_hold_every_week_in_random_markets(scenario):
    model = MarketModel(scenario)
    check_invariants(model)
    while model.running:
        model.step()
        check_invariants(model)
    frames = model.frames()
    for name in ("market", "vendors", "allocations"):
        numbers = frames[name].select_dtypes("number")
        assert np.isfinite(numbers.to_numpy(dtype=float)).all(), f"{name} frame has NaN or inf"
    assert (frames["vendors"].share >= 0).all()
    assert len(frames["market"]) == scenario.meta.horizon_weeks + 1


@PROFILE
@given(markets(), st.data())
def test_invariants_hold_with_live_events_at_random_weeks(scenario, data):
    from labelmarket.scenarios.schema import Assurance, Divestment, Entry

    model = MarketModel(scenario)
    live_week = data.draw(st.integers(1, scenario.meta.horizon_weeks))
    vendor = data.draw(st.sampled_from(list(scenario.vendors)))
    while model.running:
        model.step()
        if model.week == live_week:
            model.apply(Assurance(kind="assurance", week=0, vendor=vendor, strength=data.draw(money(0, 1))))
            model.apply(Entry(kind="entry", week=0, vendor="Live entrant", capacity_musd=data.draw(money(0, 100)),
                              quality=data.draw(money(0, 1)), cash_musd=data.draw(money(0, 50))))
            if scenario.investors:
                model.apply(Divestment(kind="divestment", week=0, vendor=vendor,
                                       investor=data.draw(st.sampled_from(list(scenario.investors)))))
        check_invariants(model)
