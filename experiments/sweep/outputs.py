"""What a sweep keeps of each run: end-state metrics, post-shock totals, times to events, opt-in series.

Every week in an output's name or value counts from the scenario's reference week (the ownership shock), except
the ``week`` column of the weekly frames and series, which is the model week (the series also carry
``week_from_shock``). ``share_week_52`` is the share at ``reference_week + 52``.

Times to an event (``hhi_below_<X>_week``, ``<lab>_halved_week``) are *censored* when the event does not
happen before the run ends: they are then empty (NaN) in ``results.parquet``, and the manifest records, for
each time output, after how many weeks the runs were cut off, so the analysis can treat them as censored.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from labelmarket.experiments.sweep.spec import Outputs

#: The key under which a run function returns its weekly market frame (a DataFrame with a ``week`` column).
WEEKLY_KEY = "weekly_market"
#: The keys under which a run function returns its opt-in vendor-level and lab-level weekly series.
SERIES_KEYS = ("vendor_series", "lab_series")
#: Post-shock totals of weekly flows: output name → (market column, how it is reduced).
TOTALS = {
    "entrants_after_shock": ("entrants", "sum"),
    "vc_committed_after_shock_musd": ("vc_committed_musd", "sum"),
    "switched_after_shock_musd": ("switched_musd", "sum"),
    "peak_unmet_musd": ("unmet_musd", "max"),
}


def halved_name(lab: str) -> str:
    """The output name of the week a lab's share at the target halves: ``Google`` → ``google_halved_week``."""
    return re.sub(r"[^a-z0-9]+", "_", lab.lower()).strip("_") + "_halved_week"


def time_output_names(outputs: Outputs, halving_labs: list[str]) -> list[str]:
    """The outputs that are times to an event (censored when the event does not happen within the run)."""
    return [outputs.hhi_below_name(), *(halved_name(lab) for lab in halving_labs)]


def summarise_run(
    market: pd.DataFrame,
    vendors: pd.DataFrame,
    *,
    reference_week: int,
    outputs: Outputs,
    share_vendor: str,
    allocations: pd.DataFrame | None = None,
    halving_labs: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Reduce one run's frames to the sweep's outputs.

    - ``final_<metric>``: the metric in the last recorded week; ``final_share``: ``share_vendor``'s share then;
    - post-shock totals (:data:`TOTALS`): entrants, venture capital committed and spend switched, summed from
      the shock to the end; ``peak_unmet_musd``, the largest weekly unmet demand from the shock on;
    - ``hhi_below_<threshold>_week``: weeks from the shock until HHI first drops below the threshold (0 if it
      already is; NaN, i.e. censored, if it never does within the run);
    - ``<lab>_halved_week``: weeks from the shock until the lab's share of its spend that goes to
      ``share_vendor`` is at most half what it was the week before the shock (NaN if never: censored);
    - ``share_week_<n>``: ``share_vendor``'s revenue share at ``reference_week + n`` (0 if it has no row that
      week, NaN if the run ends before).
    """
    market = market.sort_values("week", kind="stable")
    last = market.iloc[-1]
    record: dict[str, Any] = {f"final_{m}": float(last[m]) for m in outputs.final_week}
    mine = vendors[vendors["vendor"] == share_vendor]
    share_by_week = dict(zip(mine["week"].tolist(), mine["share"].tolist()))
    record["final_share"] = float(share_by_week.get(int(last["week"]), 0.0))

    after = market[market["week"] >= reference_week]
    for name, (column, how) in TOTALS.items():
        values = after[column]
        record[name] = (float(values.sum()) if how == "sum" else float(values.max())) if len(values) else math.nan

    below = after.loc[after["hhi"] < outputs.hhi_threshold, "week"]
    record[outputs.hhi_below_name()] = float(below.iloc[0] - reference_week) if len(below) else math.nan
    for lab in halving_labs:
        record[halved_name(lab)] = _halved_week(allocations, lab, share_vendor, reference_week)

    weeks_recorded = set(market["week"].tolist())
    for weeks_after in outputs.share_weeks:
        week = reference_week + weeks_after
        record[f"share_week_{weeks_after}"] = float(share_by_week.get(week, 0.0)) if week in weeks_recorded else math.nan
    return record


def lab_shares_at(allocations: pd.DataFrame, vendor: str) -> pd.DataFrame:
    """Per lab and week: total spend, spend at ``vendor`` and the share of the lab's spend that goes there."""
    spend = allocations.assign(at_target=allocations["spend_musd"].where(allocations["vendor"] == vendor, 0.0))
    table = spend.groupby(["week", "lab"], sort=True).agg(spend_musd=("spend_musd", "sum"),
                                                           spend_at_target_musd=("at_target", "sum")).reset_index()
    total = table["spend_musd"].where(table["spend_musd"] > 0)
    table["share_at_target"] = (table["spend_at_target_musd"] / total).fillna(0.0)
    return table


def _halved_week(allocations: pd.DataFrame | None, lab: str, vendor: str, reference_week: int) -> float:
    if allocations is None or allocations.empty:
        raise ValueError("halving weeks need the run's allocations (record.allocations = true)")
    shares = lab_shares_at(allocations[allocations["lab"] == lab], vendor).set_index("week")["share_at_target"]
    before = shares[shares.index < reference_week]
    baseline = float(before.iloc[-1]) if len(before) else float(shares.iloc[0])
    after = shares[shares.index >= reference_week]
    halved = after[after <= baseline / 2]
    return float(halved.index[0] - reference_week) if len(halved) else math.nan


def vendor_series(vendors: pd.DataFrame, reference_week: int) -> pd.DataFrame:
    """The opt-in vendor-level series: each vendor's share and revenue (and price, if the model records one)."""
    columns = ["week", "vendor", "share", "revenue_musd", *(c for c in ("price_index", "price") if c in vendors)]
    frame = vendors[columns].reset_index(drop=True)
    frame.insert(1, "week_from_shock", frame["week"] - reference_week)
    return frame


def lab_series(allocations: pd.DataFrame, vendor: str, reference_week: int) -> pd.DataFrame:
    """The opt-in lab-level series: each lab's total spend, its spend at ``vendor`` and that share."""
    frame = lab_shares_at(allocations, vendor)
    frame.insert(1, "week_from_shock", frame["week"] - reference_week)
    return frame


def largest_vendor(vendors: pd.DataFrame, before_week: int) -> str:
    """The vendor with the largest revenue share in the last recorded week before ``before_week``."""
    earlier = vendors[vendors["week"] < before_week]
    if earlier.empty:
        earlier = vendors[vendors["week"] == vendors["week"].min()]
    week = earlier["week"].max()
    rows = earlier[earlier["week"] == week].sort_values(["share", "vendor"], ascending=[False, True])
    return str(rows.iloc[0]["vendor"])
