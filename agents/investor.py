"""Investors: strategic owners (an AI lab's investment arm) and venture funds.

A strategic investor carries out ownership events; its lab then values the owned vendor more (captive
demand, read by ``Lab.decide``). Venture funds have limited capital and herd toward hot segments
(Nanda & Rhodes-Kropf 2013): they read inquiry growth, perceived neutrality and unmet demand, then fund
neutral challengers or found new neutral entrants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from labelmarket.agents.actor import MarketActor
from labelmarket.agents.vendor import Vendor
from labelmarket.scenarios.schema import Owner

if TYPE_CHECKING:
    from labelmarket.model.market_model import MarketModel

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
    def capital_left_musd(self) -> float:
        return float(self.model.state.capital_left_musd[self.index])

    # ------------------------------------------------------------------------- strategic investors
    @staticmethod
    def acquire_stake(model: MarketModel, k: int, j: int, stake: float, voting: bool, cash_musd: float,
                      talent_taken: float) -> None:
        """Buy ``stake`` of vendor j (other holders are diluted pro rata), pay cash in, and take talent.
        The buyer's own lab reviews at once, so captive demand follows the deal."""
        s = model.state
        owned = min(1.0, float(s.stake[j, k]) + stake)
        others = float(s.stake[j].sum() - s.stake[j, k])
        if others > 1.0 - owned:
            s.stake[j] *= (1.0 - owned) / others
        s.stake[j, k] = owned
        s.voting[j, k] = voting
        s.cash_musd[j] += cash_musd
        if talent_taken > 0:
            Vendor.lose_talent(model, j, talent_taken, k)
        if s.is_strategic[k]:
            s.review_now[s.investor_lab[k]] = True

    @staticmethod
    def divest(model: MarketModel, k: int, j: int, stake: float | None) -> float:
        """Sell ``stake`` of vendor j (all of it when None); returns the stake sold."""
        s = model.state
        sold = float(s.stake[j, k] if stake is None else min(stake, s.stake[j, k]))
        s.stake[j, k] -= sold
        if s.stake[j, k] <= 1e-12:
            s.stake[j, k] = 0.0
            s.voting[j, k] = False
        if s.is_strategic[k]:
            s.review_now[s.investor_lab[k]] = True
        return sold

    # ------------------------------------------------------------------------------ venture funds
    @classmethod
    def invest(cls, model: MarketModel) -> None:
        """Venture funds deal at a rate that rises with sector heat (herding), within their capital.

        Each fund with capital left deals this week with probability base x appetite x (1 + herding x heat).
        A deal founds a new neutral entrant (share ``vc_entry_share`` x min(1, heat)) or funds a neutral
        vendor of the hottest segment, chosen in proportion to its inquiry signal. The ticket never
        exceeds the capital left.
        """
        s, b = model.state, model.behaviour
        funds = np.flatnonzero(~s.is_strategic & (s.capital_left_musd > 1e-9))
        if funds.size == 0:
            return
        heat, hottest, appeal = cls.sector_heat(model)
        rate = min(1.0, b.vc_base_deal_rate_per_week * b.vc_appetite * (1.0 + b.vc_herding * heat))
        for k in funds:
            if model.rng.random() >= rate:
                continue
            ticket = min(float(s.capital_left_musd[k]),
                         b.vc_ticket_share * float(s.capital_musd[k]) * model.rng.uniform(*TICKET_SPREAD))
            found_entrant = model.rng.random() < b.vc_entry_share * min(1.0, heat) or appeal.sum() <= 0
            target = None if found_entrant else int(model.rng.choice(appeal.size, p=appeal / appeal.sum()))
            cls.commit(model, int(k), ticket, target, hottest, f"sector heat {heat:.2f}")

    @classmethod
    def commit(cls, model: MarketModel, k: int, amount_musd: float, vendor: int | None, segment: str,
               reason: str) -> int | None:
        """A fund commits capital (never more than it has left): into vendor ``vendor``, or, when that is
        None, into a new neutral entrant of ``segment``. Returns the vendor funded (``vendor`` when the fund
        has nothing left to invest, which is logged)."""
        s = model.state
        ticket = min(float(amount_musd), float(s.capital_left_musd[k]))
        if ticket <= 0:  # a fund with no capital left has nothing to invest
            target = "" if vendor is None else s.vendor_names[vendor]
            model.log_event("funding", s.investor_names[k], target, 0.0,
                            f"{s.investor_names[k]} has no capital left: nothing invested ({reason})")
            return vendor
        if vendor is None:
            j = cls.found_entrant(model, k, segment, ticket)
        else:
            j = vendor
            cls.fund_vendor(model, k, j, ticket)
        s.capital_left_musd[k] -= ticket
        s.vc_committed_musd += ticket
        model.log_event("funding", s.investor_names[k], s.vendor_names[j], ticket,
                        f"{s.investor_names[k]} invested ${ticket:,.0f}M in {s.vendor_names[j]} ({reason})")
        return j

    @staticmethod
    def sector_heat(model: MarketModel) -> tuple[float, str, np.ndarray]:
        """Heat of the hottest segment, its name, and each neutral vendor's appeal within it.

        heat_seg = max(0, sum of n_j x short-run inquiries / (sum of n_j x long-run inquiries + 0.5) - 1)
        + 10 x unmet share, where n_j is the market's budget-weighted perceived neutrality of vendor j (zero for a vendor with any
        strategic owner: funds back neutral vendors only).
        """
        s = model.state
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

    @staticmethod
    def fund_vendor(model: MarketModel, k: int, j: int, ticket_musd: float) -> None:
        """Buy new equity: the stake is ticket / (valuation multiple x revenue + ticket); cash funds hiring."""
        s, b = model.state, model.behaviour
        pre_money = max(b.vc_valuation_multiple * float(s.spend_musd[:, j].sum()), ticket_musd)
        new_stake = ticket_musd / (pre_money + ticket_musd)
        s.stake[j] *= 1.0 - new_stake
        s.stake[j, k] += new_stake
        s.cash_musd[j] += ticket_musd

    @staticmethod
    def found_entrant(model: MarketModel, k: int, segment: str, ticket_musd: float) -> int:
        """Create a neutral entrant with drawn capacity and quality, funded by the ticket."""
        b = model.behaviour
        m = b.entrant_quality_mean
        quality = float(model.rng.beta(m * ENTRANT_QUALITY_CONCENTRATION, (1 - m) * ENTRANT_QUALITY_CONCENTRATION))
        capacity = float(b.entrant_capacity_musd * model.rng.lognormal(0.0, ENTRANT_CAPACITY_SIGMA))
        name = f"Neutral entrant {model.state.entrant_count + 1}"
        owner = {model.state.investor_names[k]: Owner(stake=ENTRANT_FUND_STAKE, voting=True)}
        j = model.add_vendor(name, segment, capacity, quality, 1.0, ticket_musd, owner)
        model.state.entrants_this_week += 1
        model.state.entrant_count += 1
        return j
