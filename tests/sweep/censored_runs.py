"""A run function with a censored time to an event and two uninformative outputs, for the analysis tests."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Weeks each run observes: an event later than this is censored.
HORIZON_WEEKS = 20


def event_week(params: dict[str, Any], seed: int) -> dict[str, float]:
    """``event_week``: an exponential waiting time with mean ``p.mean_weeks``, empty (censored) past the horizon;
    ``constant`` is always 1; ``noise`` varies at 1e-16."""
    rng = np.random.default_rng(seed + int(1000 * float(params["p.mean_weeks"])) + int(params["p.other"]))
    wait = float(np.floor(rng.exponential(float(params["p.mean_weeks"]))))
    return {"event_week": wait if wait <= HORIZON_WEEKS else math.nan, "constant": 1.0,
            "noise": float(rng.random()) * 1e-16, "signal": wait}


event_week.censored_after_weeks = {"event_week": HORIZON_WEEKS}  # type: ignore[attr-defined]
