"""Batch sweeps over scenario parameters: grid, Latin hypercube, Sobol and Morris designs, resumable.

``from labelmarket.experiments import sweep`` gives this package, and the package is callable::

    from labelmarket.experiments import sweep, load_results
    if __name__ == "__main__":          # in a script: local workers import it again
        outcome = sweep("experiments/sobol_shock.toml", workers=2)
        results = load_results(outcome.run_dir)

``sweep(...)`` is :func:`labelmarket.experiments.sweep.runner.run_sweep`; its modules stay reachable as
``labelmarket.experiments.sweep.spec`` (the sweep file), ``.samplers`` (the design), ``.targets``, ``.outputs``
and ``.reporters`` (what a run computes), ``.engines`` and ``.timeouts`` (where and how long runs execute),
``.store`` and ``.growth`` (the sweep folder; its ``--out`` rule is that of
``labelmarket.experiments.output_folder``), ``.runner``, ``.consolidation`` and ``.results``.
"""

from __future__ import annotations

import inspect
import sys
import types

from labelmarket.experiments.sweep.results import SweepResults, load_results
from labelmarket.experiments.sweep.runner import SweepOutcome, run_sweep
from labelmarket.experiments.sweep.spec import SweepError, SweepSpec, load_sweep

__all__ = ["SweepError", "SweepOutcome", "SweepResults", "SweepSpec", "load_results", "load_sweep", "run_sweep"]


class _CallableModule(types.ModuleType):
    """Lets ``sweep(...)`` run a sweep while ``labelmarket.experiments.sweep.<module>`` still names the package's modules."""

    def __call__(self, *args, **kwargs) -> SweepOutcome:
        return run_sweep(*args, **kwargs)


__signature__ = inspect.signature(run_sweep)
sys.modules[__name__].__class__ = _CallableModule
