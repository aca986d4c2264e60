"""The knobs a teacher turns, read from the single parameter definitions.

Behaviour knobs take their range, unit and meaning from ``labelmarket.scenarios.behaviour.parameter_specs()``;
the shock's knobs (stake size, voting, assurance strength) take their range and meaning from the scenario
schema. A knob shows the loaded scenario's own value (:func:`scenario_value`). Only a value the teacher moved
becomes an override (:meth:`Knob.override`); a knob that does nothing in a scenario (a stake knob where no
stake is bought) is disabled there, with the reason (:func:`unused_reason`). The assurance knob sets the
scheduled promise's strength where the scenario schedules one, else the strength of the promise the vendor decides
itself (``behaviour.assurance_decided_strength``: ``meta_scale_2025`` schedules none since D86).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from labelmarket.scenarios.behaviour import parameter_specs
from labelmarket.scenarios.schema import Assurance, Event, OwnershipChange, Scenario

SLIDER_STEPS = 100


@dataclass(frozen=True)
class Knob:
    """One control in the sidebar: what it sets, its range and what it means."""

    name: str          # the keyword ClassroomRun takes
    label: str
    path: str          # a dotted override path, with "{event}" standing for the scenario's event name
    low: float
    high: float
    unit: str
    meaning: str
    is_switch: bool = False
    undecided_path: str | None = None  # the behaviour path it sets where its event is not scheduled (D86)

    @property
    def step(self) -> float:
        """The slider's step: a hundredth of the range, rounded to two significant figures."""
        return float(f"{(self.high - self.low) / SLIDER_STEPS:.2g}")

    @property
    def event_kind(self) -> type | None:
        """The scheduled event this knob belongs to (None for a behaviour knob)."""
        return EVENT_KINDS.get(self.name)

    def override(self, value: Any, scenario: Scenario) -> dict[str, Any]:
        """The dotted override this knob's moved ``value`` makes in ``scenario`` ({} if unmoved or unused)."""
        if value is None:
            return {}
        if self.event_kind is None:
            return {self.path: value}
        event_name = shock_event_name(scenario, self.event_kind)
        if event_name is None:
            return {self.undecided_path: value} if self.undecided_path else {}
        return {self.path.format(event=event_name): value}

    def shown(self, value: Any) -> str:
        """The value in words, as beside the slider: '0.40', 'on'."""
        if self.is_switch:
            return "on" if value else "off"
        return f"{value:.3g}"


# which event a shock knob belongs to
EVENT_KINDS: dict[str, type] = {"stake": OwnershipChange, "voting": OwnershipChange,
                                "assurance_strength": Assurance}
EVENT_FIELDS = {"stake": "stake", "voting": "voting", "assurance_strength": "strength"}
EVENT_WORDS = {OwnershipChange: "no stake is bought", Assurance: "no assurance is given"}
DECIDED_ASSURANCE = "assurance_decided_strength"  # the behaviour the assurance knob sets where none is scheduled

# (behaviour parameter, label) for the behaviour knobs a teacher wants to turn; a knob is named by its parameter
BEHAVIOUR_KNOBS = [
    ("wariness_gain", "Wariness after a let-down"),
    ("switching_cost_scale", "Switching cost"),
    ("vc_appetite", "VC appetite"),
    ("hiring_rate_per_week", "Capacity growth"),
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
    low, high, meaning = _schema_range(OwnershipChange, "stake")
    found: list[Knob] = [
        Knob("stake", "Stake size", "events.{event}.stake", low, high, "share of equity",
             meaning or "Share of the vendor's equity the investor buys in the scenario's ownership change."),
        Knob("voting", "Voting stake", "events.{event}.voting", 0.0, 1.0, "yes / no",
             OwnershipChange.model_fields["voting"].description
             or "Whether that stake carries votes (control) or is financial only.", is_switch=True),
    ]
    low, high, meaning = _schema_range(Assurance, "strength")
    found.append(Knob("assurance_strength", "Assurance strength", "events.{event}.strength", low, high, "0..1",
                      (meaning or "Strength of the vendor's promise of neutrality after the deal.")
                      + " Where no promise is scheduled, the strength of the one a vendor decides to give.",
                      undecided_path=f"behaviour.{DECIDED_ASSURANCE}"))
    specs = {spec.name: spec for spec in parameter_specs()}
    for field, label in BEHAVIOUR_KNOBS:
        spec = specs[field]
        found.append(Knob(field, label, f"behaviour.{field}", spec.low, spec.high, spec.unit, spec.meaning))
    return tuple(found)


def knob_named(name: str) -> Knob:
    return next(knob for knob in knobs() if knob.name == name)


def scenario_value(knob: Knob, scenario: Scenario) -> Any:
    """The value ``scenario`` itself gives the knob's parameter (None if the knob does nothing there)."""
    if knob.event_kind is None:
        return getattr(scenario.behaviour, knob.path.removeprefix("behaviour."))
    event = shock_event(scenario, knob.event_kind)
    if event is None:
        return getattr(scenario.behaviour, knob.undecided_path.removeprefix("behaviour.")) if knob.undecided_path else None
    return getattr(event, EVENT_FIELDS[knob.name])


def unused_reason(knob: Knob, scenario: Scenario) -> str:
    """Why the knob does nothing in ``scenario`` ('' when it does something)."""
    if knob.event_kind is None or knob.undecided_path or shock_event(scenario, knob.event_kind) is not None:
        return ""
    return f"Not used in {scenario.meta.name}: {EVENT_WORDS[knob.event_kind]} in this scenario."


def is_moved(knob: Knob, value: Any, scenario: Scenario) -> bool:
    """True when ``value`` differs from the scenario's own by at least half a slider step.

    A slider snaps the value it shows to its step and may send that snapped value back; that is not a move.
    """
    own = scenario_value(knob, scenario)
    if value is None or own is None:
        return False
    if knob.is_switch:
        return bool(value) != bool(own)
    return abs(float(value) - float(own)) >= knob.step / 2


def moved_knobs(settings: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """The knobs in ``settings`` (keyword -> value) that are moved and act in ``scenario``, in sidebar order."""
    return {knob.name: settings[knob.name] for knob in knobs()
            if is_moved(knob, settings.get(knob.name), scenario) and knob.override(settings[knob.name], scenario)}


def knob_overrides(settings: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """All dotted overrides that the moved knob ``settings`` (keyword -> value) make in ``scenario``."""
    overrides: dict[str, Any] = {}
    for name, value in moved_knobs(settings, scenario).items():
        overrides.update(knob_named(name).override(value, scenario))
    return overrides
