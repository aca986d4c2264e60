"""Synthetic markets of any size with the structure of the calibrated one (scenarios/meta_scale_2025.toml).

``synthetic_scenario(labs=1000, vendors=200, seed=3)`` returns a validated :class:`Scenario` with

- a few **strategic owners**: investors of kind "strategic" tied to the largest labs (the frontier labs);
- **rivalry blocks**: every other lab belongs to the arena of one frontier lab, rivals it (and, more weakly,
  some of the other frontier labs) and a few peers in the same arena; about a fifth of the buyers are
  enterprises or public-sector buyers that rival no one, like the calibrated scenario's non-lab buyers;
- **heavy-tailed** lab budgets (lognormal) and vendor sizes (Pareto), so a few vendors dominate, as Scale AI
  and Surge AI do;
- **contracts consistent with budgets and capacities**: each lab places its whole budget over a few vendors
  drawn in proportion to vendor size (so its contracts sum to its budget), and each vendor's capacity is its
  initial revenue over a utilisation of 80-95 % (so revenue <= capacity and no vendor starts loss-making);
- a few **venture funds** holding minority stakes in some of the smaller vendors;
- an **ownership shock** at ``reference_week``: a strategic investor buys 49 % (non-voting) of the largest
  vendor, which issues an assurance while some of its key talent leaves for the buyer (the calibrated story).

The generator is deterministic by seed: it draws only from its own ``numpy.random.default_rng(seed)``, which is
upstream of the model (the model's own randomness comes from ``MarketModel(rng=...)``). Large markets switch
the labs x vendors allocations frame off (``record.allocations = false``), since it would hold
labs x vendors x weeks rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labelmarket.scenarios.loader import validate_document
from labelmarket.scenarios.schema import Scenario
from labelmarket.scenarios.size import run_memory_bytes

HORIZON_WEEKS = 104
REFERENCE_WEEK = 26
SEGMENTS = ("managed_labelling", "expert_data", "expert_network")
# The allocations frame has labs x vendors x (horizon + 1) rows; above this many it is not recorded
# (one million rows is about 50 MB of frame; 100 labs x 96 vendors x 105 weeks is at the limit).
ALLOCATION_ROWS_LIMIT = 1_000_000
LARGE_MARKET_LOG_SHARE = 0.01  # large markets log moves of >= 1 % of the largest lab budget
NON_LAB_BUYER_SHARE = 0.2      # enterprises and public sector: buyers that rival no one
MEDIAN_BUDGET_MUSD = 20.0      # median lab budget; the calibrated labs span $80M-$470M, the tail reaches them
BUDGET_LOG_SIGMA = 1.2         # lognormal spread of budgets (top lab about 50x the median at 1,000 labs)
VENDOR_PARETO_SHAPE = 1.2      # tail index of vendor size: a few vendors take most of the market
PEER_RIVALS = 3                # peers in its own arena a lab names as rivals


def synthetic_scenario(labs: int, vendors: int, seed: int, *, horizon_weeks: int = HORIZON_WEEKS,
                       reference_week: int = REFERENCE_WEEK) -> Scenario:
    """A validated market of ``labs`` buyers and ``vendors`` vendors, the same for the same seed."""
    if labs < 1 or vendors < 1:
        raise ValueError(f"a synthetic market needs at least one lab and one vendor (got labs={labs}, "
                         f"vendors={vendors})")
    if not 0 <= reference_week <= horizon_weeks:
        raise ValueError(f"reference_week {reference_week} must lie within the horizon (0..{horizon_weeks})")
    rng = np.random.default_rng(seed)
    doc = synthetic_document(labs, vendors, rng, horizon_weeks, reference_week)
    doc["meta"]["seed"] = int(seed)
    return validate_document(doc, f"synthetic_scenario(labs={labs}, vendors={vendors}, seed={seed})")


def records_allocations(labs: int, vendors: int, horizon_weeks: int = HORIZON_WEEKS) -> bool:
    """Whether a synthetic market of this size keeps the labs x vendors allocations frame."""
    return labs * vendors * (horizon_weeks + 1) <= ALLOCATION_ROWS_LIMIT


def synthetic_memory_bytes(labs: int, vendors: int, weeks: int | None = None) -> int:
    """Estimated peak memory of a run of a synthetic market of this size, known before it is generated."""
    return run_memory_bytes(labs, vendors, weeks or HORIZON_WEEKS,
                            1 if records_allocations(labs, vendors) else None)


def synthetic_document(n_labs: int, n_vendors: int, rng: np.random.Generator, horizon_weeks: int,
                       reference_week: int) -> dict[str, Any]:
    """The scenario document (plain dicts, as a TOML file would give) of one synthetic market."""
    lab_names = [f"Lab {i + 1:0{len(str(n_labs))}d}" for i in range(n_labs)]
    vendor_names = [f"Vendor {j + 1:0{len(str(n_vendors))}d}" for j in range(n_vendors)]

    budget = MEDIAN_BUDGET_MUSD * rng.lognormal(0.0, BUDGET_LOG_SIGMA, n_labs)
    size = rng.pareto(VENDOR_PARETO_SHAPE, n_vendors) + 1.0
    spend = _initial_contracts(budget, size, rng)
    revenue = spend.sum(axis=0)
    utilisation = rng.uniform(0.80, 0.95, n_vendors)
    capacity = np.maximum(revenue / utilisation, 1.0)

    # The frontier labs are the largest budgets; each owns one strategic investor and anchors an arena.
    n_strategic = min(n_labs, 2 + int(np.log10(n_labs)))
    frontier = np.argsort(-budget, kind="stable")[:n_strategic]
    strategic_names = [f"{lab_names[i]} Ventures" for i in frontier]
    n_venture = 2 + int(np.log10(n_labs * n_vendors))
    venture_names = [f"Venture fund {k + 1}" for k in range(n_venture)]
    largest = int(np.argmax(revenue))

    lab_docs = _labs(lab_names, budget, spend, vendor_names, frontier, rng)
    vendor_docs = _vendors(vendor_names, capacity, largest, venture_names, rng)
    investors: dict[str, Any] = {name: {"kind": "strategic", "lab": lab_names[i]}
                                 for name, i in zip(strategic_names, frontier)}
    total_budget = float(budget.sum())
    for name in venture_names:
        investors[name] = {"kind": "venture", "capital_musd": round(total_budget * rng.uniform(0.25, 0.65), 3)}

    buyer = strategic_names[int(rng.integers(n_strategic))]
    target = vendor_names[largest]
    return {
        "meta": {"name": f"synthetic_{n_labs}x{n_vendors}",
                 "description": f"Synthetic market: {n_labs} labs, {n_vendors} vendors; {buyer} buys 49 % "
                                f"(non-voting) of the largest vendor, {target}, at week {reference_week}.",
                 "horizon_weeks": horizon_weeks, "reference_week": reference_week},
        "labs": lab_docs,
        "vendors": vendor_docs,
        "investors": investors,
        "events": {
            "strategic_stake": {"kind": "ownership_change", "week": reference_week, "investor": buyer,
                                "vendor": target, "stake": 0.49, "voting": False,
                                "cash_musd": round(1.7 * float(revenue[largest]), 3), "talent_taken": 0.0},
            "assurance": {"kind": "assurance", "week": reference_week, "vendor": target,
                          "promise": "data_firewall", "strength": 0.5},
            "leadership_departure": {"kind": "leadership_departure", "week": reference_week, "vendor": target,
                                     "to": buyer, "talent_share": 0.08},
        },
        "record": _record(records_allocations(n_labs, n_vendors, horizon_weeks), budget),
    }


def _record(small: bool, budget: np.ndarray) -> dict[str, Any]:
    """What a run keeps: everything for a small market; for a large one no labs x vendors frame, and only
    the moves of at least ``LARGE_MARKET_LOG_SHARE`` of the largest budget in the event log (otherwise
    thousands of labs write a sentence per review, and writing them costs more than deciding them)."""
    if small:
        return {"allocations": True}
    return {"allocations": False, "decisions_min_musd": round(LARGE_MARKET_LOG_SHARE * float(budget.max()), 3)}


def _initial_contracts(budget: np.ndarray, size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(L, V) initial spend: each lab splits its whole budget over a few vendors drawn in proportion to size.

    Larger labs second-source more (more vendors). Every vendor gets at least one client, so none starts
    with no revenue. Amounts are rounded to $1k and each lab's budget is then the exact sum of its contracts.
    """
    n_labs, n_vendors = budget.size, size.size
    n_chosen = 1 + rng.poisson(1.0 + 0.8 * np.maximum(0.0, np.log(budget / np.median(budget))))
    n_chosen = np.minimum(n_chosen, min(n_vendors, 8))
    # Gumbel-top-k: a draw without replacement with probability proportional to size, for every lab at once:
    # a lab's vendors are those whose key reaches its n-th largest key.
    keys = np.log(size)[None, :] + rng.gumbel(size=(n_labs, n_vendors))
    k_max = int(n_chosen.max())
    top = -np.partition(-keys, np.arange(k_max), axis=1)[:, :k_max]
    chosen = keys >= top[np.arange(n_labs), n_chosen - 1][:, None]
    del keys, top
    for j in np.flatnonzero(~chosen.any(axis=0)):
        chosen[rng.integers(n_labs), j] = True
    weight = np.zeros((n_labs, n_vendors))
    rows, cols = np.nonzero(chosen)
    weight[rows, cols] = rng.gamma(2.0, 1.0, rows.size) * np.sqrt(size[cols])
    split = weight / weight.sum(axis=1, keepdims=True)
    spend = np.round(split * budget[:, None], 3)
    # A tiny lab can round a contract to zero: keep every chosen contract at least $1k.
    return np.where(chosen, np.maximum(spend, 0.001), 0.0)


def _labs(names: list[str], budget: np.ndarray, spend: np.ndarray, vendor_names: list[str],
          frontier: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Lab tables: kind, budget, rivals (arenas anchored on the frontier labs), sensitivity, rhythm."""
    n_labs = len(names)
    is_frontier = np.zeros(n_labs, dtype=bool)
    is_frontier[frontier] = True
    non_lab = (rng.random(n_labs) < NON_LAB_BUYER_SHARE) & ~is_frontier
    arena = rng.integers(frontier.size, size=n_labs)
    arena[frontier] = np.arange(frontier.size)
    members = [np.flatnonzero((arena == a) & ~non_lab & ~is_frontier) for a in range(frontier.size)]
    kind = np.where(non_lab, np.where(rng.random(n_labs) < 0.3, "public_sector", "enterprise"), "frontier_lab")
    sensitivity = np.where(non_lab, rng.uniform(0.3, 0.6, n_labs),
                           np.where(is_frontier, rng.uniform(0.75, 0.95, n_labs), rng.uniform(0.4, 0.9, n_labs)))
    review = rng.choice([4, 6, 8, 13, 26], p=[0.3, 0.25, 0.25, 0.15, 0.05], size=n_labs)
    review = np.where(is_frontier, rng.choice([4, 6], size=n_labs), review)
    switching_cost = rng.uniform(0.4, 1.0, n_labs)
    alarm = rng.uniform(0.3, 0.5, n_labs)
    growth = rng.uniform(0.1, 0.5, n_labs)
    frontier_names = [names[i] for i in frontier]
    cross = rng.uniform(0.3, 1.0, (frontier.size, frontier.size))  # rivalry among the frontier labs

    docs: dict[str, Any] = {}
    for i, name in enumerate(names):
        rivals: dict[str, float] = {}
        if is_frontier[i]:
            a = int(arena[i])
            rivals = {frontier_names[b]: round(float(cross[a, b]), 3) for b in range(frontier.size) if b != a}
        elif not non_lab[i]:
            a = int(arena[i])
            rivals[frontier_names[a]] = round(float(rng.uniform(0.5, 1.0)), 3)
            for b in range(frontier.size):
                if b != a and rng.random() < 0.3:
                    rivals[frontier_names[b]] = round(float(rng.uniform(0.1, 0.5)), 3)
            peers = members[a][members[a] != i]
            for p in rng.choice(peers, size=min(PEER_RIVALS, peers.size), replace=False):
                rivals[names[int(p)]] = round(float(rng.uniform(0.2, 0.8)), 3)
        row = spend[i]
        contracts = {vendor_names[j]: float(row[j]) for j in np.flatnonzero(row > 0)}
        docs[name] = {
            "kind": str(kind[i]), "budget_musd": sum(contracts.values()),
            "growth_per_year": round(float(growth[i]), 3), "rivals": rivals,
            "data_sensitivity": round(float(sensitivity[i]), 3), "review_interval_weeks": int(review[i]),
            "switching_cost": round(float(switching_cost[i]), 3), "alarm_trust": round(float(alarm[i]), 3),
            "contracts": contracts,
        }
    return docs


def _vendors(names: list[str], capacity: np.ndarray, largest: int, venture_names: list[str],
             rng: np.random.Generator) -> dict[str, Any]:
    """Vendor tables: segment, capacity, quality, price, cash, and venture stakes in some smaller vendors."""
    n_vendors = len(names)
    segment = rng.integers(len(SEGMENTS), size=n_vendors)
    quality = rng.beta(16.0, 4.5, n_vendors)                      # mean about 0.78, as the named vendors
    price = np.clip(rng.lognormal(0.0, 0.12, n_vendors), 0.5, 3.0)
    cash = capacity * rng.uniform(0.3, 0.8, n_vendors)
    backed = (rng.random(n_vendors) < 0.25) & (np.arange(n_vendors) != largest)
    fund = rng.integers(len(venture_names), size=n_vendors)
    stake = rng.uniform(0.05, 0.3, n_vendors)
    docs: dict[str, Any] = {}
    for j, name in enumerate(names):
        owners = {venture_names[fund[j]]: {"stake": round(float(stake[j]), 3), "voting": True}} if backed[j] else {}
        docs[name] = {"segment": SEGMENTS[segment[j]], "capacity_musd": round(float(capacity[j]), 3),
                      "quality": round(float(quality[j]), 3), "price_index": round(float(price[j]), 3),
                      "cash_musd": round(float(cash[j]), 3), "owners": owners}
    return docs
