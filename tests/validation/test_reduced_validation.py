"""A reduced validation inside `make test`: the calibrated scenario against P1-P9 at 20 seeds.

The full check is `labelmarket validate` (30 seeds). Model 2.0 is on by default and calibrated (D45, D55, D56);
the criteria it still fails are listed, once, in ``KNOWN_FAILING``, each with the reason docs/calibration.md gives
("Model 2.0 final calibration", "P3 still fails: why"): every other criterion must pass, and every listed one must
still fail, so the list cannot rot: when a change makes one pass, this test fails until it is removed. All four
are P3's, validation only and never tuned to.
"""

from __future__ import annotations

import pytest

from labelmarket.experiments.pattern_runs import pattern_runs, run_variants, story_cast
from labelmarket.experiments.patterns import evaluate

REDUCED_SEEDS = range(1, 21)
KNOWN_FAILING = {
    "P3.Labelbox.base",    # pre-shock inquiries ~1.4 a week from every buyer's routine scanning, short of 2 ...
    "P3.Handshake.base",
    "P3.Labelbox.surge",   # ... and only Meta's rivals react, so the shock raises them ~1.7-1.9x, not > 3x
    "P3.Handshake.surge",
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
