"""A vendors x labs heatmap of trust or of perceived neutrality (the teacher switches between them).

Vendors are the rows, so the list can grow with entrants (14 or more) and every name still reads
horizontally; labs are the columns, named upright above them. Every value is printed in its cell. A click on
a vendor's row or a lab's column name opens the agent inspector.
"""

from __future__ import annotations

import solara

from labelmarket.viz import svg
from labelmarket.viz.picture import ClickablePicture
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.transport import Transport

MEASURES = {"trust": "Trust", "perceived_neutrality": "Perceived neutrality"}
WIDTH = 660
LABEL_SIZE = 14
LONGEST_NAME = 24  # characters; longer names are cut with "…" (the full name is in the tooltip)
ROW = 28


def short(name: str) -> str:
    return name if len(name) <= LONGEST_NAME else name[: LONGEST_NAME - 1] + "…"


def heatmap_svg(run: ClassroomRun, measure: str = "trust") -> str:
    """Each cell is one lab's view of one active vendor, coloured on the red (low) to blue (high) ramp."""
    if measure not in MEASURES:
        raise ValueError(f"heatmap measure: '{measure}' is not one of {', '.join(MEASURES)}")
    s = run.market.state
    values = getattr(s, measure)
    vendors = [j for j in range(s.n_vendors) if s.active[j]]
    label_width = 12 + max(svg.text_width(short(s.vendor_names[j]), LABEL_SIZE) for j in vendors)
    top = 14 + max(svg.text_width(short(name), LABEL_SIZE) for name in s.lab_names)
    cell = (WIDTH - label_width - 4) / s.n_labs
    height = top + len(vendors) * ROW + 64
    numbers_fit = svg.text_width("0.00", LABEL_SIZE) <= cell - 4
    shapes = []
    for i, lab in enumerate(s.lab_names):
        x = label_width + (i + 0.5) * cell
        shapes.append(svg.agent_target(lab, [
            svg.rect(x - cell / 2, 0, cell, top - 4, "white", lab),
            svg.text(x, top - 8, short(lab), LABEL_SIZE, baseline="middle", rotate=-90)]))
    for row, j in enumerate(vendors):
        y = top + row * ROW
        vendor = s.vendor_names[j]
        cells = [svg.rect(0, y, label_width, ROW, "white", vendor),
                 svg.text(label_width - 8, y + ROW / 2, short(vendor), LABEL_SIZE, "end", baseline="middle")]
        for i, lab in enumerate(s.lab_names):
            value = float(values[i, j])
            x = label_width + i * cell
            cells.append(svg.rect(x + 1, y + 1, cell - 2, ROW - 2, svg.trust_colour(value),
                                  f"{lab} -> {vendor}: {MEASURES[measure].lower()} {value:.2f}"))
            if numbers_fit:  # with many labs the cells are too narrow for a number: colour and tooltip carry it
                ink = "white" if value < 0.15 or value > 0.85 else svg.INK
                cells.append(svg.text(x + cell / 2, y + ROW / 2, f"{value:.2f}", LABEL_SIZE, "middle", ink,
                                      baseline="middle"))
        shapes.append(svg.agent_target(vendor, cells))
    shapes += svg.trust_legend(label_width, height - 44, MEASURES[measure].lower())
    label = f"{MEASURES[measure]} heatmap, vendors by labs, week {run.report_week(run.week)}"
    return svg.document(WIDTH, height, label, shapes, role="figure")


@solara.component
def HeatmapView(transport: Transport, inspected: solara.Reactive[str]):
    """The heatmap card, with its trust / perceived neutrality switch, redrawn as the run goes."""
    transport.changes.get()
    run = transport.run.value
    shown = solara.use_reactive(MEASURES["trust"])
    measure = next(key for key, words in MEASURES.items() if words == shown.value)
    with solara.Card("How labs see each vendor (click a name)", margin=0):
        solara.ToggleButtonsSingle(value=shown, values=list(MEASURES.values()), dense=True)
        ClickablePicture(heatmap_svg(run, measure), on_pick=inspected.set)
