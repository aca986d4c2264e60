"""Keyboard shortcuts for the whole page: space plays or pauses, → steps one week, R resets.

A key typed into a box, a list or a slider is left to that control (→ still moves a focused slider).
"""

from __future__ import annotations

from collections.abc import Callable

import solara

SHORTCUTS = {"play": "space", "step": "→", "reset": "R"}


@solara.component_vue("keyboard.vue")
def KeyListener(event_shortcut: Callable[[str], None]):
    """A hidden element that listens for keys on the page and reports 'play', 'step' or 'reset'."""


@solara.component
def KeyboardShortcuts(actions: dict[str, Callable[[], None]]):
    """Call ``actions[name]`` for each shortcut pressed (names as in :data:`SHORTCUTS`)."""
    KeyListener(event_shortcut=lambda name: actions[name]() if name in actions else None)
