"""Widget-level harness: render the dashboard with ``solara.render`` (no browser, about a second)."""

from __future__ import annotations

from dataclasses import dataclass

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from labelmarket.viz.app import ClassroomPage
from labelmarket.viz.run import ClassroomRun


@solara.component
def InLayout(run):
    # AppLayout collects SolaraViz's sidebar and app bar, so their controls can be found
    with solara.AppLayout():
        ClassroomPage(run)


@dataclass
class RenderedPage:
    run: solara.Reactive[ClassroomRun]
    rc: object

    def click(self, label: str) -> None:
        self.rc.find(v.Btn, children=[label]).assert_single()
        self.rc.find(v.Btn, children=[label]).widget.click()

    def control(self, kind, label: str):
        found = self.rc.find(kind, label=label)
        found.assert_single()
        return found.widget

    def html(self, fragment: str) -> str:
        """The markup of the one view that contains ``fragment``."""
        matches = [w.unsafe_innerHTML for w in self.rc.find(solara.widgets.HTML).widgets
                   if fragment in (w.unsafe_innerHTML or "")]
        assert len(matches) == 1, f"{len(matches)} views contain {fragment!r}"
        return matches[0]


@pytest.fixture
def rendered():
    run = solara.reactive(ClassroomRun())
    _, rc = solara.render(InLayout(run), handle_error=False)
    yield RenderedPage(run, rc)
    rc.close()
