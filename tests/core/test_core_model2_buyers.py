"""Model 2.0, buyers' side: each new rule on a small market or the bundled no-shock market.

Every mechanism here is switched by behaviour parameters whose defaults reproduce the pre-2.0 model; the tests
switch them on and assert the economic outcome (docs/decisions.md D35-D39).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core_markets import QUIET_VC, build, lab, rival_stake_market, run, vendor
from labelmarket.agents import lab as lab_rules
from labelmarket.model.event_log import MOVE_DRIVERS
from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.loader import load_scenario
from labelmarket.scenarios.schema import WORK_SEGMENTS

PRESETS = Path(__file__).resolve().parents[2] / "experiments" / "presets"
PRESET, PRESET_CALM = PRESETS / "model2_buyers.toml", PRESETS / "model2_buyers_no_shock.toml"
REST_ON = {"behaviour.rest_fit_on": 1.0}
NEVER_DUE = 52  # review interval long enough that no routine review falls inside a test


def _largest_move_share(model: MarketModel) -> float:
    """Largest peak-to-trough drop of one lab's spend at one vendor, as a share of the lab's spend then."""
    al = model.frames()["allocations"]
    spend = al.pivot_table(index="week", columns=["lab", "vendor"], values="spend_musd")
    lab_total = al.groupby(["week", "lab"]).spend_musd.sum().unstack()
    drop = spend.cummax() - spend
    return float(np.nanmax(drop.to_numpy() / lab_total[[lab for lab, _ in spend.columns]].to_numpy()))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_market_at_rest_stays_at_rest_with_routine_inquiries(seed):
    """No shock, every buyers' mechanism on (the preset): with the rest fit, no lab moves >= 10 % of its spend in 104 weeks."""
    model = MarketModel(PRESET_CALM, rng=seed, weeks=104).run()
    assert model.frames()["market"]["switched_musd"].sum() < 0.02 * model.frames()["allocations"].query(
        "week == 0").spend_musd.sum()
    assert _largest_move_share(model) < 0.10


def test_without_the_rest_fit_routine_inquiries_move_the_resting_market():
    """The pre-2.0 rule (fit 0 for unused vendors) is what drifts: the switch is what makes the difference."""
    pre_2_0 = load_scenario("no_shock", {"behaviour.rest_fit_on": 0.0, "behaviour.routine_inquiries": 0.3,
                                         "behaviour.segment_fit_weight": 0.0})  # the pre-2.0 rule, set explicitly
    model = MarketModel(pre_2_0, rng=1, weeks=104).run()
    assert _largest_move_share(model) >= 0.10


def test_the_rest_fit_keeps_unused_vendors_below_the_menu_cost_even_when_all_are_considered():
    """Initial state: every lab considering every vendor still wants to move less than the menu cost."""
    from labelmarket.agents import choice
    from labelmarket.agents.lab import vendor_value
    model = MarketModel("no_shock", rng=1, overrides=REST_ON)
    s, b = model.state, model.behaviour
    current = s.spend_musd > 0
    value = vendor_value(b, s.quality, s.trust, s.price_index, s.fit, s.switching_cost, current,
                         s.lab_owned_stake(), s.segment_match() if b.segment_fit_weight else None)  # as the rule
    target = choice.diversified_split(value, np.ones_like(current), b.choice_intensity, b.dependence_aversion)
    placed = s.spend_musd.sum(axis=1)
    wanted = np.maximum(target * placed[:, None] - s.spend_musd, 0.0).sum(axis=1)
    assert (wanted < b.min_move_share * s.budget_musd).all()
    assert (target[~current] > 0).all()  # unused vendors are still options, just not worth a contract change


# ------------------------------------------------------------------------------------------ segments (D36)
def _segment_market(weight: float) -> MarketModel:
    """Mover needs expert work only and buys from Old; Expert and Percept are equally good, have room, and
    differ only in the segments they serve. Mover considers all three and has lost faith in Old."""
    market = build(labs={"Mover": lab(100.0, {"Old": 100.0}, review_interval_weeks=NEVER_DUE,
                                      segments={"expert": 1.0})},
                   vendors={"Old": vendor(300.0, 0.8, serves={"generalist": 1.0, "expert": 1.0}),
                            "Expert": vendor(300.0, 0.8, serves={"expert": 1.0}),
                            "Percept": vendor(300.0, 0.8, serves={"perception": 1.0})},
                   behaviour={**QUIET_VC, "rest_fit_on": 1.0, "segment_fit_weight": weight})
    model = MarketModel(market, rng=1)
    s = model.state
    s.considered[:] = True
    s.trust[0, 0] = 0.05
    s.review_now[0] = True
    return model


def test_moves_go_to_vendors_that_fit_the_work():
    model = _segment_market(weight=1.0)
    lab_rules.decide(model.state, model.behaviour, model.rng, model.week, 1.0)
    spend = model.state.spend_musd[0]
    assert spend[1] > 10 * spend[2]  # the expert vendor takes the work, the perception vendor almost none
    assert spend.sum() + model.state.unplaced_musd[0] == pytest.approx(100.0)


def test_without_segment_fit_both_newcomers_are_alike():
    model = _segment_market(weight=0.0)
    lab_rules.decide(model.state, model.behaviour, model.rng, model.week, 1.0)
    spend = model.state.spend_musd[0]
    assert spend[1] == pytest.approx(spend[2])


def test_old_files_take_segment_defaults_from_kind_and_segment():
    scenario = load_scenario("meta_scale_2025")
    assert scenario.labs["Google"].demand_mix() == {"generalist": 0.6, "expert": 0.4}
    assert scenario.labs["US public sector"].demand_mix()["government"] == pytest.approx(0.7)
    assert scenario.vendors["Mercor"].service() == {"generalist": 0.5, "expert": 1.0}
    s = MarketModel("meta_scale_2025", rng=1).state
    assert np.allclose(s.segment_demand.sum(axis=1), 1.0)


def test_a_segment_demand_change_grows_the_budget_and_the_mix_and_conserves_money():
    market = build(labs={"Buyer": lab(100.0, {"Old": 100.0}, segments={"generalist": 1.0})},
                   vendors={"Old": vendor(300.0, 0.8)},
                   events={"programme": {"kind": "demand_change", "week": 2, "lab": "Buyer", "amount_musd": 50.0,
                                         "segment": "government"}},
                   behaviour=QUIET_VC)
    model = run(market, weeks=3)
    s = model.state
    assert s.budget_musd[0] == pytest.approx(150.0)
    assert s.segment_demand[0, WORK_SEGMENTS.index("government")] == pytest.approx(50.0 / 150.0)
    assert s.spend_musd[0].sum() + s.unplaced_musd[0] == pytest.approx(150.0)
    events = model.frames()["events"]
    row = events[events.kind == "demand_change"].iloc[0]
    assert row.amount_musd == pytest.approx(50.0) and "government" in row.cause


def test_a_demand_cut_shrinks_contracts_pro_rata():
    market = build(labs={"Buyer": lab(100.0, {"A": 60.0, "B": 40.0})},
                   vendors={"A": vendor(300.0, 0.8), "B": vendor(300.0, 0.8)},
                   events={"wave": {"kind": "demand_change", "week": 1, "lab": "Buyer", "factor": 0.5}},
                   behaviour=QUIET_VC)
    model = run(market, weeks=1)
    assert model.state.spend_musd[0] == pytest.approx([30.0, 20.0])


# ------------------------------------------------------------------------------------------ contracts (D37)
def _notice_market(**behaviour: float) -> MarketModel:
    """Mover buys only from Old and has lost faith in it; New is as good and has room."""
    market = build(labs={"Mover": lab(100.0, {"Old": 100.0}, review_interval_weeks=NEVER_DUE)},
                   vendors={"Old": vendor(300.0, 0.8), "New": vendor(300.0, 0.8)},
                   behaviour={**QUIET_VC, "max_move_share": 0.5, "notice_weeks": 4.0, **behaviour})
    model = MarketModel(market, rng=1)
    s = model.state
    s.considered[:] = True
    s.trust[0, 0] = 0.05
    s.review_now[0] = True
    return model


def _money(s) -> float:
    return float(s.spend_musd[0].sum() + s.paused_musd[0].sum() + s.unplaced_musd[0])


def test_a_cut_waits_for_its_notice_and_the_vendor_sees_it():
    from labelmarket.agents import vendor as vendor_rules
    model = _notice_market()
    s, b = model.state, model.behaviour
    entries = lab_rules.decide(s, b, model.rng, 0, 1.0)
    assert s.spend_musd[0, 0] == pytest.approx(100.0) and s.spend_musd[0, 1] == 0.0  # nothing moved yet
    assert s.notice_musd[0, 0] == pytest.approx(50.0)
    assert vendor_rules.revenue_net_of_notice(s)[0] == pytest.approx(50.0)  # Old sees the revenue at risk
    assert entries[0].notice_weeks == 4.0 and "gave notice" in model_cause(entries[0])
    for week in (1, 2, 3):
        lab_rules.serve_notices(s, week)
    assert s.spend_musd[0, 0] == pytest.approx(100.0)
    lab_rules.serve_notices(s, 4)
    lab_rules.place_unplaced(s)
    assert s.spend_musd[0, 0] < 60.0 and s.spend_musd[0, 1] > 40.0  # the money left Old, along the target split
    assert _money(s) == pytest.approx(100.0)


def test_an_alarmed_lab_pauses_at_once_and_holds_the_contract():
    model = _notice_market(pause_on=1.0)
    s, b = model.state, model.behaviour
    lab_rules.decide(s, b, model.rng, 0, 1.0)
    assert s.spend_musd[0, 0] == pytest.approx(50.0)   # Old's revenue stops at once on the paused work
    assert s.paused_musd[0, 0] == pytest.approx(50.0)  # the contract is held...
    assert s.spend_musd[0, 1] == 0.0                   # ...so the money cannot go elsewhere yet
    assert _money(s) == pytest.approx(100.0)
    lab_rules.serve_notices(s, 4)
    assert s.paused_musd[0, 0] == 0.0 and s.unplaced_musd[0] == pytest.approx(50.0)
    assert s.spend_musd[0, 0] == pytest.approx(50.0)


def test_a_vendor_staffs_to_revenue_net_of_notices():
    from labelmarket.agents import vendor as vendor_rules
    calm, warned = _notice_market(), _notice_market()
    warned.state.notice_musd[0, 0] = 80.0
    for model in (calm, warned):
        vendor_rules.staff_to_demand(model.state, model.behaviour)
    assert warned.state.demand_ema_musd[0] < calm.state.demand_ema_musd[0]


def test_without_notice_a_move_takes_effect_at_once():
    model = _notice_market(notice_weeks=0.0)
    lab_rules.decide(model.state, model.behaviour, model.rng, 0, 1.0)
    assert model.state.spend_musd[0, 1] > 40.0 and not model.state.notice_musd.any()


def model_cause(entry) -> str:
    from labelmarket.model.explain import cause
    return cause(entry)


# ----------------------------------------------------------------------------- trust from experience (D38)
def _two_clients(**behaviour: float) -> MarketModel:
    """User buys from Shop; Watcher buys from Other only. Nobody is anybody's rival."""
    market = build(labs={"User": lab(100.0, {"Shop": 100.0}), "Watcher": lab(100.0, {"Other": 100.0})},
                   vendors={"Shop": vendor(300.0, 0.8), "Other": vendor(300.0, 0.8)},
                   behaviour={**QUIET_VC, **behaviour})
    return MarketModel(market, rng=1)


def test_a_client_that_is_let_down_trusts_less_than_an_onlooker():
    model = _two_clients(experience_weight=1.0)
    s = model.state
    s.quality[0] = 0.6  # Shop delivers less than it used to
    anchor = lab_rules.trust_anchor(s, model.behaviour, s.exposure.copy())
    assert anchor[0, 0] == pytest.approx(0.6 - 0.2)  # User: public quality, and its own disappointment
    assert anchor[1, 0] == pytest.approx(0.6)        # Watcher only sees the public quality
    assert s.expected_quality[0, 0] < 0.8 and s.expected_quality[1, 0] == pytest.approx(0.8)


def test_a_lasting_change_stops_surprising():
    model = _two_clients(experience_weight=1.0, experience_rate_per_week=0.2)
    s = model.state
    s.quality[0] = 0.6
    for _ in range(100):
        anchor = lab_rules.trust_anchor(s, model.behaviour, s.exposure.copy())
    assert anchor[0, 0] == pytest.approx(0.6, abs=1e-6)


def test_without_experience_every_lab_reads_the_same_public_quality():
    model = _two_clients()
    s = model.state
    s.quality[0] = 0.6
    anchor = lab_rules.trust_anchor(s, model.behaviour, s.exposure.copy())
    assert anchor[0, 0] == anchor[1, 0]


def test_a_breach_is_remembered_by_the_clients_it_hit_and_caps_their_trust():
    model = MarketModel(rival_stake_market({**QUIET_VC, "breach_weight": 0.5, "breach_memory_weeks": 104.0}), rng=1)
    model.run()  # the rival's stake lands at week 2: Rival's exposure at Incumbent jumps
    s = model.state
    rival, bystander = s.lab_names.index("Rival"), s.lab_names.index("Bystander")
    incumbent = s.vendor_names.index("Incumbent")
    assert s.breach[rival, incumbent] > 0.2
    assert s.breach[bystander, incumbent] == 0.0  # nobody's rival: no exposure, no breach
    s.exposure[:] = 0.0  # even if the exposure vanished (a perfect assurance), the breach still caps trust
    s.perceived_neutrality[:] = 1.0
    anchor = lab_rules.trust_anchor(s, model.behaviour, s.exposure.copy())
    assert anchor[rival, incumbent] < 0.9 * s.quality[incumbent]
    assert anchor[bystander, incumbent] == pytest.approx(s.quality[incumbent])


def test_wariness_is_the_diversification_response_and_its_switch_turns_it_off():
    """A lab let down by one vendor spreads its spend over more vendors when wary (Tomlin 2006)."""
    def split_entropy(gain: float) -> float:
        model = _segment_market(weight=0.0)
        model.behaviour.wariness_gain = gain
        model.state.wariness[0] = 1.0
        lab_rules.decide(model.state, model.behaviour, model.rng, 0, 1.0)
        share = model.state.target_share[0]
        share = share[share > 0]
        return float(-(share * np.log(share)).sum())
    assert split_entropy(4.0) > split_entropy(0.0) + 0.05


# ----------------------------------------------------------------------------------- move drivers (D39)
DRIVER_NAMES = [f"driver_{name}_musd" for name in MOVE_DRIVERS]


def test_a_rival_stake_move_is_driven_by_neutrality_and_its_drivers_sum_to_the_amount():
    model = run(rival_stake_market(QUIET_VC))
    moves = model.frames()["events"].query("kind == 'move' and actor == 'Rival'")
    assert not moves.empty
    first = moves.iloc[0]
    drivers = first[DRIVER_NAMES].astype(float)
    assert drivers.sum() == pytest.approx(first.amount_musd)
    assert drivers.idxmax() == "driver_neutrality_musd"
    assert "routine review" not in first.cause and "neutrality $" in first.cause


def test_a_move_for_better_quality_alone_is_routine_and_names_quality():
    market = build(labs={"Mover": lab(100.0, {"Old": 100.0}, review_interval_weeks=NEVER_DUE)},
                   vendors={"Old": vendor(300.0, 0.8), "New": vendor(300.0, 0.8)},
                   behaviour={**QUIET_VC, "max_move_share": 0.5})
    model = MarketModel(market, rng=1)
    s = model.state
    s.considered[:] = True
    s.quality[1] = 0.95   # New got better; nothing about neutrality changed
    s.trust[0, 1] = 0.95
    s.review_now[0] = True
    entries = lab_rules.decide(s, model.behaviour, model.rng, 0, 1.0)
    from labelmarket.model.explain import cause
    assert len(entries) == 1
    entry = entries[0]
    assert entry.driver_quality_musd > 0.5 * entry.amount_musd
    assert entry.driver_neutrality_musd == 0.0 and entry.driver_wariness_musd == 0.0
    assert "routine review" in cause(entry) and "quality $" in cause(entry)


def test_what_capacity_sends_elsewhere_is_the_capacity_driver():
    market = build(labs={"Mover": lab(100.0, {"Old": 100.0}, review_interval_weeks=NEVER_DUE)},
                   vendors={"Old": vendor(300.0, 0.8), "Small": vendor(10.0, 0.95), "Mid": vendor(300.0, 0.8)},
                   behaviour={**QUIET_VC, "max_move_share": 0.5})
    model = MarketModel(market, rng=1)
    s = model.state
    s.considered[:] = True
    s.trust[0, 0] = 0.05
    s.review_now[0] = True
    entry = lab_rules.decide(s, model.behaviour, model.rng, 0, 1.0)[0]
    overflow_to_mid = s.spend_musd[0, 2]
    assert entry.driver_capacity_musd >= 0.5 * overflow_to_mid > 0
    assert sum(getattr(entry, name) for name in DRIVER_NAMES) == pytest.approx(entry.amount_musd)


# ------------------------------------------------------------------------------ per-kind inputs (item 8)
def test_a_lab_that_omits_an_input_takes_its_kinds_value_and_its_own_value_wins():
    from labelmarket.scenarios.loader import validate_document
    base = {"budget_musd": 10.0, "switching_cost": 0.5, "contracts": {"V": 10.0}}
    doc = {"meta": {"name": "kinds", "horizon_weeks": 4},
           "kinds": {"frontier_lab": {"data_sensitivity": 0.8, "alarm_trust": 0.4, "review_interval_weeks": 6}},
           "labs": {"Shared": dict(base), "Own": {**base, "data_sensitivity": 0.95}},
           "vendors": {"V": {"capacity_musd": 20.0, "quality": 0.8, "cash_musd": 10.0}}}
    scenario = validate_document(doc, "kinds test")
    assert scenario.labs["Shared"].data_sensitivity == 0.8 and scenario.labs["Shared"].review_interval_weeks == 6
    assert scenario.labs["Own"].data_sensitivity == 0.95 and scenario.labs["Own"].alarm_trust == 0.4


def test_inquiries_survive_a_rounding_negative_spend_with_no_routine_scanning():
    """D47: with routine_inquiries = 0, a spend of -1e-16 left by notice arithmetic made the Poisson rate of a
    lab's inquiries negative and crashed the run (found by the ablation of routine inquiries, seed 6)."""
    from labelmarket.model.runner import run_scenario

    result = run_scenario(load_scenario("meta_scale_2025", {"behaviour.routine_inquiries": 0.0}), seed=6)
    assert len(result.market) == 105
