"""The agent inspector: click a lab or a vendor in the network or the heatmap to see it up close.

For a lab: its budget and spend, and its spend, trust and perceived neutrality at each vendor. For a vendor:
its revenue, capacity, quality and owners, and what each lab spends with it and thinks of it. Both with their
history over the run, in weeks from the shock. It reads everything through ``labelmarket.viz.readings``.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import reacton.ipyvuetify as rv
import solara

from labelmarket.viz import svg
from labelmarket.viz.picture import Picture
from labelmarket.viz.readings import Profile, profile
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.transport import Transport

HISTORY_LINES = {"trust": ("trust", "#1F3B73", ""), "perceived_neutrality": ("perceived neutrality", "#59A14F", "8 5"),
                 "share": ("revenue share", "#E07B00", "2 4")}
WIDTH, HEIGHT = 640, 250


def history_svg(run: ClassroomRun, found: Profile) -> str:
    """The agent's 0..1 measures over the weeks so far (trust, perceived neutrality, share)."""
    frame = svg.Frame(60, 44, WIDTH - 20, HEIGHT - 56, run.report_week(0), run.report_week(run.horizon_weeks),
                      0.0, 1.0)
    shapes = frame.axes(svg.nice_ticks(frame.x_min, frame.x_max, 6), [0, 0.5, 1.0], lambda v: f"{v:g}",
                        "weeks from the shock", size=14)
    x = frame.left
    for column, (words, colour, dash) in HISTORY_LINES.items():
        if column not in found.history:
            continue
        series = found.history[column].dropna()
        points = [(frame.x(run.report_week(week)), frame.y(value)) for week, value in series.items()]
        if len(points) > 1:
            shapes.append(svg.polyline(points, colour, 3.0, dash))
        shapes.append(svg.line(x, 16, x + 28, 16, colour, 3, dash))
        shapes.append(svg.text(x + 34, 21, words, 14))
        x += 34 + svg.text_width(words, 14) + 16
    label = f"History of {found.name}, week {run.report_week(run.week)}"
    return svg.document(WIDTH, HEIGHT, label, shapes)


def partner_table_html(found: Profile) -> str:
    """One row per vendor (for a lab) or per lab (for a vendor): spend, trust, perceived neutrality."""
    partner = "vendor" if found.kind == "lab" else "lab"
    table: pd.DataFrame = found.by_partner.sort_values("spend_musd", ascending=False)
    rows = "".join(
        f"<tr><td>{escape(str(getattr(row, partner)))}</td><td style='text-align:right'>${row.spend_musd:,.0f}M</td>"
        f"<td style='text-align:right'>{row.trust:.2f}</td>"
        f"<td style='text-align:right'>{row.perceived_neutrality:.2f}</td></tr>" for row in table.itertuples())
    return (f"<table aria-label='{escape(found.name)} by {partner}' style='width:100%;font-size:15px;"
            "border-collapse:collapse'><thead><tr style='text-align:left;color:#555'>"
            f"<th>{partner}</th><th style='text-align:right'>spend /yr</th><th style='text-align:right'>trust</th>"
            f"<th style='text-align:right'>perceived neutrality</th></tr></thead><tbody>{rows}</tbody></table>")


def facts_html(found: Profile) -> str:
    items = "".join(f"<div><div style='font-size:13px;color:#555'>{escape(label)}</div>"
                    f"<div style='font-size:20px;font-weight:600'>{escape(value)}</div></div>"
                    for label, value in found.now)
    return f"<div style='display:flex;flex-wrap:wrap;gap:18px;margin-bottom:8px'>{items}</div>"


@solara.component
def Inspector(transport: Transport, inspected: solara.Reactive[str]):
    """A dialog with the picked agent's profile; it follows the run while open."""
    transport.changes.get()
    run = transport.run.value
    found = profile(run.market, inspected.value) if inspected.value else None
    with rv.Dialog(v_model=found is not None, on_v_model=lambda is_open: None if is_open else inspected.set(""),
                   max_width="760px", scrollable=True):
        if found is not None:
            with solara.Card(f"Inspector: {found.name} ({found.kind})", margin=0,
                             style={"font-size": "15px"}):
                Picture(facts_html(found))
                Picture(history_svg(run, found))
                Picture(partner_table_html(found))
                solara.Button("Close", on_click=lambda: inspected.set(""), outlined=True,
                              attributes={"aria-label": "Close inspector"})
