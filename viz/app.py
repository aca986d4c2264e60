"""The classroom dashboard: a transport bar on top, the set-up in the sidebar, and the views of the market.

Serve it with ``labelmarket viz [SCENARIO]`` (see ``viz/serve.py``). Each browser session gets its own run,
so a class can share one server. The page is laid out for a projector (1366 x 768 and 1920 x 1080): the
transport controls stay in the top bar, the key figures and the two time charts fill the first screen, and
every other view follows in two columns (one on a narrow or zoomed screen).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import solara

from labelmarket.scenarios import DEFAULT_SCENARIO
from labelmarket.viz.charts import hhi_svg, shares_svg
from labelmarket.viz.end_of_run import EndOfRun
from labelmarket.viz.event_log import EventLog
from labelmarket.viz.export import ExportButtons
from labelmarket.viz.heatmap import HeatmapView
from labelmarket.viz.info_panel import InfoPanel
from labelmarket.viz.inspector import Inspector
from labelmarket.viz.interventions import InterventionPanel
from labelmarket.viz.key_figures import key_figures_html
from labelmarket.viz.keyboard import KeyboardShortcuts
from labelmarket.viz.knob_guide import KnobGuide
from labelmarket.viz.layout import Layout
from labelmarket.viz.network import network_svg
from labelmarket.viz.picture import ClickablePicture, Picture
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.serve import SCENARIO_ENV
from labelmarket.viz.setup_panel import Setup, SetupPanel
from labelmarket.viz.transport import Transport, TransportBar, use_transport

TITLE = "labelmarket: who sells AI training data after Meta's stake in Scale AI?"

# Two columns at most, each at least 420 px wide; one column on a narrow or zoomed screen. Two columns keep
# each chart wide enough that its text is at least 14 px on a 1920 x 1080 projector.
GRID = {"display": "grid", "gap": "12px",
        "grid-template-columns": "repeat(auto-fill, minmax(max(420px, calc((100% - 12px) / 2)), 1fr))"}


# A 300-px sidebar (solara's is 400) leaves the charts room on a 1366-px projector; the title gives way to the
# transport controls when the bar is short of room.
PAGE_CSS = """
.v-navigation-drawer { min-width: 300px !important; width: 300px !important; }
.v-app-bar .v-toolbar__title { min-width: 0; flex-shrink: 1; }
@media (max-width: 1100px) { .v-app-bar .v-toolbar__title { display: none; } }
"""


def start_scenario() -> str:
    return os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO


@solara.component
def Views(transport: Transport, inspected: solara.Reactive[str]):
    """Every view of the market, redrawn whenever the run changes."""
    transport.changes.get()
    run = transport.run.value
    with solara.Column(gap="12px", style={"padding": "4px 12px 12px"}):
        if run.at_end:
            EndOfRun(run)
        Picture(key_figures_html(run))
        with solara.Div(style=GRID):
            with solara.Card("Who sells the data: revenue shares", margin=0):
                Picture(shares_svg(run))
            with solara.Card("How concentrated is the market? (HHI)", margin=0):
                Picture(hhi_svg(run))
            with solara.Card("Why they moved: event log", margin=0):
                EventLog(transport)
            with solara.Card("Intervene now (no reset)", margin=0):
                InterventionPanel(transport)
            with solara.Card("Contracts: who buys from whom (click a lab or vendor)", margin=0):
                ClickablePicture(network_svg(run), on_pick=inspected.set)
            HeatmapView(transport, inspected)


@solara.component
def ClassroomPage(scenario_name: str = DEFAULT_SCENARIO):
    """The whole page for one browser session."""
    transport = use_transport(lambda: ClassroomRun(scenario_name))
    setup = solara.use_reactive(Setup.of(transport.run.value))
    problem = solara.use_reactive("")
    inspected = solara.use_reactive("")
    info_open = solara.use_reactive(False)

    def reset() -> None:
        try:
            run = setup.value.build()
        except ValueError as error:
            problem.set(str(error))
            return
        problem.set("")
        transport.replace(run)

    def step_when_paused() -> None:
        if not transport.playing.value:
            transport.step()

    with solara.Column(gap="0px"):
        with solara.Div(style={"height": "0px", "overflow": "hidden"}):  # parts shown elsewhere leave stubs here
            PageParts(transport, setup, problem, inspected, info_open, reset, step_when_paused)
        Views(transport, inspected)


@solara.component
def PageParts(transport: Transport, setup: solara.Reactive[Setup], problem: solara.Reactive[str],
              inspected: solara.Reactive[str], info_open: solara.Reactive[bool], reset: Callable[[], None],
              step_when_paused: Callable[[], None]):
    """The title, the top bar, the sidebar and the dialogs (each shown in its own place on the page)."""
    solara.Title(TITLE)
    with solara.AppBarTitle():
        solara.Text("labelmarket")
    with solara.AppBar():
        TransportBar(transport, reset)
        solara.v.Spacer()
        solara.Button("Info", icon_name="mdi-information-outline", on_click=lambda: info_open.set(True),
                      color="white", outlined=True, attributes={"aria-label": "Info"})
        # not shown in the bar: the page's style, the key listener and the two dialogs (they open over the page)
        solara.Style(PAGE_CSS)
        KeyboardShortcuts({"play": transport.toggle_play, "step": step_when_paused, "reset": reset})
        InfoPanel(info_open)
        Inspector(transport, inspected)
    with solara.Sidebar():
        SetupPanel(transport, setup, problem)
        ExportButtons(transport)
        KnobGuide()


__all__ = ["Layout", "Page"]  # solara run serves Page inside Layout


@solara.component
def Page():
    """What ``solara run viz/app.py`` serves: a fresh run per browser session."""
    ClassroomPage(start_scenario())
