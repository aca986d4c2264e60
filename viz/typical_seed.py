"""The dashboard's default seed: a run typical of the ensemble, so the lesson's story shows at the first Play.

Rule (docs/teaching.md): over seeds 0 to 29 of the default scenario, take each seed's key outcomes at the
horizon (HHI with the shock and without it, the number of entrants, venture capital committed with the shock
and without it, the shocked vendor's share); scale each outcome's distance from its median by the
interquartile range; the typical seed has the smallest sum of scaled distances. :data:`TYPICAL_SEED` holds the
result (``tests/viz/test_viz_typical_seed.py`` recomputes it). A scenario on the same market (the same labs,
vendors and investors: every bundled counterfactual) opens on the same seed, so replays compare like with
like; any other scenario opens on its own ``meta.seed``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios import DEFAULT_SCENARIO, load_scenario
from labelmarket.scenarios.schema import Scenario

TYPICAL_SEED = 25
ENSEMBLE_SEEDS = range(30)


def key_outcomes(scenario: Scenario, twin: Scenario, seed: int) -> list[float]:
    """The outcomes the lesson talks about, for one seed, at the horizon."""
    shocked, calm = MarketModel(scenario, rng=seed).run(), MarketModel(twin, rng=seed).run()
    market, calm_market = shocked.frames()["market"], calm.frames()["market"]
    target = next(e.vendor for _, e in scenario.enabled_events() if hasattr(e, "vendor"))
    return [float(market.hhi.iloc[-1]), float(calm_market.hhi.iloc[-1]),
            float(shocked.state.n_vendors - len(scenario.vendors)), float(market.vc_committed_musd.sum()),
            float(calm_market.vc_committed_musd.sum()), shocked.market_shares()[target]]


def most_typical_seed(scenario: Scenario, twin: Scenario, seeds=ENSEMBLE_SEEDS) -> int:
    """The seed whose key outcomes are nearest the ensemble's medians (distances scaled by the IQR)."""
    outcomes = np.array([key_outcomes(scenario, twin, seed) for seed in seeds])
    low, median, high = np.percentile(outcomes, [25, 50, 75], axis=0)
    distance = (np.abs(outcomes - median) / np.where(high > low, high - low, 1.0)).sum(axis=1)
    return list(seeds)[int(np.argmin(distance))]


@cache
def _default_market() -> tuple:
    default = load_scenario(DEFAULT_SCENARIO)
    return default.labs, default.vendors, default.investors


def opening_seed(scenario: Scenario) -> int:
    """The seed the dashboard opens a scenario on."""
    same_market = (scenario.labs, scenario.vendors, scenario.investors) == _default_market()
    return TYPICAL_SEED if same_market else scenario.meta.seed
