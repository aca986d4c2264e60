"""How a view's markup is put on the page: on white, so its dark ink stays readable in the dark theme.

A clickable picture reports which lab or vendor was clicked: any shape carrying ``data-agent="NAME"`` (see
``labelmarket.viz.svg.agent_target``) can be clicked, or focused and opened with Enter.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

SURFACE = {"width": "100%", "background": "white", "color": "#222", "border-radius": "4px"}


@solara.component
def Picture(markup: str):
    """A view's markup (built by the view modules, with every name escaped)."""
    solara.HTML(tag="div", unsafe_innerHTML=markup, style=SURFACE)


@solara.component_vue("picture.vue")
def _PictureWithClicks(markup: str, event_pick: Callable[[str], None]):
    """The markup, and a click (or Enter) on a shape with ``data-agent`` reports that agent's name."""


@solara.component
def ClickablePicture(markup: str, on_pick: Callable[[str], None]):
    _PictureWithClicks(markup=markup, event_pick=on_pick)
