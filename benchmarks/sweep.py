"""Benchmark 4: sweep throughput, measured by the sweeps work's ``benchmarks/sweep_throughput.py``.

That module belongs to the sweeps issue; this one only calls its ``run()`` when it exists and records what
it returns (or why there is no figure).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any

QUICK_RUNS = 20


def throughput(quick: bool = False) -> dict[str, Any]:
    """The sweeps benchmark's figures (its defaults; 20 runs per engine and no file written when quick)."""
    if importlib.util.find_spec("labelmarket.benchmarks.sweep_throughput") is None:
        return {"status": "missing", "note": "benchmarks/sweep_throughput.py is not there yet (sweeps issue)"}
    module = importlib.import_module("labelmarket.benchmarks.sweep_throughput")
    run = getattr(module, "run", None)
    if run is None:
        return {"status": "missing", "note": "benchmarks/sweep_throughput.py has no run() function"}
    accepted = inspect.signature(run).parameters
    options = {"runs": QUICK_RUNS, "out": None} if quick else {}
    try:
        result = run(**{k: v for k, v in options.items() if k in accepted})
    except Exception as err:  # a failing neighbour must not sink the rest of the suite
        return {"status": "failed", "note": f"{type(err).__name__}: {err}"}
    return {"status": "ok", "result": result}
