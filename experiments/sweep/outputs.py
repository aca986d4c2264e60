"""What a sweep keeps of each run: final-week metrics, summary statistics, optionally the weekly market frame.

Weeks in summary names count from the scenario's reference week (the ownership shock): ``share_week_52`` is the
share at ``reference_week + 52``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from labelmarket.experiments.sweep.spec import Outputs

#: The key under which a run function returns its weekly market frame (a DataFrame with a ``week`` column).
WEEKLY_KEY = "weekly_market"
#: The keys under which a run function returns its opt-in vendor-level and lab-level weekly series.
SERIES_KEYS = ("vendor_series", "lab_series")


def summarise_run(
    market: pd.DataFrame,
    vendors: pd.DataFrame,
    *,
    reference_week: int,
    outputs: Outputs,
    share_vendor: str,
) -> dict[str, Any]:
    """Reduce one run's frames to the sweep's outputs.

    - ``final_<metric>``: the metric in the last recorded week;
    - ``hhi_below_<threshold>_week``: weeks from the shock until HHI first drops below the threshold (0 if it is
      already below at the shock; NaN if it never does within the run, i.e. censored);
    - ``peak_unmet_musd``: the largest weekly unmet demand from the shock on;
    - ``share_week_<n>``: ``share_vendor``'s revenue share at ``reference_week + n`` (0 if it has no row that
      week, NaN if the run ends before).
    """
    market = market.sort_values("week", kind="stable")
    last = market.iloc[-1]
    record: dict[str, Any] = {f"final_{m}": float(last[m]) for m in outputs.final_week}

    threshold_name, peak_name, *share_names = outputs.summary_names()
    after = market[market["week"] >= reference_week]
    below = after.loc[after["hhi"] < outputs.hhi_threshold, "week"]
    record[threshold_name] = float(below.iloc[0] - reference_week) if len(below) else math.nan
    record[peak_name] = float(after["unmet_musd"].max()) if len(after) else math.nan

    weeks_recorded = set(market["week"].tolist())
    mine = vendors[vendors["vendor"] == share_vendor]
    share_by_week = dict(zip(mine["week"].tolist(), mine["share"].tolist()))
    for name, weeks_after in zip(share_names, outputs.share_weeks):
        week = reference_week + weeks_after
        if week not in weeks_recorded:
            record[name] = math.nan
        else:
            record[name] = float(share_by_week.get(week, 0.0))
    return record


def largest_vendor(vendors: pd.DataFrame, before_week: int) -> str:
    """The vendor with the largest revenue share in the last recorded week before ``before_week``."""
    earlier = vendors[vendors["week"] < before_week]
    if earlier.empty:
        earlier = vendors[vendors["week"] == vendors["week"].min()]
    week = earlier["week"].max()
    rows = earlier[earlier["week"] == week].sort_values(["share", "vendor"], ascending=[False, True])
    return str(rows.iloc[0]["vendor"])
