"""A compact digest of one run: just what the pattern checks and the validation figures read.

Runs happen in worker processes; a digest is small and picklable, so 30 seeds x 5 scenarios travel back
to the parent cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelmarket.model.runner import run_scenario
from labelmarket.scenarios.loader import load_scenario
from labelmarket.scenarios.schema import OwnershipChange, Scenario


@dataclass(frozen=True)
class ShockRoles:
    """Who plays which part in the story, derived from the scenario (never from a rule)."""

    vendor: str             # the vendor the rival buys into
    acquirer_lab: str       # the lab whose investor buys the stake
    reference_week: int     # model week called "week 0" in the patterns


def shock_roles(scenario: Scenario) -> ShockRoles:
    """The target vendor and acquirer of the scenario's first ownership change (enabled or not)."""
    events = [e for e in scenario.events.values() if isinstance(e, OwnershipChange)]
    if not events:
        raise ValueError(f"scenario '{scenario.meta.name}' has no ownership_change event to validate against")
    first = min(events, key=lambda e: e.week)
    lab = scenario.investors[first.investor].lab or first.investor
    return ShockRoles(first.vendor, lab, scenario.meta.reference_week)


def largest_rival_client(scenario: Scenario, roles: ShockRoles) -> str:
    """The lab with the largest initial spend at the target vendor among the acquirer's rivals."""
    rivals = {name: lab.contracts.get(roles.vendor, 0.0) for name, lab in scenario.labs.items()
              if lab.rivals.get(roles.acquirer_lab, 0.0) > 0 and name != roles.acquirer_lab}
    if not rivals:
        raise ValueError(f"no lab in '{scenario.meta.name}' is a rival of {roles.acquirer_lab}")
    return max(rivals, key=rivals.__getitem__)


@dataclass
class RunDigest:
    """Weekly series of one run, indexed by *relative* week (model week - reference week)."""

    scenario: str
    seed: int
    market: pd.DataFrame          # index rel_week; hhi, effective_vendors, vc_committed_musd, entrants, unmet_musd
    inquiries: pd.DataFrame       # index rel_week; one column per vendor
    shares: pd.DataFrame          # index rel_week; one column per vendor (revenue share)
    target_spend: pd.DataFrame    # index rel_week; one column per lab: spend at the target vendor, $M/yr


def digest_run(scenario_name: str, seed: int, overrides: dict | None = None) -> RunDigest:
    """Run one scenario and keep what validation needs (the allocations frame is reduced to one vendor)."""
    scenario = load_scenario(scenario_name, overrides)
    roles = shock_roles(scenario)
    result = run_scenario(scenario, seed=seed)
    offset = roles.reference_week
    market = result.market.set_index(result.market["week"] - offset)
    market.index.name = "rel_week"
    vendors = result.vendors.assign(rel_week=result.vendors["week"] - offset)
    alloc = result.allocations[result.allocations["vendor"] == roles.vendor]
    target = alloc.assign(rel_week=alloc["week"] - offset).pivot(index="rel_week", columns="lab",
                                                                 values="spend_musd")
    return RunDigest(
        scenario=scenario.meta.name, seed=seed,
        market=market[["hhi", "effective_vendors", "vc_committed_musd", "entrants", "unmet_musd"]],
        inquiries=vendors.pivot(index="rel_week", columns="vendor", values="inquiries").fillna(0).astype(np.int64),
        shares=vendors.pivot(index="rel_week", columns="vendor", values="share").fillna(0.0),
        target_spend=target,
    )
