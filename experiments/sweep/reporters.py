"""Your own measures: ``module:function`` reporters named in a sweep file's ``outputs.reporters``.

A reporter takes one run's result (``labelmarket.model.runner.RunResult``: ``market``, ``vendors``,
``allocations``, ``events`` frames, ``scenario``, ``seed``) and, if it has a parameter called ``model``, the
finished ``MarketModel`` too. It returns a number or text, stored as an output named after the function, or a
dict or pandas Series of them, stored as ``<function>_<key>`` each. Reporters are imported by name (never
evaluated) once before the sweep starts, to check them, and again inside each worker, where they run.
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from labelmarket.experiments.sweep.spec import SweepFile


def import_reporter(reference: str) -> Callable[..., Any]:
    """The callable ``'module:function'`` names; ImportError, AttributeError or TypeError if there is none."""
    module_name, _, attribute = reference.partition(":")
    function = getattr(importlib.import_module(module_name), attribute)
    if not callable(function):
        raise TypeError(f"'{reference}' is not callable")
    return function


def check_reporters(sweep_file: SweepFile) -> None:
    """Import every reporter before anything runs; a missing module or name is a one-line error."""
    outputs = sweep_file.spec.outputs
    if outputs.reporters and sweep_file.spec.run_function:
        raise sweep_file.error("outputs.reporters", "reporters measure labelmarket runs; this sweep has a run_function",
                               "return the measure from the run function instead")
    for index, reference in enumerate(outputs.reporters):
        try:
            function = import_reporter(reference)
        except (ImportError, AttributeError, TypeError) as error:
            raise sweep_file.error(f"outputs.reporters[{index}]", f"cannot use '{reference}': {error}",
                                   "the module must be importable here and on every worker") from None
        try:
            extra = {"model": None} if "model" in _parameters(function) else {}
            inspect.signature(function).bind(None, **extra)
        except TypeError:
            raise sweep_file.error(f"outputs.reporters[{index}]", f"'{reference}' must take one argument, the run's "
                                   "result (and optionally model=...)") from None
        except ValueError:
            pass  # a builtin without a signature: tried at run time


def report(references: list[str], result: Any, model: Any) -> dict[str, Any]:
    """Every reporter's outputs for one run."""
    record: dict[str, Any] = {}
    for reference in references:
        function = import_reporter(reference)
        name = reference.rpartition(":")[2]
        takes_model = "model" in _parameters(function)
        value = function(result, model=model) if takes_model else function(result)
        record.update(_named(name, value))
    return record


def _parameters(function: Callable[..., Any]) -> Mapping[str, Any]:
    try:
        return inspect.signature(function).parameters
    except ValueError:
        return {}


def _named(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if isinstance(value, Mapping):
        return {f"{name}_{key}": _plain(v) for key, v in value.items()}
    return {name: _plain(value)}


def _plain(value: Any) -> Any:
    """numpy scalars become Python numbers; None becomes NaN (the sweep stores numbers or text)."""
    if value is None:
        return math.nan
    return value.item() if hasattr(value, "item") else value
