"""The contract network: labs on the left, vendors on the right, one line per contract.

A line's width is the spend and its colour the lab's trust in that vendor. A vendor's circle grows with its
revenue; a red ring and a note mark a vendor in which a strategic investor (a rival lab) holds a stake.
Clicking a lab or a vendor opens the agent inspector.
"""

from __future__ import annotations

import numpy as np

from labelmarket.viz import svg
from labelmarket.viz.run import ClassroomRun

WIDTH = 720
LAB_X, VENDOR_X = 220, 400
ROW = 34
TOP = 40
MIN_SPEND_MUSD = 0.5
MAX_EDGE_WIDTH = 14.0
STAKE_COLOUR = "#C62828"


def rival_stakes(run: ClassroomRun, j: int) -> list[str]:
    """Notes such as 'Meta Platforms 49 % non-voting' for each strategic stake in vendor j."""
    s = run.market.state
    notes = []
    for k in np.flatnonzero(s.is_strategic & (s.stake[j] > 0)):
        votes = "voting" if s.voting[j, k] else "non-voting"
        notes.append(f"{s.investor_names[k]} {s.stake[j, k]:.0%} {votes}")
    return notes


def network_svg(run: ClassroomRun) -> str:
    s = run.market.state
    vendors = [j for j in range(s.n_vendors) if s.active[j]]
    rows = max(s.n_labs, len(vendors))
    height = TOP + rows * ROW + 70
    lab_y = {i: TOP + (i + 0.5) * rows * ROW / s.n_labs for i in range(s.n_labs)}
    vendor_y = {j: TOP + (row + 0.5) * rows * ROW / len(vendors) for row, j in enumerate(vendors)}
    revenue = s.revenue_musd()
    radius = {j: 6 + 26 * np.sqrt(revenue[j] / max(revenue.max(), 1e-9)) for j in vendors}
    biggest = max(float(s.spend_musd.max()), 1e-9)

    shapes = [svg.text(LAB_X, 18, "labs", 14, "end", svg.MUTED), svg.text(VENDOR_X, 18, "vendors", 14,
                                                                          "middle", svg.MUTED)]
    contracts = [(float(s.spend_musd[i, j]), i, j) for i in range(s.n_labs) for j in vendors
                 if s.spend_musd[i, j] > MIN_SPEND_MUSD]
    for spend, i, j in sorted(contracts):
        shapes.append(svg.line(LAB_X + 6, lab_y[i], VENDOR_X - radius[j], vendor_y[j],
                               svg.trust_colour(s.trust[i, j]), 1 + MAX_EDGE_WIDTH * spend / biggest, opacity=0.85))
    for i, name in enumerate(s.lab_names):
        shapes.append(svg.agent_target(name, [
            svg.rect(0, lab_y[i] - ROW / 2, LAB_X + 8, ROW, "white"),
            svg.circle(LAB_X, lab_y[i], 6, "#555", label=f"{name}: ${s.budget_musd[i]:,.0f}M/yr budget"),
            svg.text(LAB_X - 12, lab_y[i], name, 14, "end", baseline="middle")]))
    for j in vendors:
        notes = rival_stakes(run, j)
        ring = (STAKE_COLOUR, 4.0) if notes else ("white", 1.5)
        x = VENDOR_X + radius[j] + 8
        parts = [svg.circle(VENDOR_X, vendor_y[j], radius[j], svg.vendor_colour(j, run.first_entrant),
                            ring[0], ring[1], f"{s.vendor_names[j]}: ${revenue[j]:,.0f}M/yr revenue"),
                 svg.text(x, vendor_y[j] - (9 if notes else 0), f"{s.vendor_names[j]}  ${revenue[j]:,.0f}M",
                          14, baseline="middle")]
        if notes:
            parts.append(svg.text(x, vendor_y[j] + 9, "owner: " + "; ".join(notes), 14,
                                  colour=STAKE_COLOUR, baseline="middle"))
        shapes.append(svg.agent_target(s.vendor_names[j], parts))
    shapes += svg.trust_legend(40, height - 40, "line colour: the lab's trust")
    shapes.append(svg.text(230, height - 22, "line width: spend; circle: revenue ($M/yr)", 14,
                           colour=svg.MUTED))
    owned = [s.vendor_names[j] for j in vendors if rival_stakes(run, j)]
    label = (f"Contract network, week {run.report_week(run.week)}: {len(contracts)} contracts"
             + (f"; rival-owned: {', '.join(owned)}" if owned else ""))
    return svg.document(WIDTH, height, label, shapes, role="figure")
