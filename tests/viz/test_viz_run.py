"""The classroom run: a market and its no-shock twin, knobs from the parameter definitions, interventions."""

import inspect

import numpy as np
import pytest

from labelmarket.scenarios import load_scenario
from labelmarket.scenarios.behaviour import parameter_specs
from labelmarket.viz.interventions import announce_stake, fund_neutral_entrant, issue_assurances
from labelmarket.viz.parameters import knobs, model_params
from labelmarket.viz.run import ClassroomRun


def hhi(model):
    return model.recorder.market_frame().hhi.to_numpy()


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


def test_a_bad_seed_says_what_to_type():
    with pytest.raises(ValueError, match="Seed: 'abc' is not a whole number; type e.g. 7"):
        ClassroomRun(seed="abc")


def test_every_knob_is_a_keyword_of_the_run():
    keywords = list(inspect.signature(ClassroomRun.__init__).parameters)[3:]
    assert keywords == [knob.name for knob in knobs()]
    assert set(model_params()) == {"scenario_name", "seed", *keywords}


def test_behaviour_knobs_take_range_default_and_meaning_from_the_definitions():
    specs = {spec.name: spec for spec in parameter_specs()}
    calibrated = load_scenario("meta_scale_2025").behaviour
    for knob in knobs():
        if knob.path.startswith("behaviour."):
            spec = specs[knob.path.removeprefix("behaviour.")]
            assert (knob.low, knob.high, knob.unit, knob.meaning) == (spec.low, spec.high, spec.unit, spec.meaning)
            assert knob.default == getattr(calibrated, spec.name)
            param = model_params()[knob.name]
            assert (param["min"], param["max"], param["value"]) == (spec.low, spec.high, knob.default)


def test_shock_knobs_start_at_the_scenarios_event_and_follow_the_chosen_scenario():
    stake = next(knob for knob in knobs() if knob.name == "stake")
    assert stake.default == 0.49
    assert ClassroomRun("toy").market.market_scenario.events["alpha_stake"].stake == 0.45  # left alone
    assert ClassroomRun("toy", stake=0.2).market.market_scenario.events["alpha_stake"].stake == 0.2


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
