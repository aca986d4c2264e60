"""The dashboard opens on a seed typical of the ensemble, and the lesson's story holds there."""

import pytest

from labelmarket.scenarios import bundled_scenarios, load_scenario
from labelmarket.viz.run import ClassroomRun, no_shock_overrides
from labelmarket.viz.typical_seed import TYPICAL_SEED, key_outcomes, most_typical_seed, opening_seed


@pytest.mark.slow
def test_the_typical_seed_is_the_one_nearest_the_30_seed_medians():
    scenario = load_scenario("meta_scale_2025")
    assert most_typical_seed(scenario, load_scenario(scenario, no_shock_overrides(scenario))) == TYPICAL_SEED


def test_at_the_typical_seed_the_shock_brings_entrants_venture_capital_and_a_lower_hhi():
    scenario = load_scenario("meta_scale_2025")
    hhi, calm_hhi, entrants, vc, calm_vc, _ = key_outcomes(
        scenario, load_scenario(scenario, no_shock_overrides(scenario)), TYPICAL_SEED)
    assert entrants >= 1 and vc > calm_vc and hhi < calm_hhi


OTHER_MARKETS = {"toy", "appen_2024"}  # bundled scenarios that are not the default market (own seed)


def test_every_scenario_on_the_same_market_opens_on_the_typical_seed():
    for name in bundled_scenarios():
        scenario = load_scenario(name)
        expected = scenario.meta.seed if name in OTHER_MARKETS else TYPICAL_SEED
        assert opening_seed(scenario) == expected, name
    assert ClassroomRun().seed == TYPICAL_SEED and ClassroomRun(seed="5").seed == 5
