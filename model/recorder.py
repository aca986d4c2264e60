"""What a run records each week, kept as preallocated numpy blocks and turned into frames at the end.

Mesa's DataCollector builds Python dicts every step; at 10,000 labs x 1,000 vendors that dominates the run,
so the recorder stores arrays and converts once (see benchmarks/README.md).

A *recording level* says what a run keeps (docs/decisions.md, D72): ``full`` (the default) keeps all five
frames; ``vendors`` keeps the market and vendor rows, what sweeps' market-level outputs read; ``market`` keeps
the market rows alone. At every level the event log is kept, and its entries are stamped with their week only
when a reader asks for them (:attr:`Recorder.events`), so an ensemble that never reads them does not pay for
them. What is kept is identical at every level.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from labelmarket.model.event_log import DRIVER_COLUMNS, LogEntry
from labelmarket.model.explain import cause
from labelmarket.model.metrics import concentration, revenue_shares
from labelmarket.model.state import MarketState

MARKET_COLUMNS = ["week", "hhi", "cr1", "cr4", "effective_vendors", "active_vendors", "entropy",
                  "switched_musd", "unmet_musd", "vc_committed_musd", "entrants"]
VENDOR_COLUMNS = ["week", "vendor", "revenue_musd", "share", "capacity_musd", "quality", "inquiries",
                  "cash_musd", "active",
                  "price_index"]  # model 2.0, sellers: vendors set their prices
ALLOCATION_COLUMNS = ["week", "lab", "vendor", "spend_musd", "trust", "perceived_neutrality"]
EVENT_COLUMNS = ["week", "kind", "actor", "target", "amount_musd", "cause", *DRIVER_COLUMNS]
LAB_COLUMNS = ["week", "lab", "budget_musd", "unplaced_musd", "wariness", "paused_musd"]
NULLABLE_DTYPES = {"other_destinations": "Int64", "rival_voting": "boolean", "voting": "boolean"}
RECORD_LEVELS = ("market", "vendors", "full")  # each keeps what the one before it keeps, and more
FRAMES_KEPT = {"market": ("market", "events"), "vendors": ("market", "vendors", "events"),
               "full": ("market", "vendors", "allocations", "events", "labs")}


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
    lab_blocks: list[np.ndarray] = field(default_factory=list)
    level: str = "full"
    _stamped: list[LogEntry] = field(default_factory=list)
    _unstamped: list[tuple[int, list[LogEntry]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.level not in RECORD_LEVELS:
            raise ValueError(f"recording level {self.level!r}: choose one of {', '.join(RECORD_LEVELS)}")
        self.market = np.zeros((self.horizon_weeks + 1, len(MARKET_COLUMNS)))
        self.allocations = self.allocations and self.level == "full"

    def record_week(self, week: int, s: MarketState) -> None:
        """Append this week's market row, vendor rows, lab rows and (if kept) the labs x vendors block."""
        revenue = s.revenue_musd()
        shares = revenue_shares(revenue, s.active)
        c = concentration(shares)
        if self.rows == self.market.shape[0]:
            self.market = np.vstack([self.market, np.zeros_like(self.market)])
        self.market[self.rows] = (week, c["hhi"], c["cr1"], c["cr4"], c["effective_vendors"], s.active.sum(),
                                  c["entropy"], s.switched_musd, s.unplaced_musd.sum() + s.blocked_musd,
                                  s.vc_committed_musd, s.entrants_this_week)
        self.rows += 1
        if self.level == "market":
            return
        self.vendor_blocks.append(np.stack([revenue, shares, s.capacity_musd, s.quality,
                                            s.inquiries.astype(float), s.cash_musd, s.active.astype(float),
                                            s.price_index]))
        self.vendor_weeks.append(week)
        if self.allocations and week % self.allocations_every_weeks == 0:
            self.allocation_blocks.append((week, s.spend_musd.copy(), s.trust.copy(),
                                           s.perceived_neutrality.copy()))
        if self.level == "full":
            self.lab_blocks.append(np.stack([s.budget_musd, s.unplaced_musd, s.wariness, s.paused_musd.sum(axis=1)]))

    def log(self, week: int, entries: list[LogEntry]) -> None:
        """Keep event-log entries under the week they belong to (stamped when read: :attr:`events`)."""
        if entries:
            self._unstamped.append((week, entries))

    @property
    def events(self) -> list[LogEntry]:
        """Every entry logged so far, in order, stamped with its week (and its amount as a Python float)."""
        for week, entries in self._unstamped:
            self._stamped.extend(replace(entry, week=week, amount_musd=float(entry.amount_musd)) for entry in entries)
        self._unstamped.clear()
        return self._stamped

    # ------------------------------------------------------------------------------------ frames
    def market_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.market[: self.rows], columns=MARKET_COLUMNS)
        for col in ("week", "active_vendors", "entrants"):
            frame[col] = frame[col].astype(np.int64)
        return frame

    def vendor_frame(self, vendor_names: list[str]) -> pd.DataFrame:
        """One row per vendor per recorded week (vendors that entered later appear from their entry)."""
        if not self.vendor_blocks:
            return pd.DataFrame(columns=VENDOR_COLUMNS)
        counts = [block.shape[1] for block in self.vendor_blocks]
        names = np.asarray(vendor_names, dtype=object)
        values = np.concatenate(self.vendor_blocks, axis=1)  # built once: one frame, not one per week
        return pd.DataFrame({
            "week": np.repeat(np.asarray(self.vendor_weeks, dtype=np.int64), counts),
            "vendor": np.concatenate([names[:n] for n in counts]),
            "revenue_musd": values[0], "share": values[1], "capacity_musd": values[2], "quality": values[3],
            "inquiries": values[4].astype(np.int64), "cash_musd": values[5], "active": values[6].astype(bool),
            "price_index": values[7]})

    def vendor_block(self) -> np.ndarray:
        """(fields, recorded weeks, vendors) the vendor rows as one array, in ``VENDOR_COLUMNS`` order after
        ``week`` and ``vendor``; NaN where a vendor had not entered yet. For readers that want weekly series
        per vendor without the long frame (a validation digest)."""
        width = max((block.shape[1] for block in self.vendor_blocks), default=0)
        cube = np.full((len(VENDOR_COLUMNS) - 2, len(self.vendor_blocks), width), np.nan)
        for w, block in enumerate(self.vendor_blocks):
            cube[:, w, : block.shape[1]] = block
        return cube

    def spend_block(self) -> tuple[np.ndarray, np.ndarray]:
        """(recorded weeks,), (weeks, labs, vendors): the recorded labs x vendors spend; NaN where a vendor had
        not entered yet."""
        width = max((spend.shape[1] for _, spend, _, _ in self.allocation_blocks), default=0)
        n_labs = self.allocation_blocks[0][1].shape[0] if self.allocation_blocks else 0
        cube = np.full((len(self.allocation_blocks), n_labs, width), np.nan)
        for w, (_, spend, _, _) in enumerate(self.allocation_blocks):
            cube[w, :, : spend.shape[1]] = spend
        return np.asarray([week for week, *_ in self.allocation_blocks], dtype=np.int64), cube

    def allocation_frame(self, lab_names: list[str], vendor_names: list[str]) -> pd.DataFrame:
        """One row per lab x vendor per recorded week, built as whole columns (one frame, not one per week)."""
        if not self.allocation_blocks:
            return pd.DataFrame(columns=ALLOCATION_COLUMNS)
        labs, vendors = np.asarray(lab_names, dtype=object), np.asarray(vendor_names, dtype=object)
        shapes = [spend.shape for _, spend, _, _ in self.allocation_blocks]
        return pd.DataFrame({
            "week": np.repeat(np.asarray([week for week, *_ in self.allocation_blocks], dtype=np.int64),
                              [n_labs * n_vendors for n_labs, n_vendors in shapes]),
            "lab": np.concatenate([np.repeat(labs, n_vendors) for _, n_vendors in shapes]),
            "vendor": np.concatenate([np.tile(vendors[:n_vendors], n_labs) for n_labs, n_vendors in shapes]),
            "spend_musd": np.concatenate([spend.ravel() for _, spend, _, _ in self.allocation_blocks]),
            "trust": np.concatenate([trust.ravel() for _, _, trust, _ in self.allocation_blocks]),
            "perceived_neutrality": np.concatenate([pn.ravel() for _, _, _, pn in self.allocation_blocks])})

    def lab_frame(self, lab_names: list[str]) -> pd.DataFrame:
        """One row per lab per recorded week: its budget, the part of it not placed, and its wariness."""
        if not self.lab_blocks:
            return pd.DataFrame(columns=LAB_COLUMNS)
        n_labs = len(lab_names)
        values = np.concatenate(self.lab_blocks, axis=1)
        return pd.DataFrame({
            "week": np.repeat(np.asarray(self.vendor_weeks, dtype=np.int64), n_labs),
            "lab": np.tile(np.asarray(lab_names, dtype=object), len(self.lab_blocks)),
            "budget_musd": values[0], "unplaced_musd": values[1], "wariness": values[2],
            "paused_musd": values[3]})  # model 2.0 (D37): contracts paused under notice, held but not spent

    def event_frame(self) -> pd.DataFrame:
        """One row per logged entry: the structured fields, with the cause rendered in words."""
        events = self.events
        columns = {name: [getattr(e, name) for e in events]
                   for name in ("week", "kind", "actor", "target", "amount_musd")}
        columns["kind"] = [str(kind) for kind in columns["kind"]]
        columns["cause"] = [cause(e) for e in events]
        for name in DRIVER_COLUMNS:
            values = [getattr(e, name) for e in events]
            if name == "other_destinations":
                values = [None if v < 0 else v for v in values]
            columns[name] = pd.array(values, dtype=NULLABLE_DTYPES[name]) if name in NULLABLE_DTYPES else values
        frame = pd.DataFrame(columns, columns=EVENT_COLUMNS)
        frame["week"] = frame["week"].astype(np.int64)
        frame["amount_musd"] = frame["amount_musd"].astype(float)
        return frame
