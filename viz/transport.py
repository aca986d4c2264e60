"""The transport bar: Play / Pause, Step, Reset, the speed in plain words, and the week counter.

It sits in the page's top bar, so it stays visible when the sidebar is closed or the page is scrolled. Play
steps one week per tick, at the chosen speed, and stops by itself at the horizon.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import solara

from labelmarket.viz.run import ClassroomRun

# plain words -> weeks per second; the slowest leaves a class time to talk between weeks
SPEEDS = {"Slow: ½ week a second": 0.5, "Steady: 1 week a second": 1.0, "Brisk: 2 weeks a second": 2.0,
          "Fast: 5 weeks a second": 5.0, "Fastest": 10.0}
DEFAULT_SPEED = "Brisk: 2 weeks a second"


@dataclass(frozen=True)
class Transport:
    """The page's shared run state: the run, whether Play is on, the speed, and a counter bumped on each change
    (views read it to redraw, since stepping changes the run object in place)."""

    run: solara.Reactive[ClassroomRun]
    playing: solara.Reactive[bool]
    speed: solara.Reactive[str]
    changes: solara.Reactive[int]

    def redraw(self) -> None:
        self.changes.set(self.changes.value + 1)

    def step(self) -> None:
        """One week; at the horizon, Play stops and nothing more happens."""
        self.run.value.step()
        if self.run.value.at_end:
            self.playing.set(False)
        self.redraw()

    def toggle_play(self) -> None:
        if not self.run.value.at_end:
            self.playing.set(not self.playing.value)

    def replace(self, run: ClassroomRun) -> None:
        """A new run (Reset or another scenario), paused at its first week."""
        self.playing.set(False)
        self.run.set(run)
        self.redraw()


def use_transport(first_run: Callable[[], ClassroomRun]) -> Transport:
    """The transport state of one browser session, and the Play loop that steps it."""
    transport = Transport(solara.use_reactive(solara.use_memo(first_run, [])), solara.use_reactive(False),
                          solara.use_reactive(DEFAULT_SPEED), solara.use_reactive(0))

    def play() -> None:
        """One week per tick, on a fixed beat: the time a week takes to draw comes out of the wait."""
        due = time.monotonic()
        while transport.playing.value:
            due = max(due + 1.0 / SPEEDS[transport.speed.value], time.monotonic())
            time.sleep(max(0.0, due - time.monotonic()))
            if transport.playing.value:
                transport.step()

    solara.lab.use_task(play, dependencies=[transport.playing.value], prefer_threaded=True)
    return transport


def week_counter(run: ClassroomRun) -> str:
    """'Week -12, ends at 78' counted from the shock, or 'End of run: week 78'."""
    now, last = run.report_week(run.week), run.report_week(run.horizon_weeks)
    return f"End of run: week {last}" if run.at_end else f"Week {now}, ends at {last}"


@solara.component
def TransportBar(transport: Transport, on_reset: Callable[[], None]):
    """Play / Pause, Step, Reset, speed and the week counter, each with an accessible name."""
    transport.changes.get()
    run = transport.run.value
    playing = transport.playing.value
    with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "nowrap", "background": "transparent"}):
        label = "Pause" if playing else "Play"
        solara.Button(label, icon_name="mdi-pause" if playing else "mdi-play", on_click=transport.toggle_play,
                      disabled=run.at_end, color="white", outlined=True, attributes={"aria-label": label})
        solara.Button("Step", icon_name="mdi-skip-next", on_click=transport.step, disabled=playing or run.at_end,
                      color="white", outlined=True, attributes={"aria-label": "Step"})
        solara.Button("Reset", icon_name="mdi-restart", on_click=on_reset, color="white", outlined=True,
                      attributes={"aria-label": "Reset"})
        with solara.Div(style={"width": "230px", "margin-left": "8px"}):
            solara.Select("Speed", value=transport.speed, values=list(SPEEDS), dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=week_counter(run),
                    attributes={"role": "status", "aria-label": "Week counter"},
                    style={"font-size": "20px", "font-weight": "600", "margin-left": "12px", "white-space": "nowrap"})
