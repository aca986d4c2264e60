"""A reduced validation inside `make test`: the calibrated scenario against P1-P9 at 20 seeds.

The full check is `labelmarket validate` (30 seeds). The patterns were revised for model 2.0 and made
stricter; the pre-2.0 model fails some of them (docs/calibration.md, "Pre-2.0 baseline"). Those criteria are
listed, once, in ``KNOWN_FAILING_BEFORE_MODEL_2``: every other criterion must pass, and every listed one must
still fail, so the list cannot rot: when model 2.0 makes one pass, this test fails until it is removed.
Three passing criteria sit on a knife-edge at these seeds and may need the list when the rules change: P2's
Microsoft cut (median 0.743 here, 0.767 at 30 seeds, against 0.75), P4's entry (exactly 80 % of seeds here)
and P9's other labs' cut at Appen (0.22 here, 0.30 at 10 seeds, against 0.25).
"""

from __future__ import annotations

import pytest

from labelmarket.experiments.pattern_runs import pattern_runs, run_variants, story_cast
from labelmarket.experiments.patterns import evaluate

REDUCED_SEEDS = range(1, 21)
KNOWN_FAILING_BEFORE_MODEL_2 = {
    "P2.xAI.cut",          # xAI cuts ~88 % of its Scale spend: more than the 25-75 % "in part"
    "P3.Labelbox.base",    # pre-shock inquiries are ~0.04 a week, not >= 2: the surge rests on one or two
    "P3.Handshake.base",
    "P6.hhi",              # without the shock the HHI drifts ~6 % by week 52 (routine-review drift)
    "P6.moves",            # ... and labs move most of their spend away from some vendor in every seed
    "P8.no_floor",         # keep_captive_spend forbids the owner's lab to cut: P8 is guaranteed by a rule
}


@pytest.mark.slow
def test_calibrated_scenario_against_p1_to_p9_at_20_seeds():
    runs = dict(run_variants(pattern_runs(), {"full": {}}, REDUCED_SEEDS, workers=1))["full"]
    rows = evaluate(runs, story_cast())
    assert all(r.applicable for r in rows)
    failing = {r.key for r in rows if not r.passed}
    described = {r.key: f"{r.criterion}: {r.over} {r.value:.3g}" for r in rows}
    unexpected = sorted(failing - KNOWN_FAILING_BEFORE_MODEL_2)
    assert not unexpected, "criteria failing at 20 seeds:\n" + "\n".join(described[k] for k in unexpected)
    now_passing = sorted(KNOWN_FAILING_BEFORE_MODEL_2 - failing)
    assert not now_passing, ("these criteria pass now; remove them from KNOWN_FAILING_BEFORE_MODEL_2:\n"
                             + "\n".join(described.get(k, k) for k in now_passing))
