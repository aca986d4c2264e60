"""A labs x vendors heatmap of trust or of perceived neutrality (the teacher switches between them)."""

from __future__ import annotations

from labelmarket.viz import svg
from labelmarket.viz.run import ClassroomRun

MEASURES = {"trust": "Trust", "perceived_neutrality": "Perceived neutrality"}
WIDTH = 660
LABEL_WIDTH = 190
TOP = 110
ROW = 28
MIN_CELL_FOR_NUMBERS = 34


def heatmap_svg(run: ClassroomRun, measure: str = "trust") -> str:
    """Each cell is one lab's view of one active vendor, coloured on the red (low) to blue (high) ramp."""
    if measure not in MEASURES:
        raise ValueError(f"heatmap measure: '{measure}' is not one of {', '.join(MEASURES)}")
    s = run.market.state
    values = getattr(s, measure)
    vendors = [j for j in range(s.n_vendors) if s.active[j]]
    cell = (WIDTH - LABEL_WIDTH - 10) / len(vendors)
    height = TOP + s.n_labs * ROW + 60
    shapes = []
    for col, j in enumerate(vendors):
        x = LABEL_WIDTH + (col + 0.5) * cell
        shapes.append(svg.text(x - 4, TOP - 8, s.vendor_names[j], 13, rotate=-35))
    for i, lab in enumerate(s.lab_names):
        y = TOP + i * ROW
        shapes.append(svg.text(LABEL_WIDTH - 8, y + ROW / 2, lab, 14, "end", baseline="middle"))
        for col, j in enumerate(vendors):
            value = float(values[i, j])
            x = LABEL_WIDTH + col * cell
            shapes.append(svg.rect(x + 1, y + 1, cell - 2, ROW - 2, svg.trust_colour(value),
                                   f"{lab} -> {s.vendor_names[j]}: {MEASURES[measure].lower()} {value:.2f}"))
            if cell >= MIN_CELL_FOR_NUMBERS:
                ink = "white" if value < 0.15 or value > 0.85 else svg.INK
                shapes.append(svg.text(x + cell / 2, y + ROW / 2, f"{value:.2f}", 12, "middle", ink,
                                       baseline="middle"))
    shapes += svg.trust_legend(LABEL_WIDTH, height - 40, MEASURES[measure].lower())
    label = f"{MEASURES[measure]} heatmap, labs by vendors, week {run.report_week(run.week)}"
    return svg.document(WIDTH, height, label, shapes)
