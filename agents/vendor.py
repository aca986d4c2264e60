"""Data vendors: revenue, hiring and layoffs, quality from talent, cash, and exit.

Rules are written once for all vendors (vectorised over the vendor columns of ``labelmarket.model.state``); a
``Vendor`` agent is the readable face of one column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from labelmarket.agents.actor import MarketActor

if TYPE_CHECKING:
    from labelmarket.model.market_model import MarketModel

WEEKS_PER_YEAR = 52.0
DEMAND_SMOOTHING = 0.25  # weight of this week's demand in the vendor's demand estimate
GROWTH_SMOOTHING = 0.1   # weight of this week's capacity growth in its smoothed growth rate
INQUIRY_SHORT_WEEKS = 4.0
INQUIRY_LONG_WEEKS = 26.0


class Vendor(MarketActor):
    """One data vendor; its state is column ``index`` of the market arrays."""

    NAMES = "vendor_names"

    @property
    def revenue_musd(self) -> float:
        return float(self.model.state.spend_musd[:, self.index].sum())

    @property
    def owners(self) -> dict[str, float]:
        s = self.model.state
        return {s.investor_names[k]: float(s.stake[self.index, k]) for k in np.flatnonzero(s.stake[self.index])}

    # ----------------------------------------------------------------------------------------- rules
    @classmethod
    def operate(cls, model: MarketModel) -> None:
        """Vendors operate: hire toward demand or lay off, update quality and cash, and exit when broke."""
        cls.staff_to_demand(model)
        cls.update_quality(model)
        cls.book_cash(model)
        cls.exit_if_insolvent(model)
        cls.track_inquiries(model)

    @classmethod
    def staff_to_demand(cls, model: MarketModel) -> None:
        """Hire toward demand / target utilisation at a limited pace (a share of capacity plus a fixed ramp
        any vendor can recruit), paying cash per unit of capacity;
        lay off after ``layoff_after_weeks`` consecutive loss-making weeks (never below current revenue).

        Demand is revenue plus the increases the vendor had to refuse for lack of capacity this week.
        """
        s, b = model.state, model.behaviour
        revenue = s.revenue_musd()
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

    @classmethod
    def update_quality(cls, model: MarketModel) -> None:
        """Quality follows talent, which recovers slowly after a loss; very fast growth dilutes it."""
        s, b = model.state, model.behaviour
        s.talent += b.talent_recovery_rate_per_week * (s.talent_base - s.talent)
        dilution = b.growth_dilution * np.maximum(s.growth_ema, 0.0)
        s.quality = np.clip(s.talent * (1.0 - dilution), 0.0, 1.0)

    @classmethod
    def book_cash(cls, model: MarketModel) -> None:
        """Cash follows the weekly margin: revenue minus the running cost of capacity, per week."""
        s, b = model.state, model.behaviour
        margin = (s.revenue_musd() - b.operating_cost_ratio * s.capacity_musd) / WEEKS_PER_YEAR
        s.cash_musd += margin * s.active

    @classmethod
    def exit_if_insolvent(cls, model: MarketModel) -> None:
        """A vendor with no cash leaves the market; its clients' spend becomes unplaced and must move."""
        s = model.state
        for j in np.flatnonzero(s.active & (s.cash_musd < 0)):
            cls.leave_market(model, int(j), "cash ran out")

    @classmethod
    def leave_market(cls, model: MarketModel, j: int, cause: str) -> None:
        s = model.state
        orphaned = s.spend_musd[:, j].copy()
        s.unplaced_musd += orphaned
        s.spend_musd[:, j] = 0.0
        s.target_share[:, j] = 0.0
        s.considered[:, j] = False
        s.review_now |= orphaned > 0
        s.active[j] = False
        s.capacity_musd[j] = 0.0
        model.log_event("exit", s.vendor_names[j], "", float(orphaned.sum()),
                        f"{s.vendor_names[j]} left the market ({cause}); clients must move "
                        f"${orphaned.sum():,.0f}M/yr")

    @classmethod
    def track_inquiries(cls, model: MarketModel) -> None:
        """Short and long moving averages of inquiries: the demand signal venture funds read."""
        s = model.state
        s.inquiries_short_ema += (s.inquiries - s.inquiries_short_ema) / INQUIRY_SHORT_WEEKS
        s.inquiries_long_ema += (s.inquiries - s.inquiries_long_ema) / INQUIRY_LONG_WEEKS

    # ------------------------------------------------------------------------------- event effects
    @staticmethod
    def lose_talent(model: MarketModel, j: int, share: float, to_investor: int | None) -> None:
        """Key people leave: talent drops by ``share``; if they join a rival, exposure follows them."""
        s = model.state
        s.talent[j] *= 1.0 - share
        if to_investor is not None:
            s.departed_talent[j, to_investor] = min(1.0, s.departed_talent[j, to_investor] + share)

    @staticmethod
    def issue_assurance(model: MarketModel, j: int, strength: float, non_voting: bool) -> None:
        """Assurances combine as independent promises: 1 - (1 - a)(1 - strength). A non-voting promise
        also strips votes from the vendor's existing stakes."""
        s = model.state
        s.assurance[j] = 1.0 - (1.0 - s.assurance[j]) * (1.0 - strength)
        if non_voting:
            s.voting[j] = False
