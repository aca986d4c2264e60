"""The classroom dashboard: Mesa's SolaraViz for the controls, and six views of the market in the main area.

Serve it with ``labelmarket viz [SCENARIO]`` (see ``viz/serve.py``). Each browser session gets its own run,
so a class can share one server.
"""

from __future__ import annotations

import os
from html import escape

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from labelmarket.scenarios import DEFAULT_SCENARIO
from labelmarket.viz.charts import hhi_svg, shares_svg
from labelmarket.viz.event_log import event_log_html
from labelmarket.viz.heatmap import MEASURES, heatmap_svg
from labelmarket.viz.interventions import InterventionPanel
from labelmarket.viz.key_figures import key_figures_html
from labelmarket.viz.network import network_svg
from labelmarket.viz.parameters import knobs, model_params
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.serve import SCENARIO_ENV

TITLE = "labelmarket: who sells AI training data after Meta's stake in Scale AI?"
PLAY_INTERVAL_MS = 100


def start_scenario() -> str:
    return os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO


@solara.component
def Picture(markup: str):
    """A view's markup on white, so its dark ink stays readable when the dark theme is on."""
    solara.HTML(tag="div", unsafe_innerHTML=markup,
                style={"width": "100%", "background": "white", "color": "#222", "border-radius": "4px"})


@solara.component
def HeatmapView(run: ClassroomRun):
    update_counter.get()  # redraw every step: the run object itself stays the same
    shown = solara.use_reactive(MEASURES["trust"])
    measure = next(key for key, words in MEASURES.items() if words == shown.value)
    with solara.Card("How labs see each vendor", margin=0):
        solara.ToggleButtonsSingle(value=shown, values=list(MEASURES.values()), dense=True)
        Picture(heatmap_svg(run, measure))


@solara.component
def KnobGuide():
    """What each sidebar knob means, straight from the parameter definitions (below SolaraViz's cards:
    solara orders sidebar parts by nesting depth, so this is rendered one level deeper than theirs)."""
    rows = "".join(f"<li><b>{escape(k.label)}</b>: {escape(k.meaning)} "
                   f"<span style='color:#666'>({escape(k.unit)}; {k.low:g} to {k.high:g})</span></li>"
                   for k in knobs())
    with solara.Sidebar(), solara.Details("What the knobs do"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<ul style='padding-left:16px;font-size:13px'>{rows}</ul><p style='font-size:13px'>Knob changes "
            "take effect when you press Reset. A knob left where it starts keeps each scenario's own value.</p>"))


# Cards flow into as many columns of at least this width as fit: two beside the sidebar on a 1600-pixel
# projector, three once the teacher closes the sidebar (the menu button in the app bar).
GRID = {"display": "grid", "grid-template-columns": "repeat(auto-fill, minmax(470px, 1fr))", "gap": "12px"}


@solara.component
def Dashboard(run: ClassroomRun):
    update_counter.get()
    with solara.Column(gap="12px", style={"padding": "4px 12px"}):
        Picture(key_figures_html(run))
        with solara.Div(style=GRID):
            with solara.Card("Who sells the data: revenue shares", margin=0):
                Picture(shares_svg(run))
            with solara.Card("How concentrated is the market? (HHI)", margin=0):
                Picture(hhi_svg(run))
            with solara.Card("Why they moved: event log, newest first", margin=0):
                Picture(event_log_html(run))
            with solara.Card("Intervene now (no reset)", margin=0):
                InterventionPanel(run)
            with solara.Card("Contracts: who buys from whom", margin=0):
                Picture(network_svg(run))
            HeatmapView(run)


@solara.component
def ClassroomPage(run: solara.Reactive[ClassroomRun], scenario_name: str = DEFAULT_SCENARIO):
    """The whole page around a run that SolaraViz's Step, Play and Reset act on."""
    params = solara.use_memo(lambda: model_params(scenario_name), [scenario_name])
    with solara.Column(gap="0px"):  # SolaraViz leaves empty placeholders here; no gaps between them
        SolaraViz(run, components=[], model_params=params, name=TITLE, play_interval=PLAY_INTERVAL_MS)
        SidebarExtras()
        Dashboard(run.value)


@solara.component
def SidebarExtras():
    KnobGuide()


@solara.component
def Page():
    """What ``solara run viz/app.py`` serves: a fresh run per browser session."""
    scenario = start_scenario()
    first_run = solara.use_memo(lambda: ClassroomRun(scenario), [])
    ClassroomPage(solara.use_reactive(first_run), scenario)
