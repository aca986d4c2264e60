"""labelmarket: an agent-based model of the AI training-data market after an ownership shock.

The public API in one place::

    from labelmarket import load_scenario, run_scenario, MarketModel, sweep, load_results

The names load on first use (PEP 562), so ``import labelmarket.scenarios`` or the command line's ``check``
do not pay for importing Mesa and the model.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# public name -> the module that defines it
_EXPORTS = {
    "MarketModel": "labelmarket.model.market_model",
    "RunResult": "labelmarket.model.runner",
    "run_scenario": "labelmarket.model.runner",
    "Scenario": "labelmarket.scenarios.schema",
    "ScenarioError": "labelmarket.scenarios.errors",
    "load_scenario": "labelmarket.scenarios.loader",
    "sweep": "labelmarket.experiments",
    "load_results": "labelmarket.experiments",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'labelmarket' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
