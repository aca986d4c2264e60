"""Custom reporters for the sweep tests, named in sweep files as ``measures:<function>``."""

from __future__ import annotations

from typing import Any

import pandas as pd


def scale_share_week_40(result: Any) -> float:
    """Scale AI's revenue share 40 weeks after the shock (0 if it has no revenue that week)."""
    week = int(result.scenario.meta.reference_week) + 40
    rows = result.vendors[(result.vendors["week"] == week) & (result.vendors["vendor"] == "Scale AI")]
    return float(rows["share"].iloc[0]) if len(rows) else 0.0


def weeks_and_vendors(result: Any, model: Any) -> pd.Series:
    """From the finished model: the weeks it stepped and how many vendor agents it holds."""
    from labelmarket.agents.vendor import Vendor

    return pd.Series({"weeks": model.week, "vendor_agents": len(model.agents_by_type[Vendor])})
