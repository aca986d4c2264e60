"""The runs behind ``[expect.NAME]`` checks, each reduced to the few weekly series the checks read.

A check reads one *probe* (a market metric, a vendor's share or revenue, or a lab's spend at a vendor) of
every run. Each (scenario file, seed) runs once per invocation, however many checks read it (a relative
check's baseline included): the plan merges their probes and runs only as far as the latest week any of them
reads (a shorter run is the exact prefix of a longer one). Runs go to worker processes in batches
on the batch engine, as the validation ensembles do, and come back as a few short numpy arrays.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from labelmarket.experiments.sweep.engines import map_in_order
from labelmarket.scenarios.expectations import LAB_METRICS, VENDOR_METRICS, Expectation
from labelmarket.scenarios.schema import Scenario



@dataclass(frozen=True)
class Probe:
    """One weekly series of a run: a market metric, or a vendor's, or a lab's spend at a vendor."""

    metric: str
    vendor: str | None = None
    lab: str | None = None

    @classmethod
    def of(cls, check: Expectation) -> Probe:
        return cls(check.metric, check.vendor, check.lab)


@dataclass(frozen=True)
class RunKey:
    """A run is named by its scenario file (resolved path) and seed."""

    path: str
    seed: int


@dataclass
class RunRequest:
    """What one run must keep: the probes every check reading it needs, up to the latest week they read."""

    scenario: Scenario
    seed: int
    weeks: int = 0
    probes: set[Probe] = field(default_factory=set)


Series = dict[Probe, np.ndarray]  # probe -> values at model weeks 0..weeks


def reduced_run(request: RunRequest) -> Series:
    """Run the scenario to ``request.weeks`` and keep the requested series (0 for a vendor not yet entered)."""
    from labelmarket.model.runner import run_scenario

    needs_allocations = any(p.metric in LAB_METRICS for p in request.probes)
    record = request.scenario.record.model_copy(update={"allocations": needs_allocations,
                                                        "allocations_every_weeks": 1})
    scenario = request.scenario.model_copy(update={"record": record})
    result = run_scenario(scenario, seed=request.seed, weeks=request.weeks)
    weeks = np.arange(result.weeks + 1)
    market = result.market.set_index("week")
    series: Series = {}
    for probe in request.probes:
        if probe.metric in VENDOR_METRICS:
            rows = result.vendors[result.vendors["vendor"] == probe.vendor]
            values = rows.set_index("week")[VENDOR_METRICS[probe.metric]]
        elif probe.metric in LAB_METRICS:
            frame = result.allocations
            rows = frame[(frame["lab"] == probe.lab) & (frame["vendor"] == probe.vendor)]
            values = rows.set_index("week")[LAB_METRICS[probe.metric]]
        else:
            values = market[probe.metric]
        series[probe] = values.reindex(weeks, fill_value=0.0).to_numpy(dtype=float)
    return series


def _run_batch(batch: list[RunRequest]) -> list[Series]:
    return [reduced_run(request) for request in batch]


class RunCache:
    """The reduced runs of one invocation, planned up front and run on demand, each at most once."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler
        self.plan: dict[RunKey, RunRequest] = {}
        self.series: dict[RunKey, Series] = {}

    def need(self, path: Path, scenario: Scenario, seeds: int, probe: Probe, model_week: int) -> list[RunKey]:
        """Plan seeds 1..``seeds`` of a scenario file to keep ``probe`` up to ``model_week`` at least;
        returns the runs' keys."""
        keys = [RunKey(str(path.resolve()), seed) for seed in range(1, seeds + 1)]
        for key in keys:
            request = self.plan.setdefault(key, RunRequest(scenario, key.seed))
            request.weeks = max(request.weeks, model_week)
            request.probes.add(probe)
        return keys

    def ensure(self, keys: Iterable[RunKey]) -> None:
        """Run every planned key among ``keys`` that has not run yet, on the worker processes."""
        missing = [key for key in dict.fromkeys(keys) if key not in self.series]
        requests = [self.plan[key] for key in missing]
        results = map_in_order(_run_batch, requests, max(1, min(self.workers, len(requests))), self.scheduler)
        self.series.update(zip(missing, results, strict=True))

    def values(self, path: Path, seeds: int, probe: Probe, model_week: int) -> np.ndarray:
        """``probe`` at ``model_week`` in seeds 1..``seeds`` of a scenario file (run first if needed)."""
        keys = [RunKey(str(path.resolve()), seed) for seed in range(1, seeds + 1)]
        self.ensure(keys)
        return np.array([self.series[key][probe][model_week] for key in keys])
