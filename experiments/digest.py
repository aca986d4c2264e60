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
from labelmarket.model.recorder import VENDOR_COLUMNS
from labelmarket.model.runner import RunSpec
from labelmarket.scenarios.schema import ContractEnd, OwnershipChange, Scenario

MARKET_SERIES = ["hhi", "effective_vendors", "vc_committed_musd", "entrants", "unmet_musd"]
VENDOR_FIELDS = VENDOR_COLUMNS[2:]  # the rows of Recorder.vendor_block


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
    Computed on the array (the digest's cost, D87): the same numbers as pandas' cummax, where, fillna and clip.
    """
    values = spend.to_numpy(dtype=float)
    peak = np.maximum.accumulate(values, axis=0) if len(values) else values
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = 1.0 - values / np.where(peak > 0, peak, np.nan)
    drop = np.where(np.isnan(drop) | (drop < 0.0), 0.0, drop)
    running = np.maximum.accumulate(drop, axis=0) if len(drop) else drop
    return pd.DataFrame(running, index=spend.index, columns=spend.columns)


def digest_model(model: MarketModel, spec: RunSpec) -> RunDigest:
    """The digest of a run that has ended (the reduce step of a validation batch).

    Read from the recorder's arrays (weekly vendor rows, labs x vendors spend) rather than from the long frames,
    which it would only pivot back into these wide tables: the same tables (columns sorted by name, as a pivot
    sorts them; ``tests/validation/test_digest.py`` holds it to the frames), at a fraction of the cost (D87).
    The event log is not read.
    """
    scenario = model.market_scenario
    roles = shock_roles(scenario)
    recorder, offset = model.recorder, roles.reference_week
    market = recorder.market_frame()
    market = market.set_index(market["week"] - offset)
    market.index.name = "rel_week"
    vendor_names = np.asarray(model.state.vendor_names, dtype=object)
    rel_weeks = pd.Index(np.asarray(recorder.vendor_weeks, dtype=np.int64) - offset, name="rel_week")
    fields = recorder.vendor_block()
    order = np.argsort(vendor_names[: fields.shape[2]], kind="stable")
    columns = pd.Index(vendor_names[order], name="vendor")

    def by_vendor(column: str, fill: float) -> pd.DataFrame:
        values = fields[VENDOR_FIELDS.index(column)][:, order]
        return pd.DataFrame(np.where(np.isnan(values), fill, values), index=rel_weeks, columns=columns)

    spend_weeks, spend = recorder.spend_block()
    labs = np.asarray(model.state.lab_names, dtype=object)
    lab_order = np.argsort(labs, kind="stable")
    spend_index = pd.Index(spend_weeks - offset, name="rel_week")
    cells = np.nan_to_num(spend, nan=0.0)[:, lab_order][:, :, order].reshape(len(spend_weeks), -1)
    pairs = pd.MultiIndex.from_product([labs[lab_order], vendor_names[order]], names=["lab", "vendor"])
    kept = cells.max(axis=0, initial=-np.inf) > 0
    target = spend[:, lab_order, model.state.vendor_names.index(roles.vendor)]
    return RunDigest(
        scenario=scenario.meta.name, seed=int(spec.seed), target=roles.vendor,
        market=market[MARKET_SERIES],
        inquiries=by_vendor("inquiries", 0.0).astype(np.int64),
        shares=by_vendor("share", 0.0),
        revenue=by_vendor("revenue_musd", 0.0),
        capacity=by_vendor("capacity_musd", 0.0),
        active=by_vendor("active", 0.0).astype(bool),
        target_spend=pd.DataFrame(target, index=spend_index, columns=pd.Index(labs[lab_order], name="lab")),
        drawdown=max_drawdown(pd.DataFrame(cells[:, kept], index=spend_index, columns=pairs[kept])),
    )
