"""A reduced validation inside `make test`: the calibrated scenario must pass every pattern at 20 seeds.

The full check is `labelmarket validate` (30 seeds); 20 seeds keep this under half a minute on one core while the
medians stay on the same side of every threshold (see docs/calibration.md for the margins).
"""

from __future__ import annotations

import pytest

from labelmarket.experiments.ensemble import run_ensemble
from labelmarket.experiments.patterns import SCENARIOS_NEEDED, evaluate

REDUCED_SEEDS = range(1, 21)


@pytest.mark.slow
def test_calibrated_scenario_passes_every_pattern_at_20_seeds():
    runs = run_ensemble(SCENARIOS_NEEDED, REDUCED_SEEDS, workers=1)
    failed = [f"{r.pattern} {r.criterion}: median {r.median:.3g}" for r in evaluate(runs) if not r.passed]
    assert not failed, "patterns failing at 20 seeds:\n" + "\n".join(failed)
