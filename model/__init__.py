"""The market model: shared state arrays, the weekly schedule, events, metrics and the recorder.

``MarketModel``, ``RunResult`` and ``run_scenario`` load on first use (PEP 562), so a rule that imports the
state (``labelmarket.model.state``) does not import the schedule above it (docs/architecture.md).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"MarketModel": "labelmarket.model.market_model", "RunResult": "labelmarket.model.runner",
            "run_scenario": "labelmarket.model.runner"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'labelmarket.model' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
