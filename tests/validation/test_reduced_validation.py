"""A reduced validation inside `make test`: the calibrated scenario against P1-P9 at 20 seeds.

The full check is `labelmarket validate` (30 seeds). Model 2.0 is on by default (D45); the criteria it still
fails are listed, once, in ``KNOWN_FAILING``, each with the reason docs/calibration.md gives ("What the model does
not reproduce, and why"): every other criterion must pass, and every listed one must still fail, so the list
cannot rot: when a change makes one pass, this test fails until it is removed. P5's HHI ratio is a calibration
target that no candidate of the calibration passed together with the others; the rest are validation-only and
were never tuned to. P4's entry is on a knife-edge: it passes here (exactly 80 % of seeds 1-20) and fails at the
30 seeds of `labelmarket validate` (73 %).
"""

from __future__ import annotations

import pytest

from labelmarket.experiments.pattern_runs import pattern_runs, run_variants, story_cast
from labelmarket.experiments.patterns import evaluate

REDUCED_SEEDS = range(1, 21)
KNOWN_FAILING = {
    "P2.Microsoft.cut",    # Microsoft cuts ~86 % of its Scale spend with the frontier labs' shared inputs: not "in part"
    "P3.Labelbox.base",    # pre-shock inquiries ~1.5 a week with the cohorts, short of 2 ...
    "P3.Handshake.base",
    "P3.Labelbox.surge",   # ... and the shock raises them only ~1.5x, not > 3x
    "P3.Handshake.surge",
    "P5.hhi",              # HHI ratio ~0.78 at week 52 (needs <= 0.75)
}


@pytest.mark.slow
def test_calibrated_scenario_against_p1_to_p9_at_20_seeds():
    runs = dict(run_variants(pattern_runs(), {"full": {}}, REDUCED_SEEDS, workers=1))["full"]
    rows = evaluate(runs, story_cast())
    assert all(r.applicable for r in rows)
    failing = {r.key for r in rows if not r.passed}
    described = {r.key: f"{r.criterion}: {r.over} {r.value:.3g}" for r in rows}
    unexpected = sorted(failing - KNOWN_FAILING)
    assert not unexpected, "criteria failing at 20 seeds:\n" + "\n".join(described[k] for k in unexpected)
    now_passing = sorted(KNOWN_FAILING - failing)
    assert not now_passing, ("these criteria pass now; remove them from KNOWN_FAILING:\n"
                             + "\n".join(described.get(k, k) for k in now_passing))
