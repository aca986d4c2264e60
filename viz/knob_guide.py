"""What each sidebar knob means, straight from the parameter definitions."""

from __future__ import annotations

from html import escape

import solara

from labelmarket.viz.keyboard import SHORTCUTS
from labelmarket.viz.parameters import knobs


@solara.component
def KnobGuide():
    rows = "".join(f"<li><b>{escape(k.label)}</b>: {escape(k.meaning)} "
                   f"<span style='color:#666'>({escape(k.unit)}; {k.low:g} to {k.high:g})</span></li>"
                   for k in knobs())
    keys = ", ".join(f"{key} {action}" for action, key in SHORTCUTS.items())
    with solara.Details("What the knobs do"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<ul style='padding-left:16px;font-size:13px'>{rows}</ul><p style='font-size:13px'>Knob, seed and "
            "comparison changes take effect when you press Reset; a knob left at the scenario's value changes "
            f"nothing. Picking a scenario starts it at once. Keys: {escape(keys)}.</p>"))
