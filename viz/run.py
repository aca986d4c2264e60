"""What the class watches: the scenario's market and, alongside it, the same market with no shock.

Both markets start from the same seed and advance one week per step, up to the horizon and no further.
Interventions act on the main market only, so the twin stays the "nothing happened" reference that the HHI
chart draws dashed. A third market, for side by side, may run along too (another scenario, or this one with
the scenario's own knob values).

Week 0 is the first shock: the scenario's scheduled one (``meta.reference_week``) or a stake the teacher
announced by hand before it, whichever comes first; the key figures follow that shock's target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labelmarket.agents.choice import compile_split
from labelmarket.agents.gumbel_draws import compile_gumbel
from labelmarket.agents.perception_kernel import compile_perceive
from labelmarket.model.market_model import MarketModel
from labelmarket.model.metrics import revenue_shares
from labelmarket.scenarios import DEFAULT_SCENARIO, load_scenario
from labelmarket.scenarios.schema import Event, LeadershipDeparture, OwnershipChange, Scenario
from labelmarket.viz.parameters import knob_named, knob_overrides, moved_knobs
from labelmarket.viz.readings import event_table
from labelmarket.viz.typical_seed import opening_seed

SHOCK_KINDS = (OwnershipChange, LeadershipDeparture)
OWN_VALUES = "own values"  # the comparison choice: this scenario with no knob moved


@dataclass(frozen=True)
class Intervention:
    """An event the teacher fired by hand: the week it was fired, its label, and its row in the event log."""

    week: int
    label: str
    log_index: int
    event: Event


def no_shock_overrides(scenario: Scenario) -> dict[str, Any]:
    """Switch off every scheduled event: the counterfactual market."""
    return {f"events.{name}.enabled": False for name, event in scenario.events.items() if event.enabled}


def parse_seed(seed: Any, scenario: Scenario) -> int:
    """A whole number of 0 or more from the Seed box (empty: the dashboard's opening seed for the scenario,
    ``labelmarket.viz.typical_seed``); ValueError says what to type."""
    text = "" if seed is None else str(seed).strip()
    if text == "":
        return opening_seed(scenario)
    if not text.isdigit():
        raise ValueError(f"Seed: '{seed}' is not a whole number of 0 or more; type e.g. {opening_seed(scenario)}")
    return int(text)


def scheduled_shock(scenario: Scenario) -> Event | None:
    """The scenario's first scheduled stake or leadership departure (None in a no-shock scenario)."""
    shocks = [event for _, event in scenario.enabled_events() if isinstance(event, SHOCK_KINDS)]
    return min(shocks, key=lambda event: event.week) if shocks else None


class ClassroomRun:
    """A market with its shock, its no-shock twin and an optional comparison, stepped together.

    ``settings`` maps knob keywords (``labelmarket.viz.parameters.knobs``) to the values the teacher moved them
    to; a knob not in it, or at the scenario's own value, leaves the parameter untouched. ``compare`` is a
    bundled scenario name, :data:`OWN_VALUES` or None. A bad seed raises ValueError and builds nothing.
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, seed: Any = None,
                 settings: Mapping[str, Any] | None = None, compare: str | None = None) -> None:
        base = load_scenario(scenario_name)
        self.seed = parse_seed(seed, base)
        self.scenario_name = scenario_name
        self.moved = moved_knobs(dict(settings or {}), base)
        self.overrides = knob_overrides(self.moved, base)
        scenario = load_scenario(base, self.overrides or None)
        self.scenario = scenario
        compile_split()  # numba compiles (or loads from its cache) the labs' split here, not in the first Step
        compile_perceive()  # and the other kernels of the week (D79, D81)
        compile_gumbel()
        self.market = MarketModel(scenario, rng=self.seed)
        self.twin = MarketModel(load_scenario(scenario, no_shock_overrides(scenario) or None), rng=self.seed)
        self.compare = compare or None
        self.comparison = self._comparison_market(base) if self.compare else None
        self.horizon_weeks = self.market.horizon_weeks
        self.first_entrant = self.market.state.n_vendors
        self.scheduled = scheduled_shock(scenario)
        self.interventions: list[Intervention] = []
        self.share_history: list[np.ndarray] = [self._shares()]
        self._events: tuple[tuple[int, int] | None, pd.DataFrame | None] = (None, None)
        self._frames: tuple[int | None, list] = (None, [])

    def _comparison_market(self, base: Scenario) -> MarketModel:
        source = base if self.compare == OWN_VALUES else load_scenario(self.compare)
        return MarketModel(source, rng=self.seed)

    # ------------------------------------------------------------------------------------ stepping
    def step(self) -> bool:
        """One week in every market; False (and nothing happens) once the horizon is reached."""
        if self.at_end:
            return False
        for market in self.markets():
            market.step()
        self.share_history.append(self._shares())
        return True

    def markets(self) -> list[MarketModel]:
        return [market for market in (self.market, self.twin, self.comparison) if market is not None]

    def intervene(self, event: Event, label: str) -> None:
        """Fire an event in the running market now; it shows in the log at once and acts from now on."""
        log_index = len(self.events())
        self.market.apply(event)
        self.interventions.append(Intervention(self.market.week, label, log_index, event))

    # ------------------------------------------------------------------------------------- reading
    def events(self) -> pd.DataFrame:
        """The main market's event log so far (built once per week and per intervention: every view reads it)."""
        key = (self.week, len(self.interventions))
        if self._events[0] != key:
            self._events = (key, event_table(self.market))
        return self._events[1]

    def market_frames(self) -> list[pd.DataFrame | None]:
        """The market frames of the main market, the twin and the comparison (None without one), built once
        per week."""
        if self._frames[0] != self.week:
            self._frames = (self.week, [m.recorder.market_frame() if m else None
                                        for m in (self.market, self.twin, self.comparison)])
        return self._frames[1]

    @property
    def week(self) -> int:
        return self.market.week

    @property
    def at_end(self) -> bool:
        return self.week >= self.horizon_weeks

    def first_shock(self) -> tuple[int, Event] | None:
        """(model week, event) of week 0: a stake fired by hand before the scheduled shock, else that shock."""
        due = self.scheduled.week if self.scheduled else None
        for intervention in self.interventions:
            if isinstance(intervention.event, OwnershipChange) and (due is None or intervention.week < due):
                return intervention.week, intervention.event
        return (due, self.scheduled) if self.scheduled else None

    @property
    def shock_week(self) -> int:
        """The model week shown as week 0 (the scenario's reference week while no shock is known)."""
        shock = self.first_shock()
        return shock[0] if shock else self.scenario.meta.reference_week

    @property
    def has_shock(self) -> bool:
        return self.first_shock() is not None

    @property
    def focus_vendor(self) -> str:
        """The vendor the key figures follow: the first shock's target, else the largest vendor at the start."""
        shock = self.first_shock()
        if shock:
            return shock[1].vendor
        s = self.market.state
        return s.vendor_names[int(np.argmax(self.share_history[0]))]

    def report_week(self, model_week: float) -> int:
        """Weeks counted from the first shock (week 0)."""
        return int(model_week) - self.shock_week

    def changed_knobs(self) -> list[str]:
        """The knobs moved from the scenario's values, e.g. ['Wariness after a let-down 1.2', 'Voting stake on']."""
        return [f"{knob_named(name).label} {knob_named(name).shown(value)}" for name, value in self.moved.items()]

    def _shares(self) -> np.ndarray:
        s = self.market.state
        return revenue_shares(s.revenue_musd(), s.active)

