"""Run a scenario headless and return its frames in memory: the Python API behind ``labelmarket run``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from threadpoolctl import threadpool_limits

from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.loader import DEFAULT_SCENARIO, load_scenario
from labelmarket.scenarios.schema import Scenario


@dataclass
class RunResult:
    """The frames of one run, with the resolved scenario and seed that produced them."""

    scenario: Scenario
    seed: int
    weeks: int
    market: pd.DataFrame
    vendors: pd.DataFrame
    allocations: pd.DataFrame
    events: pd.DataFrame
    labs: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"market": self.market, "vendors": self.vendors, "allocations": self.allocations,
                "events": self.events, "labs": self.labs}


def run_scenario(source: str | Path | Scenario = DEFAULT_SCENARIO, seed: int | None = None,
                 weeks: int | None = None, overrides: Mapping[str, Any] | None = None,
                 **keyword_overrides: Any) -> RunResult:
    """Run a scenario to its horizon (or ``weeks``) and return the frames.

    ``overrides`` maps dotted paths to values (``{"events.meta_stake.stake": 0.3}``); keyword overrides use
    ``__`` for the dots (``behaviour__wariness_gain=4.0``). The seed defaults to the scenario's.
    """
    dotted = dict(overrides or {})
    dotted.update({key.replace("__", "."): value for key, value in keyword_overrides.items()})
    scenario = load_scenario(source, dotted or None)
    seed = scenario.meta.seed if seed is None else int(seed)
    with threadpool_limits(limits=1):  # one run is one core's work; BLAS threads only stall under load
        model = MarketModel(scenario, rng=seed, weeks=weeks).run()
    return RunResult(scenario=scenario, seed=seed, weeks=model.horizon_weeks, **model.frames())
