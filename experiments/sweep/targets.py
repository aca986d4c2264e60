"""What a sweep runs at each point: the labelmarket model by default, or any ``run(params, seed) -> dict``.

A run function takes the point's overrides (dotted path → value) and a seed, and returns a dict of scalar outputs;
it may add the weekly market frame under ``"weekly_market"``. It must be a picklable top-level function or
object, so that worker processes and dask workers can receive it. A ``censored_after_weeks`` attribute
(output name → weeks observed) declares which of its outputs are times to an event, censored when empty.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labelmarket.experiments.sweep.outputs import (
    WEEKLY_KEY,
    lab_series,
    largest_vendor,
    summarise_run,
    time_output_names,
    vendor_series,
)
from labelmarket.experiments.sweep.reporters import check_reporters, report
from labelmarket.experiments.sweep.spec import Outputs, SweepFile

RunFunction = Callable[[dict[str, Any], int], dict[str, Any]]


@dataclass(frozen=True)
class Target:
    """A run function ready to go, what identifies it (part of the sweep's fingerprint), and what was resolved."""

    run_point: RunFunction
    identity: dict[str, Any]
    resolved: dict[str, Any]


class ScenarioRun:
    """The default run function: one labelmarket run of the base scenario with the point's overrides,
    reduced to the sweep's outputs (see :func:`labelmarket.experiments.sweep.outputs.summarise_run`), plus the
    custom reporters' outputs and the opt-in frames and series."""

    def __init__(self, scenario: str, weeks: int | None, outputs: Outputs, share_vendor: str,
                 halving_labs: list[str]) -> None:
        self.scenario = scenario
        self.weeks = weeks
        self.outputs = outputs
        self.share_vendor = share_vendor
        self.halving_labs = list(halving_labs)

    @property
    def needs_allocations(self) -> bool:
        return bool(self.halving_labs or self.outputs.lab_series or self.outputs.reporters)

    def __call__(self, params: dict[str, Any], seed: int) -> dict[str, Any]:
        from labelmarket.model.market_model import MarketModel
        from labelmarket.model.runner import RunResult
        from labelmarket.scenarios.loader import load_scenario

        scenario = load_scenario(self.scenario, dict(params))
        # Record what the outputs read (D72): custom reporters get every frame; otherwise the market and vendor
        # rows, and the allocations when a halving week or the lab series needs them. The outputs are the same.
        level = "full" if self.needs_allocations else "vendors"
        model = MarketModel(scenario, rng=seed, weeks=self.weeks, record=level).run()
        frames = model.frames(None if self.outputs.reporters else
                              ("market", "vendors", "allocations") if self.needs_allocations else ("market", "vendors"))
        reference_week = int(scenario.meta.reference_week)
        record = summarise_run(
            frames["market"],
            frames["vendors"],
            reference_week=reference_week,
            outputs=self.outputs,
            share_vendor=self.share_vendor,
            allocations=frames.get("allocations"),
            halving_labs=self.halving_labs,
        )
        if self.outputs.reporters:
            result = RunResult(scenario=scenario, seed=seed, weeks=model.horizon_weeks, **frames)
            record.update(report(self.outputs.reporters, result, model))
        if self.outputs.weekly_market:
            record[WEEKLY_KEY] = frames["market"].reset_index(drop=True)
        if self.outputs.vendor_series:
            record["vendor_series"] = vendor_series(frames["vendors"], reference_week)
        if self.outputs.lab_series:
            record["lab_series"] = lab_series(frames["allocations"], self.share_vendor, reference_week)
        return record


def identify(function: Any) -> str:
    """A stable name for a run function: its ``sweep_identity`` attribute, else ``module:qualname``."""
    explicit = getattr(function, "sweep_identity", None)
    if explicit:
        return str(explicit)
    named = function if hasattr(function, "__qualname__") else type(function)
    return f"{named.__module__}:{named.__qualname__}"


def import_run_function(reference: str, sweep_file: SweepFile) -> RunFunction:
    """Import ``'module:function'`` as named in the sweep file's ``run_function``."""
    module_name, _, attribute = reference.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise sweep_file.error("run_function", f"cannot import '{reference}': {error}",
                               "the module must be importable here and on every worker") from None
    if not callable(function):
        raise sweep_file.error("run_function", f"'{reference}' is not callable")
    return function


def prepare_target(sweep_file: SweepFile, run_point: RunFunction | None = None, seeds: list[int] | None = None) -> Target:
    """Choose and check the run function before any run starts (bad input fails here, with exit status 2)."""
    spec = sweep_file.spec
    if run_point is None and spec.run_function:
        run_point = import_run_function(spec.run_function, sweep_file)
    if run_point is not None:
        check_reporters(sweep_file)
    if run_point is not None:
        resolved = {"run_function": identify(run_point),
                    "censored_after_weeks": dict(getattr(run_point, "censored_after_weeks", {}))}
        return Target(run_point, {"run_function": identify(run_point), "weeks": spec.weeks}, resolved)
    return prepare_scenario_run(sweep_file, seeds or [spec.seed])


def prepare_scenario_run(sweep_file: SweepFile, seeds: list[int]) -> Target:
    """Load the base scenario, check every parameter's range against it, resolve the share vendor."""
    spec = sweep_file.spec
    try:
        from labelmarket.scenarios.errors import ScenarioError
        from labelmarket.scenarios.loader import load_scenario, scenario_hash
    except ImportError as error:
        raise sweep_file.error("scenario", f"the labelmarket model cannot be imported here: {error}",
                               "run from the repository, or install the package with pip install -e .") from None

    source = sweep_file.scenario_source
    try:
        base = load_scenario(source)
    except ScenarioError as error:
        raise sweep_file.error("scenario", str(error)) from None
    except UnicodeDecodeError as error:
        raise sweep_file.error("scenario", f"{source} is not UTF-8 text ({error.reason} at offset {error.start})") from None
    except RecursionError:
        raise sweep_file.error("scenario", f"{source} is nested too deeply (or extends itself too often)") from None

    reference_week = int(base.meta.reference_week)
    horizon = int(spec.weeks or base.meta.horizon_weeks)
    last_share_week = reference_week + max(spec.outputs.share_weeks, default=0)
    _check_share_weeks(sweep_file, reference_week, horizon, last_share_week)

    for path, parameter in spec.parameters.items():
        probes = parameter.values if parameter.values is not None else list(parameter.bounds)  # type: ignore[arg-type]
        for value in probes:
            try:
                load_scenario(source, overrides={path: value})
            except ScenarioError as error:
                reason = error.reason if "unknown key" in error.reason else f"{value!r} is not usable: {error.reason}"
                raise sweep_file.error(f'parameters."{path}"', reason, error.hint) from None

    share_vendor, share_rule = _share_vendor(sweep_file, base, seeds[0])
    halving_labs = _halving_labs(sweep_file, base, share_vendor)
    check_reporters(sweep_file)
    time_outputs = {name: horizon - reference_week for name in time_output_names(spec.outputs, halving_labs)}
    identity = {
        "scenario": spec.scenario,
        "scenario_fingerprint": scenario_hash(base),
        "weeks": horizon,
        "reference_week": reference_week,
        "share_vendor": share_vendor,
        "halving_labs": halving_labs,
    }
    run = ScenarioRun(source, spec.weeks, spec.outputs, share_vendor, halving_labs)
    resolved = dict(identity, scenario_source=source, share_vendor_rule=share_rule, censored_after_weeks=time_outputs)
    return Target(run, identity, resolved)


def _halving_labs(sweep_file: SweepFile, base: Any, share_vendor: str) -> list[str]:
    """The labs whose halving week is reported: as listed, else the share vendor's largest client by contract."""
    chosen = sweep_file.spec.outputs.halving_labs
    if chosen is not None:
        unknown = [lab for lab in chosen if lab not in base.labs]
        if unknown:
            raise sweep_file.error("outputs.halving_labs", f"no lab called {unknown[0]!r} in {sweep_file.spec.scenario}",
                                   f"choose among {', '.join(sorted(base.labs))}")
        return list(chosen)
    clients = [(lab.contracts.get(share_vendor, 0.0), name) for name, lab in base.labs.items()]
    spend, largest = max(clients, default=(0.0, ""), key=lambda c: (c[0], c[1]))
    return [largest] if spend > 0 else []


def _share_vendor(sweep_file: SweepFile, base: Any, seed: int) -> tuple[str, str]:
    """Whose share ``share_week_N`` reports: the sweep's ``outputs.share_vendor``; else the vendor of the
    ownership change at the shock (Scale AI in meta_scale_2025), even if a counterfactual disables it; else the
    largest vendor in the week before the shock."""
    chosen = sweep_file.spec.outputs.share_vendor
    known = set(base.vendors) | {e.vendor for e in base.events.values() if e.kind == "entry"}
    if chosen is not None:
        if chosen not in known:
            raise sweep_file.error("outputs.share_vendor", f"no vendor called '{chosen}' in {sweep_file.spec.scenario}",
                                   f"choose one of {', '.join(sorted(known))}")
        return chosen, "set in the sweep file"
    shocks = [e for e in base.events.values()
              if e.kind == "ownership_change" and e.week == base.meta.reference_week and e.vendor in known]
    if shocks:
        return shocks[0].vendor, "the vendor of the ownership change at the reference week"
    from labelmarket.model.runner import run_scenario

    reference_week = int(base.meta.reference_week)
    pre_shock = run_scenario(base, seed=seed, weeks=max(reference_week, 1))
    return largest_vendor(pre_shock.vendors, reference_week), "the largest vendor in the week before the shock"


def _check_share_weeks(sweep_file: SweepFile, reference_week: int, horizon: int, last_week: int) -> None:
    if last_week > horizon:
        raise sweep_file.error(
            "outputs.share_weeks",
            f"week {last_week - reference_week} after the shock is week {last_week}, beyond the run's {horizon} weeks",
            f"set weeks = {last_week} or more, or report an earlier week",
        )
