"""Model 2.0, buyers' side: each new rule on a small market or the bundled no-shock market.

Every mechanism here is switched by behaviour parameters whose defaults reproduce the pre-2.0 model; the tests
switch them on and assert the economic outcome (docs/decisions.md D35-D39).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labelmarket.model.market_model import MarketModel

PRESETS = Path(__file__).resolve().parents[2] / "scenarios" / "presets"
PRESET, PRESET_CALM = PRESETS / "model2_buyers.toml", PRESETS / "model2_buyers_no_shock.toml"
REST_ON = {"behaviour.rest_fit_on": 1.0}


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
    model = MarketModel("no_shock", rng=1, weeks=104).run()
    assert _largest_move_share(model) >= 0.10


def test_the_rest_fit_keeps_unused_vendors_below_the_menu_cost_even_when_all_are_considered():
    """Initial state: every lab considering every vendor still wants to move less than the menu cost."""
    from labelmarket.agents import choice
    from labelmarket.agents.lab import vendor_value
    model = MarketModel("no_shock", rng=1, overrides=REST_ON)
    s, b = model.state, model.behaviour
    current = s.spend_musd > 0
    value = vendor_value(b, s.quality, s.trust, s.price_index, s.fit, s.switching_cost, current,
                         s.lab_owned_stake())
    target = choice.diversified_split(value, np.ones_like(current), b.choice_intensity, b.dependence_aversion)
    placed = s.spend_musd.sum(axis=1)
    wanted = np.maximum(target * placed[:, None] - s.spend_musd, 0.0).sum(axis=1)
    assert (wanted < b.min_move_share * s.budget_musd).all()
    assert (target[~current] > 0).all()  # unused vendors are still options, just not worth a contract change
