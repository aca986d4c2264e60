"""The Info panel, like NetLogo's Info tab: the story, what to notice, and things to try.

The text lives in ``viz/info.md``; ``docs/teaching.md`` carries the same three sections word for word (a test
checks it), so the page and the teacher's guide never disagree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import markdown
import reacton.ipyvuetify as rv
import solara

INFO_FILE = Path(__file__).with_name("info.md")


@cache
def info_sections() -> dict[str, str]:
    """Heading -> markdown body of each section of the Info text."""
    sections: dict[str, str] = {}
    for part in INFO_FILE.read_text(encoding="utf-8").split("## ")[1:]:
        heading, _, body = part.partition("\n")
        sections[heading.strip()] = body.strip()
    return sections


@cache
def info_html() -> str:
    """The Info text as HTML (our own file, not user input)."""
    return markdown.markdown(INFO_FILE.read_text(encoding="utf-8"))


@solara.component
def InfoPanel(is_open: solara.Reactive[bool]):
    with rv.Dialog(v_model=is_open.value, on_v_model=is_open.set, max_width="820px", scrollable=True):
        with solara.Card("Info: the story, what to notice, things to try", margin=0):
            solara.HTML(tag="div", unsafe_innerHTML=info_html(), attributes={"role": "region", "aria-label": "Info"},
                        style={"font-size": "17px", "line-height": "1.45"})
            solara.Button("Close", on_click=lambda: is_open.set(False), outlined=True,
                          attributes={"aria-label": "Close info"})
