"""A compact digest of one run: just what the pattern checks and the validation figures read.

Runs happen in worker processes; a digest is small and picklable, so many seeds x scenarios travel back to
the parent cheaply. Every series is indexed by the *relative* week (model week - ``meta.reference_week``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labelmarket.model.market_model import MarketModel
from labelmarket.model.runner import RunSpec
from labelmarket.scenarios.schema import ContractEnd, OwnershipChange, Scenario

MARKET_SERIES = ["hhi", "effective_vendors", "vc_committed_musd", "entrants", "unmet_musd"]


@dataclass(frozen=True)
class ShockRoles:
    """Who plays which part in the story, derived from the scenario's events (never from a rule)."""

    vendor: str                     # the vendor the shock strikes
    acquirer_lab: str | None        # the lab whose investor buys the stake (None: no ownership change)
    reference_week: int             # model week called "week 0" in the patterns
    lost_client: str | None = None  # the lab that ends its contract (a contract_end shock)


def shock_roles(scenario: Scenario) -> ShockRoles:
    """The shock of a scenario: its first ownership change (enabled or not), else its first contract end."""
    stakes = [e for e in scenario.events.values() if isinstance(e, OwnershipChange)]
    if stakes:
        first = min(stakes, key=lambda e: e.week)
        lab = scenario.investors[first.investor].lab or first.investor
        return ShockRoles(first.vendor, lab, scenario.meta.reference_week)
    ends = [e for e in scenario.events.values() if isinstance(e, ContractEnd)]
    if ends:
        first_end = min(ends, key=lambda e: e.week)
        return ShockRoles(first_end.vendor, None, scenario.meta.reference_week, lost_client=first_end.lab)
    raise ValueError(f"scenario '{scenario.meta.name}' has no ownership_change or contract_end event to "
                     "validate against")


def largest_rival_client(scenario: Scenario, roles: ShockRoles) -> str:
    """The lab with the largest initial spend at the target vendor among the acquirer's rivals."""
    rivals = {name: lab.contracts.get(roles.vendor, 0.0) for name, lab in scenario.labs.items()
              if roles.acquirer_lab and lab.rivals.get(roles.acquirer_lab, 0.0) > 0 and name != roles.acquirer_lab}
    if not rivals:
        raise ValueError(f"no lab in '{scenario.meta.name}' is a rival of {roles.acquirer_lab}")
    return max(rivals, key=rivals.__getitem__)


@dataclass
class RunDigest:
    """Weekly series of one run, indexed by relative week (model week - reference week)."""

    scenario: str
    seed: int
    target: str                   # the vendor the shock strikes
    market: pd.DataFrame          # hhi, effective_vendors, vc_committed_musd, entrants, unmet_musd
    inquiries: pd.DataFrame       # one column per vendor: inquiries received that week
    shares: pd.DataFrame          # one column per vendor: revenue share
    revenue: pd.DataFrame         # one column per vendor: revenue, $M/yr
    capacity: pd.DataFrame        # one column per vendor: capacity, $M/yr (0 once it has left the market)
    active: pd.DataFrame          # one column per vendor: still in the market
    target_spend: pd.DataFrame    # one column per lab: its spend at the target vendor, $M/yr
    drawdown: pd.DataFrame        # columns (lab, vendor): largest peak-to-trough drop of that spend so far, 0..1


def max_drawdown(spend: pd.DataFrame) -> pd.DataFrame:
    """Running maximum of 1 - spend / (its running peak), per column; 0 while the peak is 0.

    The share of a lab's spend at a vendor it has moved away at most, up to each week (peak to trough).
    """
    peak = spend.cummax()
    drop = (1.0 - spend / peak.where(peak > 0)).fillna(0.0).clip(lower=0.0)
    return drop.cummax()


def digest_model(model: MarketModel, spec: RunSpec) -> RunDigest:
    """The digest of a run that has ended (the reduce step of a validation batch): only the market, vendors and
    allocations frames are built, the event log is not read."""
    scenario = model.market_scenario
    roles = shock_roles(scenario)
    frames = model.frames(("market", "vendors", "allocations"))
    offset = roles.reference_week
    market = frames["market"].set_index(frames["market"]["week"] - offset)
    market.index.name = "rel_week"
    vendors = frames["vendors"].assign(rel_week=frames["vendors"]["week"] - offset)

    def by_vendor(column: str, fill: Any) -> pd.DataFrame:
        return vendors.pivot(index="rel_week", columns="vendor", values=column).fillna(fill)

    alloc = frames["allocations"].assign(rel_week=frames["allocations"]["week"] - offset)
    spend = alloc.pivot(index="rel_week", columns=["lab", "vendor"], values="spend_musd").fillna(0.0)
    spend = spend.loc[:, spend.max() > 0]
    target = alloc[alloc["vendor"] == roles.vendor].pivot(index="rel_week", columns="lab", values="spend_musd")
    return RunDigest(
        scenario=scenario.meta.name, seed=int(spec.seed), target=roles.vendor,
        market=market[MARKET_SERIES],
        inquiries=by_vendor("inquiries", 0).astype(np.int64),
        shares=by_vendor("share", 0.0),
        revenue=by_vendor("revenue_musd", 0.0),
        capacity=by_vendor("capacity_musd", 0.0),
        active=by_vendor("active", False).astype(bool),
        target_spend=target,
        drawdown=max_drawdown(spend),
    )
