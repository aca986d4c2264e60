"""The sidebar: which scenario, which seed, the knobs, and what to compare with.

Picking a scenario starts it at once, and the knobs jump to its values. The seed, the knobs and the
comparison apply when Reset is pressed; until then a note says what Reset will change. A bad seed shows a
message under the box and the run carries on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from html import escape
from typing import Any

import solara

from labelmarket.scenarios import bundled_scenarios, load_scenario
from labelmarket.scenarios.schema import Scenario
from labelmarket.viz.parameters import Knob, is_moved, knob_named, knobs, moved_knobs, scenario_value, unused_reason
from labelmarket.viz.run import OWN_VALUES, ClassroomRun, parse_seed
from labelmarket.viz.transport import Transport

NO_COMPARISON = "nothing"


@cache
def scenario_named(name: str) -> Scenario:
    """A scenario as the sidebar shows it (loaded once per server: the knobs read it at every redraw)."""
    return load_scenario(name)


@dataclass(frozen=True)
class Setup:
    """What the sidebar shows: the next run's scenario, seed text, moved knobs and comparison."""

    scenario_name: str
    seed_text: str
    settings: dict[str, Any] = field(default_factory=dict)
    compare: str = NO_COMPARISON

    @classmethod
    def of(cls, run: ClassroomRun) -> Setup:
        return cls(run.scenario_name, str(run.seed), dict(run.moved), run.compare or NO_COMPARISON)

    def build(self) -> ClassroomRun:
        """The run this set-up describes; ValueError (e.g. a bad seed) says what to fix."""
        return ClassroomRun(self.scenario_name, self.seed_text, self.settings,
                            None if self.compare == NO_COMPARISON else self.compare)

    def pending(self, run: ClassroomRun) -> list[str]:
        """What Reset would change in the running ``run``, in words."""
        changes = []
        try:
            seed = parse_seed(self.seed_text, run.scenario)
        except ValueError:
            seed = run.seed
        if seed != run.seed:
            changes.append(f"seed {seed}")
        moved = moved_knobs(self.settings, scenario_named(self.scenario_name))
        changes += [f"{knob_named(name).label} {knob_named(name).shown(value)}" for name, value in moved.items()
                    if run.moved.get(name) != value]
        changes += [f"{knob_named(name).label} back to the scenario's value" for name in run.moved
                    if name not in moved]
        if (self.compare if self.compare != NO_COMPARISON else None) != run.compare:
            changes.append(f"compare with {self.compare}")
        return changes


def compare_choices(scenario_name: str) -> list[str]:
    """Nothing, this scenario with its own values (against the moved knobs), or another bundled scenario."""
    return [NO_COMPARISON, OWN_VALUES, *[name for name in sorted(bundled_scenarios()) if name != scenario_name]]


@solara.component
def KnobControl(knob: Knob, setup: solara.Reactive[Setup]):
    """A slider (or switch) showing the scenario's value and its number; disabled, with the reason, if unused."""
    scenario = scenario_named(setup.value.scenario_name)
    own = scenario_value(knob, scenario)
    reason = unused_reason(knob, scenario)
    value = setup.value.settings.get(knob.name, own)
    moved = is_moved(knob, value, scenario)

    def move(new_value: Any) -> None:
        setup.set(replace(setup.value, settings={**setup.value.settings, knob.name: new_value}))

    number = "—" if reason else knob.shown(value if moved else own)  # a snapped slider still shows the scenario's
    with solara.Tooltip(reason or knob.meaning):
        with solara.Column(gap="0px", style={"margin-bottom": "2px"}):
            with solara.Row(gap="6px", style={"align-items": "center"}):
                with solara.Div(style={"flex": "1 1 auto"}):
                    if knob.is_switch:
                        solara.Checkbox(label=knob.label, value=bool(value) if own is not None else False,
                                        on_value=move, disabled=bool(reason))
                    else:
                        solara.SliderFloat(knob.label, value=float(value if own is not None else knob.low),
                                           min=knob.low, max=knob.high, step=knob.step, on_value=move,
                                           disabled=bool(reason), thumb_label=False)
                solara.HTML(tag="span", unsafe_innerHTML=escape(number),
                            attributes={"title": reason or knob.meaning, "aria-label": f"{knob.label} value"},
                            style={"font-size": "15px", "font-weight": "600", "min-width": "44px", "text-align": "right",
                                   "color": "#C2185B" if moved else "inherit"})
            note = reason or (f"moved; the scenario says {knob.shown(own)}" if moved else "")
            if note:
                solara.HTML(tag="div", unsafe_innerHTML=escape(note), style={"font-size": "12px", "color": "#666"})


@solara.component
def SetupPanel(transport: Transport, setup: solara.Reactive[Setup], problem: solara.Reactive[str]):
    """Scenario, seed, knobs and comparison in the sidebar (redrawn when the run is replaced, not every week)."""
    run = transport.run.value

    def pick_scenario(name: str) -> None:
        chosen = Setup(name, setup.value.seed_text if not problem.value else str(run.seed))
        setup.set(chosen)
        problem.set("")
        transport.replace(chosen.build())

    def type_seed(text: str) -> None:
        setup.set(replace(setup.value, seed_text=text))
        problem.set("")

    solara.Select("Scenario", value=setup.value.scenario_name, on_value=pick_scenario,
                  values=sorted({*bundled_scenarios(), setup.value.scenario_name}))
    solara.InputText("Seed", value=setup.value.seed_text, on_value=type_seed, continuous_update=True,
                     error=problem.value or False)
    for knob in knobs():
        KnobControl(knob, setup)
    solara.Select("Compare with (same seed)", value=setup.value.compare,
                  values=compare_choices(setup.value.scenario_name),
                  on_value=lambda chosen: setup.set(replace(setup.value, compare=chosen)))
    pending = setup.value.pending(run)
    if pending:
        solara.Info("Press Reset to apply: " + ", ".join(pending), dense=True)
