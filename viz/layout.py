"""The page's frame: solara's app layout, with the sidebar closed on narrow (or zoomed) screens.

Below 960 CSS pixels (a 1366-pixel projector at 150 % zoom) the sidebar becomes a drawer over the page; it
starts closed there, so it never hides the charts or the transport bar. The browser reports its width once
the page is shown (``viewport.vue``).
"""

from __future__ import annotations

from collections.abc import Callable

import solara

NARROW_PX = 960
narrow_screen = solara.reactive(False)  # one value per browser session


@solara.component_vue("viewport.vue")
def ViewportWidth(event_width: Callable[[int], None]):
    """Reports the window's width in CSS pixels when shown."""


@solara.component
def Layout(children=[]):
    ViewportWidth(event_width=lambda width: narrow_screen.set(int(width) < NARROW_PX))
    solara.AppLayout(children=children, sidebar_open=not narrow_screen.value)
