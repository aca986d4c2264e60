"""The market model: how the world steps each week and what it records.

One week, in order (docs/ODD.md, "Process overview and scheduling"):
events due this week -> notices end -> labs perceive -> labs decide -> budgets grow -> strategic owners decide
-> vendors compete -> vendors operate -> investors invest -> record.

This is the schedule layer (docs/architecture.md): it calls the rules of ``labelmarket.agents`` in that order on
the shared state, writes the entries they return to the event log under the week, and keeps one Mesa agent
per lab, vendor and investor (entrants included) as the readable face of the arrays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import mesa
import pandas as pd

from labelmarket.agents import investor, lab, vendor
from labelmarket.agents.investor import Investor
from labelmarket.agents.lab import Lab
from labelmarket.agents.vendor import Vendor
from labelmarket.model.event_log import LogEntry
from labelmarket.model.events import apply_event, live_event_problem
from labelmarket.model.initial_state import build_state
from labelmarket.model.recorder import FRAMES_KEPT, Recorder
from labelmarket.scenarios.loader import DEFAULT_SCENARIO, load_scenario
from labelmarket.scenarios.schema import Event, Scenario


class MarketModel(mesa.Model):
    """AI labs, data vendors and investors reassigning contracts week by week.

    ``MarketModel(scenario="meta_scale_2025", rng=7)``; ``scenario`` may be a bundled name, a path or a
    validated :class:`Scenario`; ``overrides`` are dotted paths (``{"behaviour.wariness_gain": 4.0}``);
    ``weeks`` defaults to the scenario's horizon; ``record`` is the recording level (``full``, ``vendors`` or
    ``market``: :mod:`labelmarket.model.recorder`). All randomness comes from ``self.rng``.
    """

    def __init__(self, scenario: str | Path | Scenario = DEFAULT_SCENARIO, rng: Any = None,
                 overrides: dict[str, Any] | None = None, weeks: int | None = None, record: str = "full") -> None:
        resolved = load_scenario(scenario, overrides)
        super().__init__(rng=resolved.meta.seed if rng is None else int(rng))
        self.market_scenario = resolved
        self._live_week: int | None = None  # set while a live intervention is being applied
        self._carried_flows: tuple[float, int] = (0.0, 0)  # VC and entrants brought by live interventions
        self.behaviour = resolved.behaviour
        self.horizon_weeks = resolved.meta.horizon_weeks if weeks is None else int(weeks)
        self.state = build_state(resolved, self.rng)
        rec = resolved.record
        self.recorder = Recorder(self.horizon_weeks, rec.allocations, rec.allocations_every_weeks, level=record)
        for i in range(self.state.n_labs):
            Lab(self, self.state, i)
        for k in range(len(self.state.investor_names)):
            Investor(self, self.state, k)
        self._vendor_agents = 0
        self._add_vendor_agents()
        self._scheduled: dict[int, list[Event]] = defaultdict(list)
        for _, event in resolved.enabled_events():
            self._scheduled[event.week].append(event)
        for event in self._scheduled.pop(0, []):  # week-0 events shape the initial state
            self._carry_out(event)
        self.recorder.record_week(0, self.state)

    @property
    def week(self) -> int:
        """The current week (0 before the first step)."""
        return int(self.time)

    def step(self) -> None:
        """Advance one week."""
        s, b, week = self.state, self.behaviour, self.week
        self._start_week()
        for event in self._scheduled.pop(week, []):
            self._carry_out(event)
        lab.serve_notices(s, week)  # model 2.0 (D37): notices that end free their money
        lab.perceive(s, b)
        self.log(lab.decide(s, b, self.rng, week, self.market_scenario.record.decisions_min_musd))
        lab.grow_budgets(s)
        self.log(investor.decide_as_owner(s, b, week))  # model 2.0: captive volume, divestment
        self.log(vendor.compete(s, b, self.rng, week))  # model 2.0: prices, sales, assurances
        self.log(vendor.operate(s, b))
        self.log(investor.invest(s, b, self.rng))
        self._add_vendor_agents()
        self.recorder.record_week(week, self.state)
        if week >= self.horizon_weeks:
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
            self._carry_out(event)
        finally:
            self._live_week = None
            vc, entrants = self._carried_flows
            self._carried_flows = (vc + s.vc_committed_musd - recorded[0], entrants + s.entrants_this_week - recorded[1])
            s.vc_committed_musd, s.entrants_this_week = recorded

    def _carry_out(self, event: Event) -> None:
        """Apply an event to the state, log it, and give any vendor it created its agent."""
        self.log(apply_event(self.state, self.behaviour, self.rng, event))
        self._add_vendor_agents()

    def _add_vendor_agents(self) -> None:
        """A Vendor agent for each vendor column that has none yet (the initial vendors, then entrants)."""
        for j in range(self._vendor_agents, self.state.n_vendors):
            Vendor(self, self.state, j)
        self._vendor_agents = self.state.n_vendors

    def log(self, entries: list[LogEntry]) -> None:
        """Write event-log entries under the current week (a live intervention's under the coming week)."""
        if entries:
            self.recorder.log(self.week if self._live_week is None else self._live_week, entries)

    # ------------------------------------------------------------------------------------- frames
    def frames(self, names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
        """The recorded frames: market, vendors, allocations, events, labs (those of ``names`` only, if given).

        A run recorded below the ``full`` level has the market and events frames (and, at ``vendors``, the
        vendors frame); asking for a frame it did not record raises ValueError.
        """
        s, r = self.state, self.recorder
        build = {"market": r.market_frame, "vendors": lambda: r.vendor_frame(s.vendor_names),
                 "allocations": lambda: r.allocation_frame(s.lab_names, s.vendor_names),
                 "events": r.event_frame, "labs": lambda: r.lab_frame(s.lab_names)}
        kept = FRAMES_KEPT[r.level]
        wanted = kept if names is None else tuple(names)
        missing = [name for name in wanted if name not in kept]
        if missing:
            raise ValueError(f"frames {missing} were not recorded at recording level {r.level!r} "
                             f"(it keeps {', '.join(kept)}); run with record='full'")
        return {name: build[name]() for name in wanted}

    def market_shares(self) -> dict[str, float]:
        revenue = self.state.revenue_musd() * self.state.active
        total = revenue.sum()
        return {n: float(r / total) if total else 0.0 for n, r in zip(self.state.vendor_names, revenue)}

