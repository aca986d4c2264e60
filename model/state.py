"""The market's shared state: numpy arrays that every rule reads and writes in vectorised passes.

Rows are labs (``L``), columns vendors (``V``), and ``K`` indexes investors. The Mesa agents are the readable
face of one row or column; the arrays live here so that a rule updates all labs at once (mesa-frames style),
which is what lets a 10,000 x 1,000 market run. Vendors can enter mid-run, so vendor-indexed arrays grow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from labelmarket.scenarios.schema import WORK_SEGMENTS, Owner, Scenario, default_serves

WEEKS_PER_YEAR = 52.0  # the model's clock ticks in weeks; yearly rates and run-rates convert with this
LAB_VENDOR_FIELDS = ("spend_musd", "trust", "perceived_neutrality", "considered", "fit", "target_share",
                     "withdrawn_musd", "exposure",
                     # model 2.0, buyers' side
                     "notice_musd", "notice_due_week", "paused_musd", "expected_quality", "breach")
VENDOR_FIELDS = ("capacity_musd", "quality", "talent", "talent_base", "price_index", "cash_musd", "active",
                 "assurance", "loss_weeks", "growth_ema", "demand_ema_musd", "refused_musd", "inquiries",
                 "inquiries_short_ema", "inquiries_long_ema", "segment",
                 # model 2.0, sellers and owners (docs/ODD.md 7.5.6-7.5.8, 7.6, 7.7.1)
                 "client_neutrality_ema", "assurances_issued", "assurance_breaches", "last_assurance_week",
                 "fund_neutrality", "revenue_long_ema_musd",
                 # model 2.0, buyers' side
                 "quality_at_rest", "price_at_rest")
VENDOR_INVESTOR_FIELDS = ("stake", "voting", "departed_talent",
                          "stake_paid_musd")  # model 2.0, sellers and owners: price paid for a stake
NEVER_WEEK = -1_000_000  # last_assurance_week of a vendor that never decided an assurance


@dataclass
class MarketState:
    """Every state variable of the market, as arrays. Units are in the names; shares are 0..1."""

    lab_names: list[str]
    vendor_names: list[str]
    investor_names: list[str]
    # labs (L)
    budget_musd: np.ndarray
    growth_per_week: np.ndarray
    data_sensitivity: np.ndarray
    review_interval_weeks: np.ndarray
    review_phase_weeks: np.ndarray
    switching_cost: np.ndarray
    alarm_trust: np.ndarray
    unplaced_musd: np.ndarray
    review_now: np.ndarray
    wariness: np.ndarray
    # labs x vendors (L, V)
    spend_musd: np.ndarray
    trust: np.ndarray
    perceived_neutrality: np.ndarray
    considered: np.ndarray
    fit: np.ndarray
    target_share: np.ndarray
    withdrawn_musd: np.ndarray
    exposure: np.ndarray
    # labs x investors (L, K)
    rivalry: np.ndarray
    # vendors (V)
    capacity_musd: np.ndarray
    quality: np.ndarray
    talent: np.ndarray
    talent_base: np.ndarray
    price_index: np.ndarray
    cash_musd: np.ndarray
    active: np.ndarray
    assurance: np.ndarray
    loss_weeks: np.ndarray
    growth_ema: np.ndarray
    demand_ema_musd: np.ndarray
    refused_musd: np.ndarray
    inquiries: np.ndarray
    inquiries_short_ema: np.ndarray
    inquiries_long_ema: np.ndarray
    segment: np.ndarray
    # vendors x investors (V, K)
    stake: np.ndarray
    voting: np.ndarray
    departed_talent: np.ndarray
    # investors (K)
    is_strategic: np.ndarray
    investor_lab: np.ndarray
    capital_musd: np.ndarray
    capital_left_musd: np.ndarray
    # --- model 2.0, sellers and owners: what vendors and investors remember for their own decisions
    client_neutrality_ema: np.ndarray   # (V) slow average of the clients' spend-weighted perceived neutrality
    assurances_issued: np.ndarray       # (V) int: assurances given so far (scheduled or decided)
    assurance_breaches: np.ndarray      # (V) int: ownership changes or departures to an owner while assured
    last_assurance_week: np.ndarray     # (V) int: week of the vendor's last decided assurance
    fund_neutrality: np.ndarray         # (V) venture funds' own perceived neutrality of each vendor, 0..1
    revenue_long_ema_musd: np.ndarray   # (V) slow average of revenue, $M/yr (funds' growth prospects)
    stake_paid_musd: np.ndarray         # (V, K) price an investor paid for its stake, $M (one-off)
    # ===== model 2.0, buyers' side (D36-D38) =====
    segment_demand: np.ndarray     # (L, S) share of each lab's demand in each work segment (rows sum to 1)
    segment_service: np.ndarray    # (V, S) how well each vendor serves each work segment, 0..1
    notice_musd: np.ndarray        # (L, V) spend under notice, $M/yr (paused part included): revenue at risk
    notice_due_week: np.ndarray    # (L, V) int, week the notice ends and the money leaves
    paused_musd: np.ndarray        # (L, V) spend paused under notice, $M/yr: held contract, no revenue
    expected_quality: np.ndarray   # (L, V) quality each lab expects of each vendor, from what it delivered
    breach: np.ndarray             # (L, V) remembered breach of neutrality per pair, 0..1, fading slowly
    quality_at_rest: np.ndarray    # (V,) quality at the start (or at entry): the reference of the drivers
    price_at_rest: np.ndarray      # (V,) price index at the start (or at entry)
    # weekly flows, reset each week
    switched_musd: float = 0.0
    blocked_musd: float = 0.0
    vc_committed_musd: float = 0.0
    entrants_this_week: int = 0
    entrant_count: int = 0
    segments: list[str] = field(default_factory=list)

    @property
    def n_labs(self) -> int:
        return len(self.lab_names)

    @property
    def n_vendors(self) -> int:
        return len(self.vendor_names)

    def revenue_musd(self) -> np.ndarray:
        """Each vendor's revenue: the sum of its clients' allocations (annualised run-rate)."""
        return self.spend_musd.sum(axis=0)

    def lab_owned_stake(self) -> np.ndarray:
        """(L, V): the stake each lab holds in each vendor through its strategic investors."""
        owned = np.zeros((self.n_labs, self.n_vendors))
        for k in np.flatnonzero(self.is_strategic):
            owned[self.investor_lab[k]] += self.stake[:, k]
        return owned

    def segment_match(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """(L, V) model 2.0: how well each vendor fits each lab's work, sum_s demand_is x service_js (0..1).

        An explicit sum over the few segments (no matrix product: keeps BLAS threads out of the weekly loop).
        """
        demand = self.segment_demand[rows]
        match = np.zeros((demand.shape[0], self.n_vendors))
        for g in range(demand.shape[1]):
            match += demand[:, g, None] * self.segment_service[None, :, g]
        return match

    def segment_index(self, segment: str) -> int:
        if segment not in self.segments:
            self.segments.append(segment)
        return self.segments.index(segment)

    def add_vendor(self, name: str, segment: str, capacity_musd: float, quality: float, price_index: float,
                   cash_musd: float, owners: dict[str, Owner]) -> int:
        """Append a vendor column (an entrant) to every vendor-indexed array; returns its index."""
        for name_ in LAB_VENDOR_FIELDS:
            arr = getattr(self, name_)
            setattr(self, name_, np.concatenate([arr, np.zeros((arr.shape[0], 1), dtype=arr.dtype)], axis=1))
        for name_ in VENDOR_INVESTOR_FIELDS:
            arr = getattr(self, name_)
            setattr(self, name_, np.concatenate([arr, np.zeros((1, arr.shape[1]), dtype=arr.dtype)], axis=0))
        values = dict(capacity_musd=capacity_musd, quality=quality, talent=quality, talent_base=quality,
                      price_index=price_index, cash_musd=cash_musd, active=True, assurance=0.0, loss_weeks=0,
                      growth_ema=0.0, demand_ema_musd=0.0, refused_musd=0.0, inquiries=0,
                      inquiries_short_ema=0.0, inquiries_long_ema=0.0, segment=self.segment_index(segment),
                      client_neutrality_ema=1.0, assurances_issued=0, assurance_breaches=0,
                      last_assurance_week=NEVER_WEEK, fund_neutrality=1.0, revenue_long_ema_musd=0.0,
                      quality_at_rest=quality, price_at_rest=price_index)
        for name_ in VENDOR_FIELDS:
            arr = getattr(self, name_)
            setattr(self, name_, np.append(arr, np.array([values[name_]], dtype=arr.dtype)))
        served = default_serves(segment)  # model 2.0: an entrant serves what its segment implies
        self.segment_service = np.vstack([self.segment_service, [[served.get(g, 0.0) for g in WORK_SEGMENTS]]])
        self.vendor_names.append(name)
        j = self.n_vendors - 1
        for investor, owner in owners.items():
            k = self.investor_names.index(investor)
            self.stake[j, k] = owner.stake
            self.voting[j, k] = owner.voting
        # A newcomer starts with the neutrality its ownership implies and trust at its quality times that.
        self.perceived_neutrality[:, j] = 1.0
        self.trust[:, j] = quality
        self.expected_quality[:, j] = quality  # model 2.0: labs expect what it promises
        return j

    def check_shapes(self) -> None:
        """Assert that every array agrees with the entity counts (used by tests and after entry)."""
        L, V, K = self.n_labs, self.n_vendors, len(self.investor_names)
        for name_ in LAB_VENDOR_FIELDS:
            assert getattr(self, name_).shape == (L, V), name_
        for name_ in VENDOR_FIELDS:
            assert getattr(self, name_).shape == (V,), name_
        for name_ in VENDOR_INVESTOR_FIELDS:
            assert getattr(self, name_).shape == (V, K), name_
        assert self.rivalry.shape == (L, K)
        assert self.segment_demand.shape == (L, len(WORK_SEGMENTS))
        assert self.segment_service.shape == (V, len(WORK_SEGMENTS))


def rivalry_matrix(scenario: Scenario) -> np.ndarray:
    """(L, K) rivalry of each lab with each investor: named directly, or through the investor's lab."""
    labs, investors = list(scenario.labs), list(scenario.investors)
    out = np.zeros((len(labs), len(investors)))
    for i, lab in enumerate(scenario.labs.values()):
        for k, (inv_name, inv) in enumerate(scenario.investors.items()):
            direct = lab.rivals.get(inv_name, 0.0)
            via_lab = lab.rivals.get(inv.lab, 0.0) if inv.lab else 0.0
            own = inv.lab == labs[i]
            out[i, k] = 0.0 if own else max(direct, via_lab)
    return out
