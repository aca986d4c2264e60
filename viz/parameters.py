"""The knobs a teacher turns, read from the single parameter definitions and turned into Mesa model_params.

Behaviour knobs take their range, unit and meaning from ``labelmarket.scenarios.behaviour.parameter_specs()``; the
shock's knobs (stake size, voting, assurance strength) take their range and meaning from the scenario schema.
Every knob starts at the default scenario's value. A knob left at that value keeps each scenario's own value;
a knob the teacher moved overrides it (see :meth:`Knob.override`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from labelmarket.scenarios import DEFAULT_SCENARIO, bundled_scenarios, load_scenario
from labelmarket.scenarios.behaviour import parameter_specs
from labelmarket.scenarios.schema import Assurance, Event, OwnershipChange, Scenario

SLIDER_STEPS = 100


@dataclass(frozen=True)
class Knob:
    """One control in the sidebar: what it sets, its range, its starting value and what it means."""

    name: str          # the keyword ClassroomRun takes
    label: str
    path: str          # a dotted override path, with "{event}" standing for the scenario's event name
    low: float
    high: float
    default: Any
    unit: str
    meaning: str

    @property
    def is_switch(self) -> bool:
        return isinstance(self.default, bool)

    def model_param(self) -> dict[str, Any]:
        """The Mesa ``model_params`` entry for this knob."""
        if self.is_switch:
            return {"type": "Checkbox", "value": self.default, "label": self.label}
        step = (self.high - self.low) / SLIDER_STEPS
        return {"type": "SliderFloat", "value": self.default, "min": self.low, "max": self.high,
                "step": float(f"{step:.2g}"), "label": self.label}

    def override(self, value: Any, scenario: Scenario) -> dict[str, Any]:
        """The dotted override this knob's value makes in ``scenario`` ({} if left at its start or absent)."""
        if value is None or value == self.default:
            return {}
        if "{event}" not in self.path:
            return {self.path: value}
        event_name = shock_event_name(scenario, EVENT_KINDS[self.name])
        return {self.path.format(event=event_name): value} if event_name else {}


# which event a shock knob belongs to
EVENT_KINDS: dict[str, type] = {"stake": OwnershipChange, "voting": OwnershipChange,
                                "assurance_strength": Assurance}

# (keyword, label, behaviour field) for the behaviour knobs a teacher wants to turn
BEHAVIOUR_KNOBS = [
    ("contagion_weight", "Contagion weight", "contagion_weight"),
    ("switching_cost", "Switching cost", "switching_cost_scale"),
    ("vc_appetite", "VC appetite", "vc_appetite"),
    ("capacity_growth", "Capacity growth", "hiring_rate_per_week"),
]


def shock_event_name(scenario: Scenario, kind: type) -> str | None:
    """The first enabled scheduled event of ``kind`` (e.g. the ownership change), by name."""
    return next((name for name, event in scenario.enabled_events() if isinstance(event, kind)), None)


def shock_event(scenario: Scenario, kind: type) -> Event | None:
    name = shock_event_name(scenario, kind)
    return scenario.events[name] if name else None


def _schema_range(model: type, field: str) -> tuple[float, float, str]:
    info = model.model_fields[field]
    low = next((m.ge for m in info.metadata if hasattr(m, "ge")), 0.0)
    high = next((m.le for m in info.metadata if hasattr(m, "le")), 1.0)
    return float(low), float(high), info.description or ""


@cache
def knobs() -> tuple[Knob, ...]:
    """Every knob, in sidebar order: the shock first, then behaviour."""
    start = load_scenario(DEFAULT_SCENARIO)
    stake_event = shock_event(start, OwnershipChange)
    assurance = shock_event(start, Assurance)
    low, high, meaning = _schema_range(OwnershipChange, "stake")
    found: list[Knob] = [
        Knob("stake", "Stake size", "events.{event}.stake", low, high,
             stake_event.stake if stake_event else 0.0, "share of equity",
             meaning or "Share of the vendor's equity the investor buys in the scenario's ownership change."),
        Knob("voting", "Voting stake", "events.{event}.voting", 0.0, 1.0,
             bool(stake_event.voting) if stake_event else False, "yes / no",
             OwnershipChange.model_fields["voting"].description
             or "Whether that stake carries votes (control) or is financial only."),
    ]
    low, high, meaning = _schema_range(Assurance, "strength")
    found.append(Knob("assurance_strength", "Assurance strength", "events.{event}.strength", low, high,
                      assurance.strength if assurance else 0.0, "0..1",
                      meaning or "Strength of the vendor's promise of neutrality after the deal."))
    specs = {spec.name: spec for spec in parameter_specs()}
    for name, label, field in BEHAVIOUR_KNOBS:
        spec = specs[field]
        found.append(Knob(name, label, f"behaviour.{field}", spec.low, spec.high,
                          float(getattr(start.behaviour, field)), spec.unit, spec.meaning))
    return tuple(found)


def knob_overrides(settings: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """All dotted overrides that the knob ``settings`` (keyword -> value) make in ``scenario``."""
    overrides: dict[str, Any] = {}
    for knob in knobs():
        overrides.update(knob.override(settings.get(knob.name), scenario))
    return overrides


def model_params(scenario_name: str = DEFAULT_SCENARIO) -> dict[str, dict[str, Any]]:
    """Mesa ``model_params`` for SolaraViz: scenario picker (starting at ``scenario_name``), seed, knobs."""
    start = load_scenario(scenario_name)
    params: dict[str, dict[str, Any]] = {
        "scenario_name": {"type": "Select", "value": scenario_name, "label": "Scenario",
                          "values": sorted({*bundled_scenarios(), scenario_name})},
        "seed": {"type": "InputText", "value": str(start.meta.seed), "label": "Seed"},
    }
    params.update({knob.name: knob.model_param() for knob in knobs()})
    return params
