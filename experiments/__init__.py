"""Experiments on the labelmarket model: single runs, batch sweeps and their analysis.

``from experiments import sweep, load_results`` is the notebook entry point for sweeps (see docs/sweeps.md).
Both load on first use, so ``import experiments.cli`` stays quick.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_results", "sweep"]


def __getattr__(name: str) -> Any:
    if name == "sweep":
        import importlib

        return importlib.import_module("labelmarket.experiments.sweep")  # a callable package: sweep(...) runs a sweep
    if name == "load_results":
        from labelmarket.experiments.sweep.results import load_results

        return load_results
    raise AttributeError(f"module 'labelmarket.experiments' has no attribute {name!r}")
