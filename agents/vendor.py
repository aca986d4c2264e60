"""Data vendors: revenue, hiring and layoffs, quality from talent, cash, and exit; and (model 2.0) the
strategic seller's decisions: prices, sales effort and assurances (:func:`compete`).

Rules are written once for all vendors (vectorised over the vendor columns of
``labelmarket.model.state.MarketState``) and return what they decided for the event log; a ``Vendor`` agent is
the readable face of one column.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents import choice
from labelmarket.agents.actor import MarketActor
from labelmarket.agents.lab import vendor_value
from labelmarket.model.event_log import EventKind, LogEntry
from labelmarket.model.state import WEEKS_PER_YEAR, MarketState
from labelmarket.scenarios.behaviour import Behaviour

DEMAND_SMOOTHING = 0.25  # weight of this week's demand in the vendor's demand estimate
GROWTH_SMOOTHING = 0.1   # weight of this week's capacity growth in its smoothed growth rate
INQUIRY_SHORT_WEEKS = 4.0
INQUIRY_LONG_WEEKS = 26.0
# model 2.0, sellers (docs/ODD.md 7.5.6-7.5.8)
QUARTER_WEEKS = 13.0              # price limits are stated per quarter
PRICE_CHANGE_LOGGED = 0.01        # a price change of at least 1 % (in log price) is written to the event log
CLIENT_NEUTRALITY_WEEKS = 26.0    # time constant of a vendor's memory of its clients' perceived neutrality
CONTROL_STAKE = 0.5               # a voting strategic stake of this size controls the vendor
ASSURANCE_COOLDOWN_WEEKS = 13     # a vendor decides at most one assurance per quarter


class Vendor(MarketActor):
    """One data vendor; its state is column ``index`` of the market arrays."""

    NAMES = "vendor_names"

    @property
    def revenue_musd(self) -> float:
        """Revenue run-rate: the sum of its clients' contracts, $M/yr."""
        return float(self.state.spend_musd[:, self.index].sum())

    @property
    def capacity_musd(self) -> float:
        return float(self.state.capacity_musd[self.index])

    @property
    def quality(self) -> float:
        return float(self.state.quality[self.index])

    @property
    def price_index(self) -> float:
        return float(self.state.price_index[self.index])

    @property
    def cash_musd(self) -> float:
        return float(self.state.cash_musd[self.index])

    @property
    def active(self) -> bool:
        return bool(self.state.active[self.index])

    @property
    def owners(self) -> dict[str, float]:
        """Investor name -> stake (0..1), for the investors that hold one."""
        s = self.state
        return {s.investor_names[k]: float(s.stake[self.index, k]) for k in np.flatnonzero(s.stake[self.index])}


# ------------------------------------------------------------------------------------------------- rules
def operate(s: MarketState, b: Behaviour) -> list[LogEntry]:
    """Vendors operate: hire toward demand or lay off, update quality and cash, and exit when broke."""
    staff_to_demand(s, b)
    update_quality(s, b)
    book_cash(s, b)
    exits = exit_if_insolvent(s)
    track_inquiries(s)
    return exits


def staff_to_demand(s: MarketState, b: Behaviour) -> None:
    """Hire toward demand / target utilisation at a limited pace (a share of capacity plus a fixed ramp
    any vendor can recruit), paying cash per unit of capacity;
    lay off after ``layoff_after_weeks`` consecutive loss-making weeks (never below current revenue).

    Demand is revenue plus the increases the vendor had to refuse for lack of capacity this week; revenue
    is net of the spend its clients have put under notice (model 2.0), so a vendor can lay off before the
    revenue is gone.
    """
    revenue = revenue_net_of_notice(s)
    s.demand_ema_musd += DEMAND_SMOOTHING * (revenue + s.refused_musd - s.demand_ema_musd)
    desired = s.demand_ema_musd / b.target_utilisation
    before = s.capacity_musd.copy()
    affordable = np.maximum(s.cash_musd, 0.0) / max(b.hiring_cost_musd_per_musd, 1e-9)
    hire = np.clip(desired - before, 0.0, b.hiring_rate_per_week * before + b.hiring_ramp_musd_per_week)
    hire = np.minimum(hire, affordable) * s.active
    losing = revenue < b.operating_cost_ratio * before
    s.loss_weeks = np.where(losing & s.active, s.loss_weeks + 1, 0)
    lay_off = (s.loss_weeks >= b.layoff_after_weeks) & (before > desired)
    cut = np.where(lay_off, np.minimum(b.layoff_rate_per_week * before,
                                       np.maximum(before - np.maximum(desired, revenue), 0.0)), 0.0)
    s.capacity_musd = before + hire - cut
    s.cash_musd -= hire * b.hiring_cost_musd_per_musd
    growth = np.divide(hire - cut, before, out=np.zeros_like(before), where=before > 0)
    s.growth_ema += GROWTH_SMOOTHING * (growth - s.growth_ema)


def revenue_net_of_notice(s: MarketState) -> np.ndarray:
    """(V,) model 2.0 (D37): the revenue a vendor can count on, its clients' spend less the spend under
    notice (paused work has already left its revenue). A vendor staffs to it, so it sees a client leaving
    when the notice is given and can lay off before the money is gone (the Appen precedent: cost cuts
    followed the loss of Google; domain.md). With no notices it is the revenue itself."""
    revenue = s.revenue_musd()
    if not s.notice_musd.any():
        return revenue
    return np.maximum(revenue - (s.notice_musd - s.paused_musd).sum(axis=0), 0.0)


def update_quality(s: MarketState, b: Behaviour) -> None:
    """Quality follows talent, which recovers slowly after a loss; very fast growth dilutes it."""
    s.talent += b.talent_recovery_rate_per_week * (s.talent_base - s.talent)
    dilution = b.growth_dilution * np.maximum(s.growth_ema, 0.0)
    s.quality = np.clip(s.talent * (1.0 - dilution), 0.0, 1.0)


def book_cash(s: MarketState, b: Behaviour) -> None:
    """Cash follows the weekly margin: revenue minus the running cost of capacity, per week."""
    margin = (s.revenue_musd() - b.operating_cost_ratio * s.capacity_musd) / WEEKS_PER_YEAR
    s.cash_musd += margin * s.active


def exit_if_insolvent(s: MarketState) -> list[LogEntry]:
    """A vendor with no cash leaves the market; its clients' spend becomes unplaced and must move."""
    return [leave_market(s, int(j)) for j in np.flatnonzero(s.active & (s.cash_musd < 0))]


def leave_market(s: MarketState, j: int) -> LogEntry:
    """Vendor j closes: its clients' contracts become unplaced money, and they review at once."""
    orphaned = s.spend_musd[:, j].copy()
    s.unplaced_musd += orphaned
    s.spend_musd[:, j] = 0.0
    s.target_share[:, j] = 0.0
    s.considered[:, j] = False
    s.review_now |= orphaned > 0
    s.active[j] = False
    s.capacity_musd[j] = 0.0
    return LogEntry(EventKind.EXIT, s.vendor_names[j], "", float(orphaned.sum()))


def track_inquiries(s: MarketState) -> None:
    """Short and long moving averages of inquiries: the demand signal venture funds read."""
    s.inquiries_short_ema += (s.inquiries - s.inquiries_short_ema) / INQUIRY_SHORT_WEEKS
    s.inquiries_long_ema += (s.inquiries - s.inquiries_long_ema) / INQUIRY_LONG_WEEKS


# ------------------------------------------------------------------- model 2.0: the strategic seller
def compete(s: MarketState, b: Behaviour, rng: np.random.Generator, week: int) -> list[LogEntry]:
    """Vendors compete: they review prices, direct sales effort and decide assurances (each rule is off at
    its default behaviour parameter, which reproduces the pre-2.0 model)."""
    entries = set_prices(s, b, week)
    entries += direct_sales(s, b, rng)
    entries += decide_assurances(s, b, week)
    return entries


def utilisation(s: MarketState) -> np.ndarray:
    """(V,) revenue / capacity (0 for a vendor with no capacity)."""
    revenue = s.revenue_musd()
    return np.divide(revenue, s.capacity_musd, out=np.zeros_like(revenue), where=s.capacity_musd > 0)


def churn_share(s: MarketState) -> np.ndarray:
    """(V,) share of a vendor's revenue its clients recently withdrew: the labs' leaky memory of withdrawals
    (``withdrawn_musd``, summed over labs) over revenue plus those withdrawals."""
    withdrawn = s.withdrawn_musd.sum(axis=0)
    book = s.revenue_musd() + withdrawn
    return np.divide(withdrawn, book, out=np.zeros_like(book), where=book > 0)


def set_prices(s: MarketState, b: Behaviour, week: int) -> list[LogEntry]:
    """A vendor prices against its utilisation and churn, on its own review rhythm, within bounds.

    Capacity-constrained price competition (Tirole 1988 ch. 7): a vendor near capacity raises its price and
    one with idle capacity or lost clients cuts it; the rule is the simple adaptive price-setting of agents in
    an IO-grounded ABM (Sanchez-Cartas 2018). Prices are sticky (Klemperer 1995: switching costs make buyers
    slow to react, so sellers move in small steps). At a review (week + j divisible by ``price_review_weeks``)
    the log price moves by ``price_speed`` x (utilisation - target_utilisation - churn), at most
    ``price_max_change_per_quarter`` per quarter, and never beyond the floor or the ceiling (a price already
    outside them is not pushed further out). Labs read the price in their value (``price_weight``).
    """
    if b.price_speed <= 0:
        return []
    interval = max(int(round(b.price_review_weeks)), 1)
    due = s.active & ((week + np.arange(s.n_vendors)) % interval == 0)
    if not due.any():
        return []
    used, churn = utilisation(s), churn_share(s)
    limit = np.log1p(b.price_max_change_per_quarter) * interval / QUARTER_WEEKS
    step = np.clip(b.price_speed * (used - b.target_utilisation - churn), -limit, limit)
    before = s.price_index.copy()
    after = np.clip(before * np.exp(step), np.minimum(b.price_floor_index, before),
                    np.maximum(b.price_ceiling_index, before))
    s.price_index = np.where(due, after, before)
    changed = due & (np.abs(np.log(s.price_index / before)) >= PRICE_CHANGE_LOGGED)
    return [LogEntry(EventKind.PRICE_CHANGE, s.vendor_names[j], "", 0.0, price_index=float(s.price_index[j]),
                     price_before=float(before[j]), utilisation=float(used[j]), churn=float(churn[j]))
            for j in np.flatnonzero(changed)]


def direct_sales(s: MarketState, b: Behaviour, rng: np.random.Generator) -> list[LogEntry]:
    """A vendor with idle capacity or lost clients directs sales at the buyers who value it.

    Sales pressure is the idle share (target_utilisation - utilisation, when positive) plus churn; a vendor
    makes Poisson(``sales_intensity`` x pressure) contacts a week, each costing ``sales_cost_musd_per_contact``
    of cash, drawn without replacement among buyers that do not yet consider it, trust it at least at their
    alarm level and are not rivals of a strategic owner of it, with weight budget x exp(choice_intensity x
    value) (the buyer's own logit value of the vendor, ``labelmarket.agents.lab.vendor_value``). A contact is
    an inquiry: the buyer considers the vendor from now on. The buyer takes a pilot (``sales_pilot_share`` of
    its budget, within the vendor's spare capacity) from its lowest-valued current vendor when it values the
    seller at least as much as that vendor. Directed search and matching (Kirman & Vriend 2001); a seller's
    outreach to a locked-in buyer (Farrell & Klemperer 2007).
    """
    if b.sales_intensity <= 0:
        return []
    used, churn = utilisation(s), churn_share(s)
    contacts = rng.poisson(expected_sales_contacts(s, b))
    if not contacts.any():
        return []
    # Only the vendors that make contacts need their prospects and weights; every cell of the (V, L) block
    # still gets its Gumbel draw, so the generator moves as before (D81); the other rows are never read (D84).
    selling = np.flatnonzero(contacts > 0)
    prospects, value = sales_prospects(s, b, selling)
    log_weight, allowed = np.zeros((s.n_vendors, s.n_labs)), np.zeros((s.n_vendors, s.n_labs), dtype=bool)
    log_weight[selling] = (np.log(np.maximum(s.budget_musd, 1e-9))[:, None] + b.choice_intensity * value).T
    allowed[selling] = prospects.T
    chosen = choice.sample_without_replacement(log_weight, allowed, contacts, rng)  # (V, L)
    s.cash_musd -= chosen.sum(axis=1) * b.sales_cost_musd_per_contact
    s.inquiries += chosen.sum(axis=1)
    s.considered |= chosen.T
    return win_pilots(s, b, chosen, used, churn)


def expected_sales_contacts(s: MarketState, b: Behaviour) -> np.ndarray:
    """(V,) sales contacts a vendor makes per week on average: sales_intensity x (idle share + churn), where
    the idle share is target_utilisation - utilisation when positive. Also the resting rate that funds'
    inquiry averages start from (``labelmarket.model.initial_state.build_state``)."""
    pressure = np.maximum(b.target_utilisation - utilisation(s), 0.0) + churn_share(s)
    return b.sales_intensity * pressure * s.active


def sales_prospects(s: MarketState, b: Behaviour, vendors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, len(vendors)) buyers the sales of each of ``vendors`` may contact, and each buyer's value of each of
    them (as a newcomer)."""
    current = s.spend_musd[:, vendors] > 0
    owned = s.lab_owned_stake()[:, vendors]
    value = vendor_value(b, s.quality[vendors], s.trust[:, vendors], s.price_index[vendors], s.fit[:, vendors],
                         s.switching_cost, current, owned)
    rival_owner = np.zeros(current.shape, dtype=bool)  # lab i rivals (rivalry > 0) a strategic owner of vendor j
    for k in np.flatnonzero(s.is_strategic):  # a few owners: no matrix product (BLAS threads) in the week (D82)
        rival_owner[np.ix_(s.rivalry[:, k] > 0, s.stake[vendors, k] > 0)] = True
    prospects = (s.active[vendors][None, :] & ~s.considered[:, vendors] & ~current & ~rival_owner
                 & (s.trust[:, vendors] >= s.alarm_trust[:, None]) & (s.budget_musd > 0)[:, None])
    return prospects, value


def win_pilots(s: MarketState, b: Behaviour, chosen: np.ndarray, used: np.ndarray, churn: np.ndarray
               ) -> list[LogEntry]:
    """Each buyer i contacted by vendor j (``chosen``, (V, L)) moves a pilot from its lowest-valued current vendor
    when it values j at least as much: ``sales_pilot_share`` of its budget, shared pro rata when the buyer's
    pilots together ask for more than its spend there, or the seller's pilots for more than its spare capacity.
    Vectorised over the contacts (no loop over buyers); values (``labelmarket.agents.lab.vendor_value``) are
    computed for the contacted buyers' rows only (D84)."""
    sellers, buyers = np.nonzero(chosen)
    contact = np.arange(buyers.size)
    current = s.spend_musd[buyers] > 0  # one row per contact
    value = vendor_value(b, s.quality, s.trust[buyers], s.price_index, s.fit[buyers], s.switching_cost[buyers],
                         current, s.lab_owned_stake()[buyers])
    src = np.argmin(np.where(current, value, np.inf), axis=1)
    gap = value[contact, sellers] - value[contact, src]
    want = np.where(current.any(axis=1) & (gap >= 0), b.sales_pilot_share * s.budget_musd[buyers], 0.0)
    held = s.spend_musd[buyers, src]
    asked = np.bincount(buyers, weights=want, minlength=s.n_labs)[buyers]
    want *= np.divide(held, asked, out=np.ones(buyers.size), where=asked > held)
    room = np.maximum(s.capacity_musd - s.revenue_musd(), 0.0)
    asked = np.bincount(sellers, weights=want, minlength=s.n_vendors)
    amount = want * np.divide(room, asked, out=np.ones(s.n_vendors), where=asked > room)[sellers]
    np.add.at(s.spend_musd, (buyers, src), -amount)
    np.add.at(s.spend_musd, (buyers, sellers), amount)
    np.add.at(s.withdrawn_musd, (buyers, src), amount)
    s.switched_musd += float(amount.sum())
    return [LogEntry(EventKind.SALES_WIN, s.lab_names[i], s.vendor_names[k], float(x),
                     destination=s.vendor_names[j], value_gap=float(g), utilisation=float(used[j]),
                     churn=float(churn[j]))
            for i, k, j, x, g in zip(buyers, src, sellers, amount, gap) if x > 0]


def decide_assurances(s: MarketState, b: Behaviour, week: int) -> list[LogEntry]:
    """A vendor whose clients' perceived neutrality falls may buy an assurance, when it pays.

    The clients' spend-weighted perceived neutrality is compared with its slow average (time constant
    ``CLIENT_NEUTRALITY_WEEKS``); a fall of at least ``assurance_trigger_fall`` makes the vendor weigh an
    assurance of strength ``assurance_decided_strength`` x credibility (:func:`assurance_credibility`). It
    gives it, at most once per ``ASSURANCE_COOLDOWN_WEEKS``, when the margin it protects over a year,
    (1 - operating_cost_ratio) x assurance_efficacy x strength x sum_i spend_ij exposure_ij, exceeds its cost
    ``assurance_cost_musd`` and the vendor has that cash. Control versus financial interest (Salop & O'Brien
    2000): a promise by a vendor whose rival owner votes is worth less; a promise after a breach, less again
    (trust is hard to rebuild: Slovic 1993).
    """
    if b.assurance_decided_strength <= 0:  # off: the memory keeps its resting value (no cost per week)
        return []
    spend = s.spend_musd.sum(axis=0)
    weighted = (s.spend_musd * s.perceived_neutrality).sum(axis=0)
    clients = np.divide(weighted, spend, out=np.ones_like(spend), where=spend > 0)
    fall = s.client_neutrality_ema - clients
    s.client_neutrality_ema += (clients - s.client_neutrality_ema) / CLIENT_NEUTRALITY_WEEKS
    credibility = assurance_credibility(s, b)
    strength = b.assurance_decided_strength * credibility
    exposed = (s.spend_musd * s.exposure).sum(axis=0)
    benefit = (1.0 - b.operating_cost_ratio) * b.assurance_efficacy * strength * exposed
    decide = (s.active & (fall >= b.assurance_trigger_fall) & (benefit > b.assurance_cost_musd)
              & (s.cash_musd >= b.assurance_cost_musd) & (week - s.last_assurance_week >= ASSURANCE_COOLDOWN_WEEKS))
    entries = []
    for j in np.flatnonzero(decide):
        issue_assurance(s, int(j), float(strength[j]), non_voting=False)
        s.cash_musd[j] -= b.assurance_cost_musd
        s.last_assurance_week[j] = week
        entries.append(LogEntry(EventKind.VENDOR_ASSURANCE, s.vendor_names[j], "", b.assurance_cost_musd,
                                promise="data_firewall", strength=float(strength[j]),
                                credibility=float(credibility[j]), benefit_musd=float(benefit[j])))
    return entries


def assurance_credibility(s: MarketState, b: Behaviour) -> np.ndarray:
    """(V,) credibility of a vendor's next assurance, 0..1: (1 - assurance_control_discount x control) x
    assurance_breach_discount^breaches x assurance_repeat_decay^assurances given, where control is the voting
    stake of strategic owners over ``CONTROL_STAKE`` (capped at 1)."""
    voting_stake = (s.stake * s.voting)[:, s.is_strategic].sum(axis=1)
    control = np.minimum(voting_stake / CONTROL_STAKE, 1.0)
    return ((1.0 - b.assurance_control_discount * control)
            * b.assurance_breach_discount ** s.assurance_breaches
            * b.assurance_repeat_decay ** s.assurances_issued)


# ----------------------------------------------------------------------------------------- event effects
def lose_talent(s: MarketState, j: int, share: float, to_investor: int | None) -> None:
    """Key people leave: talent drops by ``share``; if they join a rival, exposure follows them."""
    s.talent[j] *= 1.0 - share
    if to_investor is not None:
        s.departed_talent[j, to_investor] = min(1.0, s.departed_talent[j, to_investor] + share)


def issue_assurance(s: MarketState, j: int, strength: float, non_voting: bool) -> None:
    """Assurances combine as independent promises: 1 - (1 - a)(1 - strength). A non-voting promise
    also strips votes from the vendor's existing stakes."""
    s.assurance[j] = 1.0 - (1.0 - s.assurance[j]) * (1.0 - strength)
    s.assurances_issued[j] += 1
    if non_voting:
        s.voting[j] = False


def note_breach(s: MarketState, j: int) -> None:
    """An ownership change by a strategic investor, or key people leaving for one, while vendor j is assured,
    breaks its promise: later assurances are discounted (``assurance_credibility``)."""
    if s.assurance[j] > 0:
        s.assurance_breaches[j] += 1
