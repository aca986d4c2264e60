"""The classroom run: a market and its no-shock twin, knobs that follow the scenario, week 0, the horizon."""

import numpy as np
import pandas as pd
import pytest

from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios import bundled_scenarios, load_scenario
from labelmarket.scenarios.behaviour import parameter_specs
from labelmarket.viz.interventions import announce_stake, fund_neutral_entrant, issue_assurances
from labelmarket.viz.parameters import is_moved, knob_named, knobs, scenario_value, unused_reason
from labelmarket.viz.run import OWN_VALUES, ClassroomRun


def hhi(model):
    return model.recorder.market_frame().hhi.to_numpy()


def snapped(value, step):
    """What a slider with this step shows (and may send back) for a value."""
    return round(round(value / step) * step, 10)


def test_the_twin_has_the_same_seed_and_no_scheduled_event():
    run = ClassroomRun(seed="3")
    assert run.market.rng.bit_generator.state == run.twin.rng.bit_generator.state
    assert run.market.market_scenario.enabled_events()
    assert run.twin.market_scenario.enabled_events() == []


def test_the_same_seed_replays_the_same_run():
    first, second = ClassroomRun(seed=11), ClassroomRun(seed="11")
    for _ in range(30):
        first.step()
        second.step()
    assert np.array_equal(hhi(first.market), hhi(second.market))


@pytest.mark.parametrize("seed", ["abc", "-3", "1.5"])
def test_a_bad_seed_says_what_to_type(seed):
    with pytest.raises(ValueError, match=f"Seed: '{seed}' is not a whole number of 0 or more; type e.g. 25"):
        ClassroomRun(seed=seed)


def test_knobs_at_the_sliders_snapped_values_change_nothing_and_the_run_is_the_scenarios_own():
    scenario = load_scenario("meta_scale_2025")
    untouched = {knob.name: (scenario_value(knob, scenario) if knob.is_switch
                             else snapped(scenario_value(knob, scenario), knob.step)) for knob in knobs()}
    assert untouched["hiring_rate_per_week"] != scenario.behaviour.hiring_rate_per_week  # the slider snaps it
    run = ClassroomRun("meta_scale_2025", 7, untouched)
    assert run.overrides == {} and run.changed_knobs() == []
    own = MarketModel(scenario, rng=7)
    for _ in range(20):
        run.step()
        own.step()
    pd.testing.assert_frame_equal(run.market.frames()["market"], own.frames()["market"])


def test_a_moved_knob_is_an_override_and_is_reported():
    run = ClassroomRun("meta_scale_2025", 7, {"wariness_gain": 1.2, "voting": True})
    assert run.market.behaviour.wariness_gain == 1.2
    assert run.market.market_scenario.events["meta_stake"].voting is True
    assert run.changed_knobs() == ["Voting stake on", "Wariness after a let-down 1.2"]


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_each_knob_shows_its_scenarios_value_or_why_it_does_nothing(name):
    scenario = load_scenario(name)
    for knob in knobs():
        value, reason = scenario_value(knob, scenario), unused_reason(knob, scenario)
        assert (value is None) == bool(reason), knob.name
        if knob.path.startswith("behaviour."):
            assert value == getattr(scenario.behaviour, knob.path.removeprefix("behaviour."))


def test_the_knobs_follow_the_scenarios_that_change_them():
    assert scenario_value(knob_named("assurance_strength"), load_scenario("strong_assurances")) == 0.95
    assert scenario_value(knob_named("voting"), load_scenario("voting_stake")) is True
    talent = load_scenario("talent_loss_only")
    assert unused_reason(knob_named("stake"), talent) == (
        "Not used in talent_loss_only: no stake is bought in this scenario.")
    run = ClassroomRun("talent_loss_only", settings={"stake": 0.2})
    assert run.overrides == {} and run.changed_knobs() == []  # a knob that does nothing is not a change


def test_the_assurance_knob_sets_the_promise_the_vendor_decides_where_none_is_scheduled():
    """D86: meta_scale_2025 schedules no assurance (Scale AI decides its own); the knob sets that decision's
    strength there, and the scheduled promise's where a scenario has one."""
    knob = knob_named("assurance_strength")
    base, strong = load_scenario("meta_scale_2025"), load_scenario("strong_assurances")
    assert scenario_value(knob, base) == base.behaviour.assurance_decided_strength == 0.5
    assert unused_reason(knob, base) == ""
    assert knob.override(0.9, base) == {"behaviour.assurance_decided_strength": 0.9}
    assert knob.override(0.9, strong) == {"events.strong_assurance.strength": 0.9}
    run = ClassroomRun("meta_scale_2025", settings={"assurance_strength": 0.9})
    assert run.overrides == {"behaviour.assurance_decided_strength": 0.9}
    assert run.market.behaviour.assurance_decided_strength == 0.9


def test_behaviour_knobs_take_range_and_meaning_from_the_definitions():
    specs = {spec.name: spec for spec in parameter_specs()}
    for knob in knobs():
        if knob.path.startswith("behaviour."):
            spec = specs[knob.path.removeprefix("behaviour.")]
            assert (knob.low, knob.high, knob.unit, knob.meaning) == (spec.low, spec.high, spec.unit, spec.meaning)


def test_half_a_step_is_the_line_between_snapped_and_moved():
    scenario = load_scenario("meta_scale_2025")
    knob = knob_named("wariness_gain")
    own = scenario.behaviour.wariness_gain
    assert not is_moved(knob, own + 0.49 * knob.step, scenario)
    assert is_moved(knob, own + knob.step, scenario)


def test_a_comparison_runs_on_the_same_seed_alongside():
    run = ClassroomRun("meta_scale_2025", 5, {"wariness_gain": 1.5}, compare=OWN_VALUES)
    other = ClassroomRun("meta_scale_2025", 5, compare="strong_assurances")
    for _ in range(30):
        run.step()
        other.step()
    own = MarketModel("meta_scale_2025", rng=5)
    for _ in range(30):
        own.step()
    assert np.array_equal(hhi(run.comparison), hhi(own)) and not np.array_equal(hhi(run.market), hhi(own))
    assert other.comparison.market_scenario.meta.name == "strong_assurances"


def test_the_run_stops_exactly_at_the_horizon():
    run = ClassroomRun("toy")
    steps = sum(run.step() for _ in range(run.horizon_weeks + 5))
    assert steps == run.horizon_weeks and run.week == run.horizon_weeks and run.at_end
    assert len(run.market.recorder.market_frame()) == run.horizon_weeks + 1


def test_a_stake_fired_by_hand_in_no_shock_is_week_0_and_the_figures_follow_its_target():
    run = ClassroomRun("no_shock")
    for _ in range(11):
        run.step()
    assert not run.has_shock and run.report_week(run.week) == -15
    announce_stake(run, "Meta Platforms", "Surge AI", 0.49, False)
    assert run.shock_week == 11 and run.report_week(run.week) == 0
    assert run.focus_vendor == "Surge AI"


def test_a_stake_fired_after_the_scheduled_shock_does_not_move_week_0():
    run = ClassroomRun()
    for _ in range(30):
        run.step()
    announce_stake(run, "Meta Platforms", "Surge AI", 0.2, False)
    assert run.shock_week == 26 and run.focus_vendor == "Scale AI"


def test_an_intervention_mid_run_changes_the_trajectory_without_a_reset():
    plain, fired = ClassroomRun(), ClassroomRun()
    for _ in range(10):
        plain.step()
        fired.step()
    announce_stake(fired, "Meta Platforms", "Surge AI", 0.49, True)
    assert fired.week == 10 and np.array_equal(hhi(plain.market), hhi(fired.market))
    for _ in range(20):
        plain.step()
        fired.step()
    assert np.array_equal(hhi(plain.market)[:11], hhi(fired.market)[:11])
    assert not np.allclose(hhi(plain.market)[11:], hhi(fired.market)[11:])
    assert np.array_equal(hhi(plain.twin), hhi(fired.twin))  # the twin stays the no-shock reference


def test_interventions_are_logged_and_remembered_as_the_teachers():
    run = ClassroomRun()
    issue_assurances(run, "Scale AI", 0.8)
    name = fund_neutral_entrant(run)
    assert [i.label for i in run.interventions] == ["assurance", "entrant"]
    events = run.market.recorder.event_frame()
    logged = [events.iloc[i.log_index] for i in run.interventions]
    assert logged[0].kind == "assurance" and logged[1].kind == "entry" and name in logged[1].cause
    assert ((events.kind == "venture_funding") & (events.target == name)).any()  # logged as the event fired
