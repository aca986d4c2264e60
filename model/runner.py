"""Run a scenario headless and return its frames in memory: the Python API behind ``labelmarket run``, and the
batch of runs that ensembles hand to each worker (:func:`run_batch`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

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


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: a scenario (name, path or validated scenario), a seed, dotted overrides, a horizon."""

    source: str | Path | Scenario
    seed: int
    overrides: Mapping[str, Any] = field(default_factory=dict)
    weeks: int | None = None


Reduced = TypeVar("Reduced")


def run_batch(specs: list[RunSpec], reduce: Callable[[MarketModel, RunSpec], Reduced] | None = None,
              record: str = "full") -> list[Reduced] | list[RunResult]:
    """Run a batch of runs one after the other, each reduced as soon as it ends (docs/decisions.md, D71).

    Every run is built and stepped by the same code as a single run, on its own generator and state, so a run's
    numbers do not depend on the batch it is in (tests/perf/test_batch_equivalence.py). ``record`` is the
    recording level (``labelmarket.model.recorder``); ``reduce(model, spec)`` keeps what the caller needs (by
    default, at the ``full`` level, the run's frames as a :class:`RunResult`). The numerical libraries get one
    thread for the whole batch: one run is one core's work.
    """
    if reduce is None and record != "full":
        raise ValueError(f"a batch recorded at level {record!r} needs a reduce function: its runs have no full frames")
    reduce = reduce or _result
    out = []
    with threadpool_limits(limits=1):
        for spec in specs:
            scenario = load_scenario(spec.source, dict(spec.overrides) or None)
            model = MarketModel(scenario, rng=int(spec.seed), weeks=spec.weeks, record=record).run()
            out.append(reduce(model, spec))
    return out


def _result(model: MarketModel, spec: RunSpec) -> RunResult:
    return RunResult(scenario=model.market_scenario, seed=int(spec.seed), weeks=model.horizon_weeks, **model.frames())
