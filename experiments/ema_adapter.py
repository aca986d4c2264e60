"""Let EMA Workbench (Kwakkel 2017) drive labelmarket as a black-box function.

    from ema_workbench import SequentialEvaluator, perform_experiments
    from labelmarket.experiments.ema_adapter import ema_model

    model = ema_model({"events.meta_stake.stake": (0.0, 0.49), "behaviour.contagion_weight": (0.0, 2.0)},
                      outcomes=["final_hhi", "share_week_52"])
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=50)

The function behind the model is the sweep's run function, so the outcomes are exactly the sweep outputs
(``final_<metric>``, ``hhi_below_2500_week``, ``peak_unmet_musd``, ``share_week_N``). It catches every model
error and returns NaN for each outcome: EMA's multiprocessing evaluator waits forever for a run that raised.
EMA names must be Python identifiers, so each dotted path becomes its ``__`` form
(``events__meta_stake__stake``), the same spelling ``run_scenario`` takes as keywords.
``ema-workbench`` is the optional extra ``ema``: ``pip install -e '.[ema]'``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from labelmarket.experiments.sweep.spec import load_sweep
from labelmarket.experiments.sweep.targets import RunFunction, prepare_target

_log = logging.getLogger(__name__)


def ema_name(path: str) -> str:
    """The EMA (identifier) name of a dotted scenario path: dots become ``__``, other symbols ``_``."""
    name = re.sub(r"\W", "_", path.replace(".", "__"))
    return name if not name[0].isdigit() else f"p_{name}"


class BlackBoxRun:
    """A picklable ``f(**experiment) -> {outcome: value}`` for ``ema_workbench.Model``; errors become NaN."""

    def __init__(self, run_point: RunFunction, paths: Mapping[str, str], outcomes: Sequence[str], seed: int) -> None:
        self.run_point = run_point
        self.paths = dict(paths)  # EMA name -> dotted path
        self.outcomes = list(outcomes)
        self.seed = int(seed)

    def __call__(self, **experiment: Any) -> dict[str, float]:
        seed = int(experiment.pop("seed", self.seed))  # a ReplicatorModel passes each replication's seed
        params = {self.paths.get(name, name): value for name, value in experiment.items()
                  if name in self.paths or name in self.paths.values()}
        try:
            record = self.run_point(params, seed)
            return {name: float(record[name]) for name in self.outcomes}
        except Exception as error:  # noqa: BLE001 - EMA hangs if the function raises
            _log.warning("labelmarket run failed for %s (seed %s): %s: %s", params, seed, type(error).__name__, error)
            return {name: math.nan for name in self.outcomes}


def _outputs_for(outcomes: Sequence[str], share_vendor: str | None) -> dict[str, Any]:
    """The sweep outputs that produce these outcome names (``share_week_N`` → N, ``hhi_below_X_week`` → X)."""
    outputs: dict[str, Any] = {"share_weeks": sorted({int(m[1]) for o in outcomes if (m := re.fullmatch(r"share_week_(\d+)", o))})}
    thresholds = {float(m[1]) for o in outcomes if (m := re.fullmatch(r"hhi_below_([\d.]+)_week", o))}
    if len(thresholds) == 1:
        outputs["hhi_threshold"] = thresholds.pop()
    if share_vendor:
        outputs["share_vendor"] = share_vendor
    return outputs


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if len(values) else math.nan


def ema_model(
    parameters: Mapping[str, tuple[float, float]],
    outcomes: Sequence[str] = ("final_hhi", "final_effective_vendors", "peak_unmet_musd", "share_week_52"),
    *,
    scenario: str = "meta_scale_2025",
    seed: int = 0,
    replications: int | None = None,
    weeks: int | None = None,
    share_vendor: str | None = None,
    name: str = "labelmarket",
    run_point: RunFunction | None = None,
) -> Any:
    """An ``ema_workbench.Model`` (or ``ReplicatorModel`` with ``replications`` seeds) over dotted parameters.

    Parameters and bounds are checked against the scenario first, with the sweep's messages. ``run_point``
    replaces the model with any ``run(params, seed) -> dict``.
    """
    from ema_workbench import Model, RealParameter, ReplicatorModel, ScalarOutcome

    document: dict[str, Any] = {
        "name": "ema",
        "scenario": scenario,
        "seed": seed,
        "design": {"method": "lhs", "samples": 2},
        "parameters": {path: {"bounds": [float(low), float(high)]} for path, (low, high) in parameters.items()},
        "outputs": _outputs_for(outcomes, share_vendor),
    }
    if weeks is not None:
        document["weeks"] = weeks
    sweep_file = load_sweep(document, name="ema_model(...)")
    from labelmarket.experiments.sweep.samplers import replicate_seeds

    seeds = replicate_seeds(seed, replications or 1)
    target = prepare_target(sweep_file, run_point, seeds)
    paths = {ema_name(path): path for path in parameters}
    function = BlackBoxRun(target.run_point, paths, outcomes, seeds[0])
    if replications:
        model = ReplicatorModel(name, function=function)
        model.replications = [{"seed": s} for s in seeds]
    else:
        model = Model(name, function=function)
    model.uncertainties = [RealParameter(ema_name(path), float(low), float(high))
                           for path, (low, high) in parameters.items()]
    # A replicated outcome is the mean over the seeds (NaN if any seed failed), as in the sweep analysis.
    reduce = {"function": _mean} if replications else {}
    model.outcomes = [ScalarOutcome(outcome, **reduce) for outcome in outcomes]
    return model
