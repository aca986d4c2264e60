"""What the class watches: the scenario's market and, alongside it, the same market with no shock.

Both markets start from the same seed and advance one week per step. Interventions act on the main market
only, so the twin stays the "nothing happened" reference that the HHI chart draws dashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from labelmarket.model.market_model import MarketModel
from labelmarket.model.metrics import revenue_shares
from labelmarket.scenarios import DEFAULT_SCENARIO, load_scenario
from labelmarket.scenarios.schema import Event, OwnershipChange, Scenario
from labelmarket.viz.parameters import knob_overrides, knobs, shock_event


@dataclass(frozen=True)
class Intervention:
    """An event the teacher fired by hand, and where it sits in the event log."""

    week: int
    label: str
    log_index: int


def no_shock_overrides(scenario: Scenario) -> dict[str, Any]:
    """Switch off every scheduled event: the counterfactual market."""
    return {f"events.{name}.enabled": False for name, event in scenario.events.items() if event.enabled}


def parse_seed(seed: Any, scenario: Scenario) -> int:
    if seed is None or str(seed).strip() == "":
        return scenario.meta.seed
    try:
        return int(str(seed).strip())
    except ValueError:
        raise ValueError(f"Seed: '{seed}' is not a whole number; type e.g. {scenario.meta.seed}") from None


class ClassroomRun(mesa.Model):
    """A market with its shock and its no-shock twin, stepped together (``SolaraViz`` rebuilds it on Reset).

    The keywords after ``seed`` are the sidebar knobs (``labelmarket.viz.parameters.knobs``); ``None`` keeps the
    scenario's own value.
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, seed: int | str | None = None,
                 stake: float | None = None, voting: bool | None = None,
                 assurance_strength: float | None = None, contagion_weight: float | None = None,
                 switching_cost: float | None = None, vc_appetite: float | None = None,
                 capacity_growth: float | None = None) -> None:
        settings = dict(stake=stake, voting=voting, assurance_strength=assurance_strength,
                        contagion_weight=contagion_weight, switching_cost=switching_cost,
                        vc_appetite=vc_appetite, capacity_growth=capacity_growth)
        base = load_scenario(scenario_name)
        seed_value = parse_seed(seed, base)
        super().__init__(rng=seed_value)
        self.scenario_name = scenario_name
        self.seed = seed_value
        self.settings = settings
        scenario = load_scenario(base, knob_overrides(settings, base) or None)
        self.market = MarketModel(scenario, rng=seed_value)
        self.twin = MarketModel(load_scenario(scenario, no_shock_overrides(scenario) or None), rng=seed_value)
        self.horizon_weeks = self.market.horizon_weeks
        self.reference_week = scenario.meta.reference_week
        self.first_entrant = self.market.state.n_vendors
        stake_event = shock_event(scenario, OwnershipChange)
        self.focus_vendor = stake_event.vendor if stake_event else self._largest_vendor()
        self.interventions: list[Intervention] = []
        self.share_history: list[np.ndarray] = [self._shares()]

    # ------------------------------------------------------------------------------------ stepping
    def step(self) -> None:
        """One week in both markets."""
        self.market.step()
        self.twin.step()
        self.share_history.append(self._shares())
        self.running = self.market.running

    def intervene(self, event: Event, label: str) -> None:
        """Fire an event in the running market now; it shows in the log at once and acts from now on."""
        log_index = len(self.market.recorder.events)
        self.market.apply(event)
        self.interventions.append(Intervention(self.market.week, label, log_index))

    # ------------------------------------------------------------------------------------- reading
    @property
    def week(self) -> int:
        return self.market.week

    def report_week(self, model_week: float) -> int:
        """Weeks counted from the shock (the scenario's reference week is week 0)."""
        return int(model_week) - self.reference_week

    def changed_knobs(self) -> list[str]:
        """The knobs moved from their starting values, e.g. ['Contagion weight 1.2', 'Voting stake on']."""
        changed = []
        for knob in knobs():
            value = self.settings.get(knob.name)
            if value is not None and value != knob.default:
                changed.append(f"{knob.label} {('on' if value else 'off') if knob.is_switch else f'{value:g}'}")
        return changed

    def _shares(self) -> np.ndarray:
        s = self.market.state
        return revenue_shares(s.revenue_musd(), s.active)

    def _largest_vendor(self) -> str:
        s = self.market.state
        return s.vendor_names[int(np.argmax(s.revenue_musd()))]
