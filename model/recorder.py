"""What a run records each week, kept as preallocated numpy blocks and turned into frames at the end.

Mesa's DataCollector builds Python dicts every step; at 10,000 labs x 1,000 vendors that dominates the run,
so the recorder stores arrays and converts once (see benchmarks/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.metrics import concentration, revenue_shares
from model.state import MarketState

MARKET_COLUMNS = ["week", "hhi", "cr1", "cr4", "effective_vendors", "active_vendors", "entropy",
                  "switched_musd", "unmet_musd", "vc_committed_musd", "entrants"]
VENDOR_COLUMNS = ["week", "vendor", "revenue_musd", "share", "capacity_musd", "quality", "inquiries",
                  "cash_musd", "active"]
ALLOCATION_COLUMNS = ["week", "lab", "vendor", "spend_musd", "trust", "perceived_neutrality"]
EVENT_COLUMNS = ["week", "kind", "actor", "target", "amount_musd", "cause"]


@dataclass
class Recorder:
    horizon_weeks: int
    allocations: bool = True
    allocations_every_weeks: int = 1
    market: np.ndarray = field(init=False)
    rows: int = field(init=False, default=0)
    vendor_blocks: list[np.ndarray] = field(default_factory=list)
    vendor_weeks: list[int] = field(default_factory=list)
    allocation_blocks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    events: list[tuple[int, str, str, str, float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.market = np.zeros((self.horizon_weeks + 1, len(MARKET_COLUMNS)))

    def record_week(self, week: int, s: MarketState) -> None:
        """Append this week's market row, vendor rows and (if kept) the labs x vendors block."""
        revenue = s.revenue_musd()
        shares = revenue_shares(revenue, s.active)
        c = concentration(shares)
        if self.rows == self.market.shape[0]:
            self.market = np.vstack([self.market, np.zeros_like(self.market)])
        self.market[self.rows] = (week, c["hhi"], c["cr1"], c["cr4"], c["effective_vendors"], s.active.sum(),
                                  c["entropy"], s.switched_musd, s.unplaced_musd.sum() + s.blocked_musd,
                                  s.vc_committed_musd, s.entrants_this_week)
        self.rows += 1
        self.vendor_blocks.append(np.stack([revenue, shares, s.capacity_musd, s.quality,
                                            s.inquiries.astype(float), s.cash_musd, s.active.astype(float)]))
        self.vendor_weeks.append(week)
        if self.allocations and week % self.allocations_every_weeks == 0:
            self.allocation_blocks.append((week, s.spend_musd.copy(), s.trust.copy(),
                                           s.perceived_neutrality.copy()))

    def log(self, week: int, kind: str, actor: str, target: str, amount_musd: float, cause: str) -> None:
        self.events.append((week, kind, actor, target, float(amount_musd), cause))

    # ------------------------------------------------------------------------------------ frames
    def market_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.market[: self.rows], columns=MARKET_COLUMNS)
        for col in ("week", "active_vendors", "entrants"):
            frame[col] = frame[col].astype(np.int64)
        return frame

    def vendor_frame(self, vendor_names: list[str]) -> pd.DataFrame:
        parts = []
        for week, block in zip(self.vendor_weeks, self.vendor_blocks, strict=True):
            n = block.shape[1]
            parts.append(pd.DataFrame({
                "week": np.full(n, week, dtype=np.int64), "vendor": vendor_names[:n],
                "revenue_musd": block[0], "share": block[1], "capacity_musd": block[2], "quality": block[3],
                "inquiries": block[4].astype(np.int64), "cash_musd": block[5], "active": block[6].astype(bool)}))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=VENDOR_COLUMNS)

    def allocation_frame(self, lab_names: list[str], vendor_names: list[str]) -> pd.DataFrame:
        parts = []
        for week, spend, trust, neutrality in self.allocation_blocks:
            n_labs, n_vendors = spend.shape
            parts.append(pd.DataFrame({
                "week": np.full(n_labs * n_vendors, week, dtype=np.int64),
                "lab": np.repeat(np.asarray(lab_names, dtype=object), n_vendors),
                "vendor": np.tile(np.asarray(vendor_names[:n_vendors], dtype=object), n_labs),
                "spend_musd": spend.ravel(), "trust": trust.ravel(), "perceived_neutrality": neutrality.ravel()}))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ALLOCATION_COLUMNS)

    def event_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.events, columns=EVENT_COLUMNS)
        frame["week"] = frame["week"].astype(np.int64)
        frame["amount_musd"] = frame["amount_musd"].astype(float)
        return frame
