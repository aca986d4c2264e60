"""Times to an event that may not happen within a run: censored data, summarised as such.

``hhi_below_2500_week`` is empty when HHI never falls below 2,500 before the run ends: the run only tells us
that the time is *more than* the weeks it observed after the shock. Averaging such values (or filling them
with the horizon and averaging) biases every mean. So a time output is reported as:

- the share of runs censored (the event did not happen within the run);
- the Kaplan–Meier median and quartiles (Kaplan & Meier 1958), which are unbiased under censoring; a quantile
  the data cannot reach is reported as "more than τ weeks" (NaN with ``*_reached = False``);
- the restricted mean, the mean of min(time, τ) (Royston & Parmar 2013), where τ is the weeks observed after
  the shock. It is the one mean that censoring allows, and the value sensitivity indices are computed on.

This is a small routine rather than ``lifelines``: one estimator, in numpy, without another dependency tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SurvivalCurve:
    """The Kaplan–Meier estimate: survival ``survival[i]`` just after ``times[i]`` (the distinct event times)."""

    times: np.ndarray
    survival: np.ndarray

    def quantile(self, q: float) -> float:
        """The first time at which at least a share ``q`` of runs had the event; NaN if never reached."""
        below = np.nonzero(self.survival <= 1 - q + 1e-12)[0]
        return float(self.times[below[0]]) if below.size else float("nan")


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> SurvivalCurve:
    """Kaplan–Meier estimate from durations and event indicators (False: censored at that duration).

    At a time where events and censorings tie, the censored runs count as still at risk (the usual convention).
    """
    durations = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    times = np.unique(durations[observed])
    survival = np.empty(times.size)
    current = 1.0
    for i, t in enumerate(times):
        at_risk = np.count_nonzero(durations >= t)
        events = np.count_nonzero((durations == t) & observed)
        current *= 1.0 - events / at_risk
        survival[i] = current
    return SurvivalCurve(times, survival)


def censored_summary(times: pd.Series, horizon_weeks: float) -> dict[str, float]:
    """Runs, events, share censored, KM median and quartiles, restricted mean: for one time output.

    ``times`` holds the event weeks; NaN means censored at ``horizon_weeks`` (only successful runs are passed).
    """
    values = times.to_numpy(dtype=float)
    observed = ~np.isnan(values)
    durations = np.where(observed, values, horizon_weeks)
    curve = kaplan_meier(durations, observed)
    median = curve.quantile(0.5)
    return {
        "runs": int(values.size),
        "events": int(observed.sum()),
        "censored_share": float(1 - observed.mean()) if values.size else float("nan"),
        "km_q25": curve.quantile(0.25),
        "km_median": median,
        "km_q75": curve.quantile(0.75),
        "median_reached": bool(not np.isnan(median)),
        "restricted_mean": float(np.minimum(durations, horizon_weeks).mean()) if values.size else float("nan"),
        "horizon_weeks": float(horizon_weeks),
    }


def restricted(times: pd.Series, horizon_weeks: float) -> pd.Series:
    """min(time, τ) with censored runs at τ: the quantity whose mean is the restricted mean."""
    return times.fillna(horizon_weeks).clip(upper=horizon_weeks)
