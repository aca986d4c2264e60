"""Let EMA Workbench (Kwakkel 2017) drive labelmarket as a black-box function.

    from ema_workbench import SequentialEvaluator, perform_experiments
    from labelmarket.experiments.ema_adapter import ema_model

    model = ema_model({"events.meta_stake.stake": (0.0, 0.49), "behaviour.wariness_gain": (0.0, 6.0)},
                      outcomes=["final_hhi", "share_week_52"])
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=50)

The function behind the model is the sweep's run function, so the outcomes are exactly the sweep outputs
(``final_<metric>``, ``final_share``, the post-shock totals, ``hhi_below_2500_week``, ``<lab>_halved_week``,
``share_week_N``); ``<metric>_weekly`` (e.g. ``hhi_weekly``) is a time-series outcome, the weekly market metric.
Outcome names are checked before anything runs. Parameters are a range ``(low, high)`` (floats: real; whole
numbers: integer), or a list of values (categorical; ``[True, False]``: boolean). It catches every model error
and returns NaN for each outcome: EMA's multiprocessing evaluator waits forever for a run that raised.
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

from labelmarket.experiments.sweep.outputs import TOTALS, WEEKLY_KEY, halved_name
from labelmarket.experiments.sweep.spec import MARKET_METRICS, SweepError, load_sweep
from labelmarket.experiments.sweep.targets import RunFunction, prepare_target

_log = logging.getLogger(__name__)


def ema_name(path: str) -> str:
    """The EMA (identifier) name of a dotted scenario path: dots become ``__``, other symbols ``_``."""
    name = re.sub(r"\W", "_", path.replace(".", "__"))
    return name if not name[0].isdigit() else f"p_{name}"


class BlackBoxRun:
    """A picklable ``f(**experiment) -> {outcome: value}`` for ``ema_workbench.Model``; errors become NaN.

    A ``<metric>_weekly`` outcome is the weekly market metric as an array (a time-series outcome).
    """

    def __init__(self, run_point: RunFunction, paths: Mapping[str, str], outcomes: Sequence[str], seed: int) -> None:
        self.run_point = run_point
        self.paths = dict(paths)  # EMA name -> dotted path
        self.outcomes = list(outcomes)
        self.seed = int(seed)

    def __call__(self, **experiment: Any) -> dict[str, Any]:
        seed = int(experiment.pop("seed", self.seed))  # a ReplicatorModel passes each replication's seed
        params = {self.paths.get(name, name): _plain(value) for name, value in experiment.items()
                  if name in self.paths or name in self.paths.values()}
        try:
            record = self.run_point(params, seed)
            return {name: self._outcome(record, name) for name in self.outcomes}
        except Exception as error:  # noqa: BLE001 - EMA hangs if the function raises
            _log.warning("labelmarket run failed for %s (seed %s): %s: %s", params, seed, type(error).__name__, error)
            return {name: math.nan for name in self.outcomes}

    @staticmethod
    def _outcome(record: dict[str, Any], name: str) -> Any:
        metric = _weekly_metric(name)
        if metric is not None:
            return record[WEEKLY_KEY][metric].to_numpy(dtype=float)
        return float(record[name])


def _plain(value: Any) -> Any:
    """EMA hands numpy scalars (and category objects' values); the scenario takes plain Python values."""
    return value.item() if hasattr(value, "item") else value


def _weekly_metric(outcome: str) -> str | None:
    metric = outcome.removesuffix("_weekly")
    return metric if outcome.endswith("_weekly") and metric in MARKET_METRICS else None


def _outputs_for(outcomes: Sequence[str], share_vendor: str | None) -> dict[str, Any]:
    """The sweep outputs that produce these outcome names (``share_week_N`` → N, ``hhi_below_X_week`` → X)."""
    outputs: dict[str, Any] = {
        "final_week": list(MARKET_METRICS),
        "share_weeks": sorted({int(m[1]) for o in outcomes if (m := re.fullmatch(r"share_week_(\d+)", o))}),
        "weekly_market": any(_weekly_metric(o) for o in outcomes),
    }
    thresholds = {float(m[1]) for o in outcomes if (m := re.fullmatch(r"hhi_below_([\d.]+)_week", o))}
    if len(thresholds) == 1:
        outputs["hhi_threshold"] = thresholds.pop()
    if share_vendor:
        outputs["share_vendor"] = share_vendor
    return outputs


def _mean(values: Sequence[Any]) -> Any:
    """The mean over replications (element-wise for time series); NaN if there are none."""
    return sum(values) / len(values) if len(values) else math.nan


def _sweep_parameter(path: str, spec: Any) -> dict[str, Any]:
    """A parameter as the sweep file's grid writes it, so every value (or both ends) is tried on the scenario."""
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                             for v in spec):
        return {"values": list(spec)}
    if isinstance(spec, (list, set, frozenset)) and spec:
        return {"values": list(spec)}
    raise SweepError("ema_model(...)", f'parameters."{path}"',
                     f"expected (low, high) or a list of values, got {spec!r}")


def _ema_parameter(path: str, spec: Any) -> Any:
    from ema_workbench import BooleanParameter, CategoricalParameter, IntegerParameter, RealParameter

    name = ema_name(path)
    if isinstance(spec, tuple):
        low, high = spec
        if isinstance(low, int) and isinstance(high, int):
            return IntegerParameter(name, low, high)
        return RealParameter(name, float(low), float(high))
    values = list(spec)
    if sorted(values, key=str) == [False, True]:
        return BooleanParameter(name)
    return CategoricalParameter(name, values)


def _check_outcomes(outcomes: Sequence[str], target: Any, sweep_file: Any) -> None:
    """Every outcome must be an output the run produces (checked for the labelmarket model)."""
    if "halving_labs" not in target.identity:
        return  # a custom run function: its outputs are known only when it runs
    spec = sweep_file.spec.outputs
    known = {f"final_{m}" for m in spec.final_week} | {"final_share", *TOTALS, spec.hhi_below_name()}
    known |= {halved_name(lab) for lab in target.identity["halving_labs"]}
    known |= {f"share_week_{w}" for w in spec.share_weeks} | {f"{m}_weekly" for m in MARKET_METRICS}
    unknown = [o for o in outcomes if o not in known]
    if unknown:
        raise SweepError("ema_model(...)", "outcomes", f"no output called {unknown[0]!r}",
                         f"choose among {', '.join(sorted(known))} (or share_week_N, hhi_below_X_week)")


def ema_model(
    parameters: Mapping[str, Any],
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

    ``parameters`` maps a dotted path to ``(low, high)`` (real, or integer if both are whole numbers) or to a
    list of values (categorical; ``[True, False]`` is boolean). Parameters, values and outcome names are checked
    against the scenario first, with the sweep's messages. ``run_point`` replaces the model with any
    ``run(params, seed) -> dict``.
    """
    from ema_workbench import Model, ReplicatorModel, ScalarOutcome, TimeSeriesOutcome

    document: dict[str, Any] = {
        "name": "ema",
        "scenario": scenario,
        "seed": seed,
        "design": {"method": "grid"},
        "parameters": {path: _sweep_parameter(path, spec) for path, spec in parameters.items()},
        "outputs": _outputs_for(outcomes, share_vendor),
    }
    if weeks is not None:
        document["weeks"] = weeks
    sweep_file = load_sweep(document, name="ema_model(...)")
    from labelmarket.experiments.sweep.samplers import replicate_seeds

    seeds = replicate_seeds(seed, replications or 1)
    target = prepare_target(sweep_file, run_point, seeds)
    _check_outcomes(outcomes, target, sweep_file)
    paths = {ema_name(path): path for path in parameters}
    function = BlackBoxRun(target.run_point, paths, outcomes, seeds[0])
    if replications:
        model = ReplicatorModel(name, function=function)
        model.replications = [{"seed": s} for s in seeds]
    else:
        model = Model(name, function=function)
    model.uncertainties = [_ema_parameter(path, spec) for path, spec in parameters.items()]
    # A replicated outcome is the mean over the seeds (NaN if any seed failed), as in the sweep analysis.
    reduce = {"function": _mean} if replications else {}
    model.outcomes = [TimeSeriesOutcome(o, **reduce) if _weekly_metric(o) else ScalarOutcome(o, **reduce)
                      for o in outcomes]
    return model
