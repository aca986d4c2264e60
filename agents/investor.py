"""Investors: strategic owners (an AI lab's investment arm) and venture funds.

A strategic investor carries out ownership events; its lab then values the owned vendor more (captive
demand, read by ``labelmarket.agents.lab.decide``). In model 2.0 it also decides (:func:`decide_as_owner`):
it shifts its lab's work toward or away from the vendor it owns, and sells a stake whose value has fallen. Venture funds have limited capital and herd toward hot
segments (Nanda & Rhodes-Kropf 2013): they read inquiry growth, perceived neutrality and unmet demand, then
fund neutral challengers or found new neutral entrants. Each rule changes the state it is given and returns
the entries of the event log it decided; an ``Investor`` agent is the readable face of one investor.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents import choice, perception
from labelmarket.agents.actor import MarketActor
from labelmarket.agents.lab import routine_inquiry_rate
from labelmarket.agents.vendor import churn_share, expected_sales_contacts, lose_talent, note_breach
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
REVENUE_LONG_WEEKS = 26.0         # time constant of the funds' slow revenue average (model 2.0)


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
                  talent_taken: float, paid_musd: float | None = None) -> None:
    """Buy ``stake`` of vendor j (other holders are diluted pro rata), pay cash in, and take talent.
    The buyer's own lab reviews at once, so captive demand follows the deal. The price paid (``paid_musd``,
    by default the cash the vendor receives) is remembered for the owner's divestment decision; a strategic
    buyer of a vendor that has promised neutrality breaks that promise (``note_breach``)."""
    if s.is_strategic[k]:
        note_breach(s, j)
    owned = min(1.0, float(s.stake[j, k]) + stake)
    if owned > 0:  # a price is remembered only for a stake actually held
        s.stake_paid_musd[j, k] += cash_musd if paid_musd is None else paid_musd
    others = float(s.stake[j].sum() - s.stake[j, k])
    if others > 1.0 - owned:
        s.stake[j] *= (1.0 - owned) / others
    s.stake[j, k] = owned
    s.stake_paid_musd[j, s.stake[j] <= 0] = 0.0  # a holder diluted to nothing holds no stake to value
    s.voting[j, k] = voting
    s.cash_musd[j] += cash_musd
    if talent_taken > 0:
        lose_talent(s, j, talent_taken, k)
    if s.is_strategic[k]:
        s.review_now[s.investor_lab[k]] = True


def divest(s: MarketState, k: int, j: int, stake: float | None) -> float:
    """Sell ``stake`` of vendor j (all of it when None); returns the stake sold."""
    sold = float(s.stake[j, k] if stake is None else min(stake, s.stake[j, k]))
    held = float(s.stake[j, k])
    s.stake[j, k] -= sold
    s.stake_paid_musd[j, k] *= s.stake[j, k] / held if held > 0 else 0.0  # the rest keeps its share of the price
    if s.stake[j, k] <= 1e-12:
        s.stake[j, k] = 0.0
        s.voting[j, k] = False
        s.stake_paid_musd[j, k] = 0.0
    if s.is_strategic[k]:
        s.review_now[s.investor_lab[k]] = True
    return sold


def decide_as_owner(s: MarketState, b: Behaviour, week: int) -> list[LogEntry]:
    """Strategic owners decide (model 2.0): captive volume for their lab, then whether to keep each stake."""
    return captive_volume(s, b, week) + review_stakes(s, b)


def captive_volume(s: MarketState, b: Behaviour, week: int) -> list[LogEntry]:
    """At its lab's routine review, a strategic owner weighs the value of its stake against its lab's quality
    needs, and shifts some of the lab's work toward the vendor it owns, or away from it.

    Financial interest versus control (Salop & O'Brien 2000): the owner earns ``stake`` of the vendor's profit
    on work sent there, at a margin of 1 on work that fills idle capacity (its running cost is already paid:
    the vendor's revenue at risk) and 1 - operating_cost_ratio beyond it. Against that the lab gives up quality:
    the spend-weighted quality of its other vendors minus the owned vendor's. The net pull, in value units,
    net = captive_stake_weight x stake x margin - quality_weight x quality gap,
    moves clip(net, -1, 1) x ``captive_shift_share`` of the lab's budget (nothing below ``min_move_share``):
    toward the owned vendor (from the lab's other vendors pro rata, within its spare capacity) or away from it
    (to the lab's other vendors pro rata, within theirs). Vertical partial ownership and the owner's own
    purchases: Allain, Chambolle & Rey 2016. No floor: the owner's lab may also cut (P8 is not coded).
    """
    if b.captive_stake_weight <= 0:
        return []
    revenue = s.revenue_musd()
    entries = []
    for j, k in zip(*np.nonzero((s.stake > 0) & s.is_strategic[None, :] & s.active[:, None])):
        i = int(s.investor_lab[k])
        if (week + s.review_phase_weeks[i]) % s.review_interval_weeks[i] != 0:
            continue
        others = s.spend_musd[i] * (np.arange(s.n_vendors) != j) * s.active
        if others.sum() <= 0:
            continue
        margin = 1.0 if revenue[j] < s.capacity_musd[j] else 1.0 - b.operating_cost_ratio
        quality_gap = float(others @ s.quality / others.sum() - s.quality[j])
        net = b.captive_stake_weight * float(s.stake[j, k]) * margin - b.quality_weight * quality_gap
        wanted = float(np.clip(net, -1.0, 1.0)) * b.captive_shift_share * float(s.budget_musd[i])
        if abs(wanted) < max(b.min_move_share * float(s.budget_musd[i]), 1e-9):
            continue
        moved = shift_captive_work(s, i, int(j), others, wanted, revenue)
        if moved.any():
            entries.append(captive_entry(s, int(k), int(j), moved, net, margin))
            revenue = s.revenue_musd()
    return entries


def shift_captive_work(s: MarketState, i: int, j: int, others: np.ndarray, wanted_musd: float,
                       revenue: np.ndarray) -> np.ndarray:
    """Move ``wanted_musd`` of lab i's work into vendor j (> 0) or out of it (< 0), pro rata over the lab's other
    vendors ``others`` and within the receivers' spare capacity; returns the (V,) change of lab i's spend."""
    spare = np.maximum(s.capacity_musd - revenue, 0.0)
    weights = others / others.sum()
    change = np.zeros(s.n_vendors)
    if wanted_musd > 0:
        amount = min(wanted_musd, float(spare[j]), float(others.sum()))
        change -= weights * amount
        change[j] += amount
    else:
        amount = min(-wanted_musd, float(s.spend_musd[i, j]))
        granted = choice.ration_capacity((weights * amount)[None, :], spare)[0]
        change += granted
        change[j] -= granted.sum()
    s.spend_musd[i] = np.maximum(s.spend_musd[i] + change, 0.0)
    s.switched_musd += float(np.maximum(change, 0.0).sum())
    return change


def captive_entry(s: MarketState, k: int, j: int, change: np.ndarray, net: float, margin: float) -> LogEntry:
    """The captive shift in the event log: from the vendor that lost most to the one that gained most; the
    benefit is the owner's share of the margin on the work moved into (or, < 0, out of) the owned vendor."""
    src, dst = int(np.argmin(change)), int(np.argmax(change))
    return LogEntry(EventKind.CAPTIVE_SHIFT, s.investor_names[k], s.vendor_names[src],
                    float(np.maximum(change, 0.0).sum()), destination=s.vendor_names[dst], value_gap=net,
                    stake=float(s.stake[j, k]), quality=float(s.quality[j]),
                    benefit_musd=float(s.stake[j, k]) * margin * float(change[j]),
                    own_stake_in_destination=float(s.stake[dst, k]))


def review_stakes(s: MarketState, b: Behaviour) -> list[LogEntry]:
    """A strategic owner sells a stake whose value has fallen below ``divest_threshold`` of the price it paid.

    The stake's value is stake x ``stake_valuation_multiple`` x the vendor's revenue run-rate (a revenue
    multiple, as the deal itself was priced); the price paid is the one recorded at acquisition. Financial
    interest (Salop & O'Brien 2000): once the stake is worth little, the owner keeps the conflict and not the
    value, and sells.
    """
    if b.divest_threshold <= 0:
        return []
    value = s.stake * b.stake_valuation_multiple * s.revenue_musd()[:, None]
    sell = (s.stake > 0) & s.is_strategic[None, :] & (s.stake_paid_musd > 0) \
        & (value < b.divest_threshold * s.stake_paid_musd)
    entries = []
    for j, k in zip(*np.nonzero(sell)):
        paid = float(s.stake_paid_musd[j, k])
        sold = divest(s, int(k), int(j), None)
        entries.append(LogEntry(EventKind.STAKE_SALE, s.investor_names[k], s.vendor_names[j], 0.0, stake=sold,
                                stake_value_musd=float(value[j, k]), paid_musd=paid))
    return entries


# ----------------------------------------------------------------------------------------- venture funds
def invest(s: MarketState, b: Behaviour, rng: np.random.Generator) -> list[LogEntry]:
    """Venture funds deal at a rate that rises with sector heat (herding), within their capital.

    Each fund with capital left deals this week with probability base x appetite x (1 + herding x heat).
    A deal founds a new neutral entrant (share ``vc_entry_share`` x min(1, heat)) or funds a neutral
    vendor of the hottest segment, chosen in proportion to its inquiry signal. The ticket never
    exceeds the capital left.
    """
    if b.fund_own_perception > 0:
        perceive_prospects(s, b)
    funds = np.flatnonzero(~s.is_strategic & (s.capital_left_musd > 1e-9))
    if funds.size == 0:
        return []
    heat, hottest, appeal = sector_heat(s, b)
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


def perceive_prospects(s: MarketState, b: Behaviour) -> None:
    """Venture funds' own view of each vendor (model 2.0): its neutrality from ownership and news, and the
    slow revenue average its growth is read against.

    Funds' neutrality moves (at ``neutrality_rate_per_week``, as labs' does: Friedkin & Johnsen 1990) toward
    1 - fund_owner_discount x strategic stake - fund_news_weight x churn share: a lab-owned stake makes a
    vendor less neutral in investors' eyes, and clients' exits are news they read (Bikhchandani, Hirshleifer
    & Welch 1992). Funds herd on what they see (Nanda & Rhodes-Kropf 2013). Run each week, and used by
    :func:`sector_heat`, only while ``fund_own_perception`` is on.
    """
    strategic_stake = s.stake[:, s.is_strategic].sum(axis=1)
    anchor = np.clip(1.0 - b.fund_owner_discount * strategic_stake - b.fund_news_weight * churn_share(s), 0.0, 1.0)
    s.fund_neutrality = perception.anchored_update(s.fund_neutrality, anchor, b.neutrality_rate_per_week)
    s.revenue_long_ema_musd += (s.revenue_musd() - s.revenue_long_ema_musd) / REVENUE_LONG_WEEKS


def revenue_growth(s: MarketState) -> np.ndarray:
    """(V,) revenue against its slow average, minus 1 (0 for a vendor with no revenue history)."""
    base = s.revenue_long_ema_musd
    return np.divide(s.revenue_musd(), base, out=np.ones_like(base), where=base > 0) - 1.0


def sector_heat(s: MarketState, b: Behaviour) -> tuple[float, str, np.ndarray]:
    """Heat of the hottest segment, its name, and each neutral vendor's appeal within it.

    heat_seg = max(0, sum of n_j g_j x short-run inquiries / (sum of n_j g_j x long-run inquiries + 0.5) - 1)
    + 10 x unmet share, and a vendor's appeal in the hottest segment is n_j g_j x short-run inquiries. With ``fund_own_perception`` off (the pre-2.0 rule), n_j is the market's
    budget-weighted perceived neutrality of vendor j, zero for a vendor with any strategic owner (funds back
    neutral vendors only), and g_j = 1. With it on, n_j is the funds' own ``fund_neutrality`` and
    g_j = max(0, 1 + fund_growth_weight x revenue growth) their reading of its prospects: growth weighs where
    funds look (a growing vendor's inquiries count more), it does not by itself make a segment hot.
    """
    if b.fund_own_perception > 0:
        neutral = s.fund_neutrality * s.active
        prospects = np.maximum(1.0 + b.fund_growth_weight * revenue_growth(s), 0.0)
    else:
        weight = s.budget_musd / max(s.budget_musd.sum(), 1e-9)
        market_neutrality = weight @ s.perceived_neutrality
        strategic_stake = s.stake[:, s.is_strategic].sum(axis=1)
        neutral = market_neutrality * (strategic_stake <= 0) * s.active
        prospects = 1.0
    signal = neutral * prospects * s.inquiries_short_ema
    base = neutral * prospects * s.inquiries_long_ema
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
    s.stake_paid_musd[j, k] += ticket_musd
    s.cash_musd[j] += ticket_musd


def entrant_fit(s: MarketState, j: int) -> np.ndarray:
    """(L,) outside-option fit of vendor ``j`` under the market-at-rest rule (D35, D45): a newcomer is an outside
    option no better known than the least-known vendor of its segment that the lab does not use, so each lab gives
    it the lowest fit it gives such a vendor (any unused vendor if none is of its segment; any other vendor if the
    lab uses them all). Its quality, trust and price then count on top, as for every vendor. Without this a
    newcomer had fit 0, far above the rest fit of the vendors a lab does not use, and drew spend from a market at
    rest. A lab that ends a contract in full gives the vendor the same outside-option fit (D46,
    ``labelmarket.model.events.apply_event``)."""
    others = np.arange(s.n_vendors) != j
    unused = others[None, :] & (s.spend_musd <= 0)
    same = unused & (s.segment == s.segment[j])[None, :]
    pool = np.where(same.any(axis=1, keepdims=True), same,
                    np.where(unused.any(axis=1, keepdims=True), unused, others[None, :]))
    if not pool.any():
        return np.zeros(s.n_labs)
    return np.min(np.where(pool, s.fit, np.inf), axis=1)


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
    if b.rest_fit_on:
        s.fit[:, j] = entrant_fit(s, j)
        # D45: like the incumbents at the start, a newcomer's inquiry averages start at what a resting market sends
        # it (routine scanning and its own sales contacts), so its mere arrival does not look like a boom
        baseline = float(routine_inquiry_rate(s, b)[j] + expected_sales_contacts(s, b)[j])
        s.inquiries_short_ema[j] = s.inquiries_long_ema[j] = baseline
    s.stake_paid_musd[j, k] = ticket_musd
    s.entrants_this_week += 1
    s.entrant_count += 1
    return j, LogEntry(EventKind.ENTRY, name, "", ticket_musd, capacity_musd=capacity, quality=quality)
