"""Data vendors: revenue, hiring and layoffs, quality from talent, cash, and exit.

Rules are written once for all vendors (vectorised over the vendor columns of
``labelmarket.model.state.MarketState``) and return what they decided for the event log; a ``Vendor`` agent is
the readable face of one column.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents.actor import MarketActor
from labelmarket.model.event_log import EventKind, LogEntry
from labelmarket.model.state import WEEKS_PER_YEAR, MarketState
from labelmarket.scenarios.behaviour import Behaviour

DEMAND_SMOOTHING = 0.25  # weight of this week's demand in the vendor's demand estimate
GROWTH_SMOOTHING = 0.1   # weight of this week's capacity growth in its smoothed growth rate
INQUIRY_SHORT_WEEKS = 4.0
INQUIRY_LONG_WEEKS = 26.0


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
    if non_voting:
        s.voting[j] = False
