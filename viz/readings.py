"""What the views read from the model, in one place: the event log frame and the profile of one lab or vendor.

The views never reach into the recorder's or the state's internals for these: the event log comes from the
recorder's public frame, and an agent's profile from its Mesa agent (``Lab``, ``Vendor``) plus the recorded
frames for its history. When the model's public reading API changes, only this file changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelmarket.agents import Lab, Vendor
from labelmarket.model.market_model import MarketModel


def event_table(market: MarketModel) -> pd.DataFrame:
    """The event log so far, one row per event in the order logged (row i is the i-th event)."""
    return market.recorder.event_frame()


@dataclass(frozen=True)
class Profile:
    """What the inspector shows about one agent.

    ``now``: (label, value in words) pairs; ``by_partner``: a frame with one row per vendor (for a lab) or per
    lab (for a vendor); ``history``: a frame indexed by week with the agent's series over the run.
    """

    kind: str          # "lab" or "vendor"
    name: str
    now: list[tuple[str, str]]
    by_partner: pd.DataFrame
    history: pd.DataFrame


def _agent(market: MarketModel, kind: type, name: str):
    """The Mesa agent of ``kind`` called ``name``."""
    return next(agent for agent in market.agents_by_type[kind] if agent.name == name)


def _allocations(market: MarketModel) -> pd.DataFrame:
    s = market.state
    return market.recorder.allocation_frame(s.lab_names, s.vendor_names)


def lab_profile(market: MarketModel, name: str) -> Profile:
    """A lab's budget, its spend, trust and perceived neutrality by vendor now, and their history."""
    lab = _agent(market, Lab, name)
    s = market.state
    active = [j for j in range(s.n_vendors) if s.active[j]]
    spend = lab.spend_musd
    by_vendor = pd.DataFrame({
        "vendor": [s.vendor_names[j] for j in active],
        "spend_musd": [spend.get(s.vendor_names[j], 0.0) for j in active],
        "trust": [float(s.trust[lab.index, j]) for j in active],
        "perceived_neutrality": [float(s.perceived_neutrality[lab.index, j]) for j in active]})
    rows = _allocations(market).query("lab == @name")
    weights = rows.spend_musd.where(rows.spend_musd > 0, 0.0)
    history = (rows.assign(weighted_trust=rows.trust * weights, weight=weights)
               .groupby("week").agg(spend_musd=("spend_musd", "sum"), weighted_trust=("weighted_trust", "sum"),
                                    weight=("weight", "sum"), perceived_neutrality=("perceived_neutrality", "mean")))
    history["trust"] = history.weighted_trust / history.weight.replace(0.0, np.nan)
    now = [("Budget", f"${lab.budget_musd:,.0f}M/yr"), ("Spend placed", f"${sum(spend.values()):,.0f}M/yr"),
           ("Vendors used", f"{len(spend)}")]
    return Profile("lab", name, now, by_vendor, history[["spend_musd", "trust", "perceived_neutrality"]])


def vendor_profile(market: MarketModel, name: str) -> Profile:
    """A vendor's revenue, owners and how each lab sees it now, and its revenue, share and trust history."""
    vendor = _agent(market, Vendor, name)
    s = market.state
    j = vendor.index
    by_lab = pd.DataFrame({"lab": s.lab_names, "spend_musd": s.spend_musd[:, j].astype(float),
                           "trust": s.trust[:, j].astype(float),
                           "perceived_neutrality": s.perceived_neutrality[:, j].astype(float)})
    recorded = market.recorder.vendor_frame(s.vendor_names).query("vendor == @name").set_index("week")
    views = _allocations(market).query("vendor == @name").groupby("week").agg(
        trust=("trust", "mean"), perceived_neutrality=("perceived_neutrality", "mean"))
    history = recorded[["revenue_musd", "share"]].join(views)
    owners = "; ".join(f"{owner} {stake:.0%}" if stake >= 0.005 else f"{owner} <1%"
                       for owner, stake in vendor.owners.items()) or "none recorded"
    now = [("Revenue", f"${vendor.revenue_musd:,.0f}M/yr"), ("Capacity", f"${float(s.capacity_musd[j]):,.0f}M/yr"),
           ("Quality", f"{float(s.quality[j]):.2f}"), ("Owners", owners),
           ("Status", "active" if s.active[j] else "left the market")]
    return Profile("vendor", name, now, by_lab, history)


def profile(market: MarketModel, name: str) -> Profile | None:
    """The profile of the lab or vendor called ``name`` (None if the market has no such agent)."""
    if name in market.state.lab_names:
        return lab_profile(market, name)
    if name in market.state.vendor_names:
        return vendor_profile(market, name)
    return None
