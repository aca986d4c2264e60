"""Widget-level harness: render the dashboard with ``solara.render`` (no browser, about a second).

Controls are found as the browser tests find them: buttons by their accessible name (``press_button``), the
keys through the page's key listener (``press``), fields by their label (``control``).
"""

from __future__ import annotations

from dataclasses import dataclass

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from labelmarket.viz.app import ClassroomPage
from labelmarket.viz.layout import Layout


@solara.component
def InLayout(scenario: str):
    Layout(children=[ClassroomPage(scenario)])


@dataclass
class RenderedPage:
    rc: object

    def press(self, shortcut: str) -> None:
        """'play', 'step' or 'reset', as the keyboard sends them."""
        listeners = [w for w in self.rc.find(v.VuetifyTemplate).widgets if hasattr(w, "vue_shortcut")]
        assert len(listeners) == 1
        listeners[0].vue_shortcut(shortcut)

    def press_button(self, name: str) -> None:
        """Click the button whose accessible name is ``name`` ("Step", "Reset", "Play" ...)."""
        found = self.rc.find(v.Btn, attributes={"aria-label": name})
        found.assert_single()
        found.widget.click()

    def click(self, label: str) -> None:
        buttons = [w for w in self.rc.find(v.Btn).widgets if label in w.children]
        assert len(buttons) == 1, f"{len(buttons)} buttons labelled {label!r}"
        buttons[0].click()

    def control(self, kind, label: str):
        found = self.rc.find(kind, label=label)
        found.assert_single()
        return found.widget

    def markups(self) -> list[str]:
        """The markup of every view: plain HTML views and the clickable pictures."""
        plain = [w.unsafe_innerHTML or "" for w in self.rc.find(solara.widgets.HTML).widgets]
        return plain + [w.markup for w in self.rc.find(v.VuetifyTemplate).widgets if hasattr(w, "markup")]

    def html(self, fragment: str) -> str:
        """The markup of the one view that contains ``fragment``."""
        matches = [markup for markup in self.markups() if fragment in markup]
        assert len(matches) == 1, f"{len(matches)} views contain {fragment!r}"
        return matches[0]

    def labelled(self, label: str) -> str:
        """The text of the one HTML element whose accessible name is ``label``."""
        matches = [w.unsafe_innerHTML for w in self.rc.find(solara.widgets.HTML).widgets
                   if (w.attributes or {}).get("aria-label") == label]
        assert len(matches) == 1, f"{len(matches)} elements named {label!r}"
        return matches[0]

    def week(self) -> int:
        heading = self.html("<h2 style")
        return int(heading.split("Week ")[1].split(":")[0])


@pytest.fixture
def rendered():
    _, rc = solara.render(InLayout("meta_scale_2025"), handle_error=False)
    yield RenderedPage(rc)
    rc.close()
