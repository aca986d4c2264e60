"""The market model: how the world steps each week and what it records.

One week, in order (docs/ODD.md, "Process overview and scheduling"):
events due this week -> labs perceive -> labs decide -> budgets grow -> vendors operate -> investors invest
-> record.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import mesa
import pandas as pd

from labelmarket.agents import Investor, Lab, Vendor
from labelmarket.model.events import apply_event, live_event_problem
from labelmarket.model.initial_state import build_state
from labelmarket.model.recorder import Recorder
from labelmarket.scenarios.loader import DEFAULT_SCENARIO, load_scenario
from labelmarket.scenarios.schema import Event, Owner, Scenario


class MarketModel(mesa.Model):
    """AI labs, data vendors and investors reassigning contracts week by week.

    ``MarketModel(scenario="meta_scale_2025", rng=7)``; ``scenario`` may be a bundled name, a path or a
    validated :class:`Scenario`; ``overrides`` are dotted paths (``{"behaviour.contagion_weight": 0.4}``);
    ``weeks`` defaults to the scenario's horizon. All randomness comes from ``self.rng``.
    """

    def __init__(self, scenario: str | Path | Scenario = DEFAULT_SCENARIO, rng: Any = None,
                 overrides: dict[str, Any] | None = None, weeks: int | None = None) -> None:
        resolved = load_scenario(scenario, overrides)
        super().__init__(rng=resolved.meta.seed if rng is None else int(rng))
        self.market_scenario = resolved
        self._live_week: int | None = None  # set while a live intervention is being applied
        self._carried_flows: tuple[float, int] = (0.0, 0)  # VC and entrants brought by live interventions
        self.behaviour = resolved.behaviour
        self.horizon_weeks = resolved.meta.horizon_weeks if weeks is None else int(weeks)
        self.state = build_state(resolved, self.rng)
        rec = resolved.record
        self.recorder = Recorder(self.horizon_weeks, rec.allocations, rec.allocations_every_weeks)
        self.labs = [Lab(self, i) for i in range(self.state.n_labs)]
        self.vendors = [Vendor(self, j) for j in range(self.state.n_vendors)]
        self.investors = [Investor(self, k) for k in range(len(self.state.investor_names))]
        self._scheduled: dict[int, list[Event]] = defaultdict(list)
        for _, event in resolved.enabled_events():
            self._scheduled[event.week].append(event)
        for event in self._scheduled.pop(0, []):  # week-0 events shape the initial state
            apply_event(self, event)
        self.recorder.record_week(0, self.state)

    @property
    def week(self) -> int:
        """The current week (0 before the first step)."""
        return int(self.time)

    def step(self) -> None:
        """Advance one week."""
        self._start_week()
        for event in self._scheduled.pop(self.week, []):
            apply_event(self, event)
        Lab.perceive(self)
        Lab.decide(self)
        Lab.grow_budgets(self)
        Vendor.operate(self)
        Investor.invest(self)
        self.recorder.record_week(self.week, self.state)
        if self.week >= self.horizon_weeks:
            self.running = False

    def run(self) -> MarketModel:
        """Step to the horizon."""
        while self.running and self.week < self.horizon_weeks:
            self.step()
        return self

    def _start_week(self) -> None:
        """Weekly flows start from zero, plus what live interventions since the last step brought."""
        s = self.state
        s.switched_musd = s.blocked_musd = 0.0
        s.vc_committed_musd, s.entrants_this_week = self._carried_flows
        self._carried_flows = (0.0, 0)
        s.inquiries[:] = 0
        s.refused_musd[:] = 0.0

    # ------------------------------------------------------------------------------- interventions
    def apply(self, event: Event) -> None:
        """Carry out an event now (a live intervention between steps).

        It changes the state at once and is logged, with its flows (cash, entrants), under the coming week,
        the first week it acts on. Names are checked against the running market first; a bad name raises
        ValueError and changes nothing.
        """
        problem = live_event_problem(self.state, event)
        if problem:
            raise ValueError(f"live {event.kind} event: {problem}")
        s = self.state
        recorded = (s.vc_committed_musd, s.entrants_this_week)  # this week's row is already written
        self._live_week = self.week + 1
        try:
            apply_event(self, event)
        finally:
            self._live_week = None
            vc, entrants = self._carried_flows
            self._carried_flows = (vc + s.vc_committed_musd - recorded[0], entrants + s.entrants_this_week - recorded[1])
            s.vc_committed_musd, s.entrants_this_week = recorded

    def add_vendor(self, name: str, segment: str, capacity_musd: float, quality: float, price_index: float,
                   cash_musd: float, owners: dict[str, Owner]) -> int:
        """A new vendor enters: a new column in the market arrays and a new Vendor agent."""
        j = self.state.add_vendor(name, segment, capacity_musd, quality, price_index, cash_musd, owners)
        self.vendors.append(Vendor(self, j))
        self.log_event("entry", name, "", cash_musd,
                       f"{name} entered the market with ${capacity_musd:,.0f}M/yr capacity, quality {quality:.2f}")
        return j

    def log_event(self, kind: str, actor: str, target: str, amount_musd: float, cause: str) -> None:
        week = self.week if self._live_week is None else self._live_week
        self.recorder.log(week, kind, actor, target, amount_musd, cause)

    # ------------------------------------------------------------------------------------- frames
    def frames(self) -> dict[str, pd.DataFrame]:
        """The recorded frames: market, vendors, allocations, events."""
        s = self.state
        return {
            "market": self.recorder.market_frame(),
            "vendors": self.recorder.vendor_frame(s.vendor_names),
            "allocations": self.recorder.allocation_frame(s.lab_names, s.vendor_names),
            "events": self.recorder.event_frame(),
        }

    def spend_at(self, lab: str, vendor: str) -> float:
        """Current spend of a lab at a vendor, $M/yr (0 if either name is unknown to the market)."""
        s = self.state
        if lab not in s.lab_names or vendor not in s.vendor_names:
            return 0.0
        return float(s.spend_musd[s.lab_names.index(lab), s.vendor_names.index(vendor)])

    def market_shares(self) -> dict[str, float]:
        revenue = self.state.revenue_musd() * self.state.active
        total = revenue.sum()
        return {n: float(r / total) if total else 0.0 for n, r in zip(self.state.vendor_names, revenue)}

