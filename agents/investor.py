"""Investors: strategic owners (an AI lab's investment arm) and venture funds.

A strategic investor carries out ownership events; its lab then values the owned vendor more (captive
demand, read by ``labelmarket.agents.lab.decide``). Venture funds have limited capital and herd toward hot
segments (Nanda & Rhodes-Kropf 2013): they read inquiry growth, perceived neutrality and unmet demand, then
fund neutral challengers or found new neutral entrants. Each rule changes the state it is given and returns
the entries of the event log it decided; an ``Investor`` agent is the readable face of one investor.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents.actor import MarketActor
from labelmarket.agents.vendor import lose_talent
from labelmarket.model.event_log import EventKind, LogEntry
from labelmarket.model.state import MarketState
from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.schema import Owner

ENTRANT_FUND_STAKE = 0.3          # a founding fund's stake in the entrant it creates
ENTRANT_QUALITY_CONCENTRATION = 20.0  # Beta(m*c, (1-m)*c) spread of entrant quality around its mean
UNMET_HEAT_WEIGHT = 10.0          # heat per unit share of the market's budget left unmet
TICKET_SPREAD = (0.5, 1.5)        # a ticket is the typical ticket times U(0.5, 1.5)
ENTRANT_CAPACITY_SIGMA = 0.4      # log-sd of an entrant's capacity around entrant_capacity_musd (its median)
INQUIRY_HEAT_FLOOR = 0.5          # inquiries/week added to a segment's baseline, so one stray inquiry is no boom


class Investor(MarketActor):
    """One investor; its holdings are column ``index`` of the vendors x investors arrays."""

    NAMES = "investor_names"

    @property
    def strategic(self) -> bool:
        """True for a lab's investment arm, False for a venture fund."""
        return bool(self.state.is_strategic[self.index])

    @property
    def capital_musd(self) -> float:
        return float(self.state.capital_musd[self.index])

    @property
    def capital_left_musd(self) -> float:
        return float(self.state.capital_left_musd[self.index])

    @property
    def stakes(self) -> dict[str, float]:
        """Vendor name -> stake held (0..1), for the vendors it holds a stake in."""
        s = self.state
        return {s.vendor_names[j]: float(s.stake[j, self.index]) for j in np.flatnonzero(s.stake[:, self.index])}


# ------------------------------------------------------------------------------------ strategic investors
def acquire_stake(s: MarketState, k: int, j: int, stake: float, voting: bool, cash_musd: float,
                  talent_taken: float) -> None:
    """Buy ``stake`` of vendor j (other holders are diluted pro rata), pay cash in, and take talent.
    The buyer's own lab reviews at once, so captive demand follows the deal."""
    owned = min(1.0, float(s.stake[j, k]) + stake)
    others = float(s.stake[j].sum() - s.stake[j, k])
    if others > 1.0 - owned:
        s.stake[j] *= (1.0 - owned) / others
    s.stake[j, k] = owned
    s.voting[j, k] = voting
    s.cash_musd[j] += cash_musd
    if talent_taken > 0:
        lose_talent(s, j, talent_taken, k)
    if s.is_strategic[k]:
        s.review_now[s.investor_lab[k]] = True


def divest(s: MarketState, k: int, j: int, stake: float | None) -> float:
    """Sell ``stake`` of vendor j (all of it when None); returns the stake sold."""
    sold = float(s.stake[j, k] if stake is None else min(stake, s.stake[j, k]))
    s.stake[j, k] -= sold
    if s.stake[j, k] <= 1e-12:
        s.stake[j, k] = 0.0
        s.voting[j, k] = False
    if s.is_strategic[k]:
        s.review_now[s.investor_lab[k]] = True
    return sold


# ----------------------------------------------------------------------------------------- venture funds
def invest(s: MarketState, b: Behaviour, rng: np.random.Generator) -> list[LogEntry]:
    """Venture funds deal at a rate that rises with sector heat (herding), within their capital.

    Each fund with capital left deals this week with probability base x appetite x (1 + herding x heat).
    A deal founds a new neutral entrant (share ``vc_entry_share`` x min(1, heat)) or funds a neutral
    vendor of the hottest segment, chosen in proportion to its inquiry signal. The ticket never
    exceeds the capital left.
    """
    funds = np.flatnonzero(~s.is_strategic & (s.capital_left_musd > 1e-9))
    if funds.size == 0:
        return []
    heat, hottest, appeal = sector_heat(s)
    rate = min(1.0, b.vc_base_deal_rate_per_week * b.vc_appetite * (1.0 + b.vc_herding * heat))
    entries: list[LogEntry] = []
    for k in funds:
        if rng.random() >= rate:
            continue
        ticket = min(float(s.capital_left_musd[k]),
                     b.vc_ticket_share * float(s.capital_musd[k]) * rng.uniform(*TICKET_SPREAD))
        found_new = rng.random() < b.vc_entry_share * min(1.0, heat) or appeal.sum() <= 0
        target = None if found_new else int(rng.choice(appeal.size, p=appeal / appeal.sum()))
        entries += commit(s, b, rng, int(k), ticket, target, hottest, EventKind.FUNDING, heat)
    return entries


def commit(s: MarketState, b: Behaviour, rng: np.random.Generator, k: int, amount_musd: float,
           vendor: int | None, segment: str, kind: EventKind = EventKind.FUNDING,
           heat: float = float("nan")) -> list[LogEntry]:
    """A fund commits capital (never more than it has left): into vendor ``vendor``, or, when that is
    None, into a new neutral entrant of ``segment``. Returns the entrant's entry (if it founded one) and
    the funding entry, of ``kind`` (the funds' own rule, or an announced venture_funding event); a fund with
    no capital left invests nothing, and that is logged as a funding entry of $0M."""
    ticket = min(float(amount_musd), float(s.capital_left_musd[k]))
    if ticket <= 0:  # a fund with no capital left has nothing to invest (and a $0M stake would divide by 0)
        target = "" if vendor is None else s.vendor_names[vendor]
        return [LogEntry(kind, s.investor_names[k], target, 0.0, sector_heat=heat)]
    entries: list[LogEntry] = []
    if vendor is None:
        j, entry = found_entrant(s, b, rng, k, segment, ticket)
        entries.append(entry)
    else:
        j = vendor
        fund_vendor(s, b, k, j, ticket)
    s.capital_left_musd[k] -= ticket
    s.vc_committed_musd += ticket
    entries.append(LogEntry(kind, s.investor_names[k], s.vendor_names[j], ticket, sector_heat=heat))
    return entries


def sector_heat(s: MarketState) -> tuple[float, str, np.ndarray]:
    """Heat of the hottest segment, its name, and each neutral vendor's appeal within it.

    heat_seg = max(0, sum of n_j x short-run inquiries / (sum of n_j x long-run inquiries + 0.5) - 1)
    + 10 x unmet share, where n_j is the market's budget-weighted perceived neutrality of vendor j (zero for a vendor with any
    strategic owner: funds back neutral vendors only).
    """
    weight = s.budget_musd / max(s.budget_musd.sum(), 1e-9)
    market_neutrality = weight @ s.perceived_neutrality
    strategic_stake = s.stake[:, s.is_strategic].sum(axis=1)
    neutral = market_neutrality * (strategic_stake <= 0) * s.active
    signal = neutral * s.inquiries_short_ema
    base = neutral * s.inquiries_long_ema
    n_seg = len(s.segments)
    seg_signal = np.bincount(s.segment, weights=signal, minlength=n_seg)
    seg_base = np.bincount(s.segment, weights=base, minlength=n_seg)
    unmet_share = (s.unplaced_musd.sum() + s.blocked_musd) / max(s.budget_musd.sum(), 1e-9)
    seg_heat = np.maximum(0.0, seg_signal / (seg_base + INQUIRY_HEAT_FLOOR) - 1.0) + UNMET_HEAT_WEIGHT * unmet_share
    hot = int(np.argmax(seg_heat))
    appeal = np.where(s.segment == hot, signal, 0.0)
    return float(seg_heat[hot]), s.segments[hot], appeal


def fund_vendor(s: MarketState, b: Behaviour, k: int, j: int, ticket_musd: float) -> None:
    """Buy new equity: the stake is ticket / (valuation multiple x revenue + ticket); cash funds hiring."""
    pre_money = max(b.vc_valuation_multiple * float(s.spend_musd[:, j].sum()), ticket_musd)
    new_stake = ticket_musd / (pre_money + ticket_musd)
    s.stake[j] *= 1.0 - new_stake
    s.stake[j, k] += new_stake
    s.cash_musd[j] += ticket_musd


def found_entrant(s: MarketState, b: Behaviour, rng: np.random.Generator, k: int, segment: str,
                  ticket_musd: float) -> tuple[int, LogEntry]:
    """Create a neutral entrant with drawn capacity and quality, funded by the ticket; returns its index and
    its entry in the event log."""
    m = b.entrant_quality_mean
    quality = float(rng.beta(m * ENTRANT_QUALITY_CONCENTRATION, (1 - m) * ENTRANT_QUALITY_CONCENTRATION))
    capacity = float(b.entrant_capacity_musd * rng.lognormal(0.0, ENTRANT_CAPACITY_SIGMA))
    name = f"Neutral entrant {s.entrant_count + 1}"
    owner = {s.investor_names[k]: Owner(stake=ENTRANT_FUND_STAKE, voting=True)}
    j = s.add_vendor(name, segment, capacity, quality, 1.0, ticket_musd, owner)
    s.entrants_this_week += 1
    s.entrant_count += 1
    return j, LogEntry(EventKind.ENTRY, name, "", ticket_musd, capacity_musd=capacity, quality=quality)
