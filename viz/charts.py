"""Time charts: vendor revenue shares (stacked area) and HHI with its no-shock twin (dashed).

The x-axis spans the whole run, in weeks from the shock, so the class sees how far the run has got. Scheduled
events and the teacher's interventions are marked with vertical lines the moment they happen.
"""

from __future__ import annotations

import numpy as np

from labelmarket.scenarios.schema import Assurance, Divestment, Entry, LeadershipDeparture, OwnershipChange
from labelmarket.viz import svg
from labelmarket.viz.run import ClassroomRun

WIDTH, HEIGHT = 600, 340
LEFT, TOP, RIGHT, BOTTOM = 62, 54, 360, 288
HHI_GUIDELINES = [(1_000, "1,000: moderately concentrated"), (1_800, "1,800: highly concentrated")]
EVENT_WORDS = {OwnershipChange: "stake", Assurance: "assurance", LeadershipDeparture: "leaders leave",
               Divestment: "divestment", Entry: "entry"}
MARKER_COLOUR = "#555"
TEACHER_COLOUR = "#C2185B"
SHOCK_COLOUR = "#1F3B73"
TWIN_COLOUR = "#8A8A8A"


def week_frame(run: ClassroomRun, y_min: float, y_max: float, right: float = RIGHT) -> svg.Frame:
    first = run.report_week(0)
    return svg.Frame(LEFT, TOP, right, BOTTOM, first, first + run.horizon_weeks, y_min, y_max)


def event_markers(run: ClassroomRun, frame: svg.Frame) -> list[str]:
    """A vertical line at each scheduled event that has happened and at each intervention."""
    marks: dict[int, list[tuple[str, str]]] = {}
    for _, event in run.market.market_scenario.enabled_events():
        if event.week <= run.week:
            marks.setdefault(event.week, []).append((EVENT_WORDS.get(type(event), event.kind), MARKER_COLOUR))
    for intervention in run.interventions:
        marks.setdefault(intervention.week, []).append((f"you: {intervention.label}", TEACHER_COLOUR))
    shapes = []
    for week, labels in sorted(marks.items()):
        x = frame.x(run.report_week(week))
        colour = TEACHER_COLOUR if any(c == TEACHER_COLOUR for _, c in labels) else MARKER_COLOUR
        shapes.append(svg.line(x, frame.top, x, frame.bottom, colour, 1.5, "4 3"))
        words = " + ".join(dict.fromkeys(word for word, _ in labels))
        shapes.append(svg.text(x + 3, frame.top - 7, words, 14, colour=colour))
    return shapes


def shares_svg(run: ClassroomRun) -> str:
    """Stacked area of each vendor's revenue share, one consistent colour per vendor."""
    names = run.market.state.vendor_names
    history = np.zeros((len(run.share_history), len(names)))
    for row, shares in enumerate(run.share_history):
        history[row, : shares.size] = shares
    weeks = [run.report_week(w) for w in range(len(run.share_history))]
    if len(weeks) == 1:  # before the first step: a one-week sliver, so the starting shares show
        weeks, history = [weeks[0], weeks[0] + 1], np.repeat(history, 2, axis=0)
    frame = week_frame(run, 0.0, 1.0)
    shapes = frame.axes(svg.nice_ticks(frame.x_min, frame.x_max, 6), [0, 0.25, 0.5, 0.75, 1.0],
                        lambda v: f"{v:.0%}", "weeks from the shock", size=16)
    below = np.zeros(len(weeks))
    for j, name in enumerate(names):
        above = below + history[:, j]
        if history[:, j].any():
            top = [(frame.x(w), frame.y(v)) for w, v in zip(weeks, above)]
            bottom = [(frame.x(w), frame.y(v)) for w, v in zip(reversed(weeks), below[::-1])]
            shapes.append(svg.polygon(top + bottom, svg.vendor_colour(j, run.first_entrant),
                                      f"{name}: {history[-1, j]:.0%} now"))
        below = above
    shapes += event_markers(run, frame)
    shapes += _share_legend(run, history[-1])
    now = run.report_week(run.week)
    label = f"Vendor revenue shares, week {now}: " + ", ".join(
        f"{names[j]} {history[-1, j]:.0%}" for j in np.argsort(-history[-1])[:4] if history[-1, j] > 0)
    return svg.document(WIDTH, HEIGHT, label, shapes)


def _share_legend(run: ClassroomRun, shares: np.ndarray) -> list[str]:
    names = run.market.state.vendor_names
    rows = [(name, shares[j], svg.vendor_colour(j, run.first_entrant)) for j, name in enumerate(names)
            if j < run.first_entrant]
    entrants = shares[run.first_entrant:]
    if entrants.size:
        rows.append((f"{entrants.size} new entrant{'s' * (entrants.size > 1)}", entrants.sum(),
                     svg.ENTRANT_COLOURS[0]))
    shapes = [svg.text(RIGHT + 12, TOP - 12, "share now", 15, colour=svg.MUTED)]
    for row, (name, share, colour) in enumerate(rows):
        y = TOP + 2 + row * 27
        shapes.append(svg.rect(RIGHT + 12, y, 16, 16, colour))
        shapes.append(svg.text(RIGHT + 33, y + 14, f"{name} {share:.0%}", 16))
    return shapes


def hhi_svg(run: ClassroomRun) -> str:
    """HHI over the weeks with the 1,000 / 1,800 guideline lines; the no-shock twin is dashed."""
    shock = run.market.recorder.market_frame()
    twin = run.twin.recorder.market_frame()
    top = max(2_000.0, float(shock.hhi.max()), float(twin.hhi.max())) * 1.15
    frame = week_frame(run, 0.0, top, right=WIDTH - 24)
    shapes = frame.axes(svg.nice_ticks(frame.x_min, frame.x_max, 6), svg.nice_ticks(0.0, top, 5),
                        lambda v: f"{v:,.0f}", "weeks from the shock", size=16)
    for level, words in HHI_GUIDELINES:
        y = frame.y(level)
        shapes.append(svg.line(frame.left, y, frame.right, y, "#B55", 1.2, "6 4"))
        shapes.append(svg.text(frame.right - 4, y - 5, words, 14, "end", colour="#B55"))
    for frame_data, colour, dash in ((twin, TWIN_COLOUR, "8 6"), (shock, SHOCK_COLOUR, "")):
        points = [(frame.x(run.report_week(w)), frame.y(h)) for w, h in zip(frame_data.week, frame_data.hhi)]
        shapes.append(svg.polyline(points, colour, 3.0, dash))
    now_hhi, twin_hhi = float(shock.hhi.iloc[-1]), float(twin.hhi.iloc[-1])
    x = frame.x(run.report_week(run.week))
    shapes.append(svg.circle(x, frame.y(now_hhi), 5, SHOCK_COLOUR))
    shapes += event_markers(run, frame)
    shapes.append(svg.line(LEFT, 16, LEFT + 30, 16, SHOCK_COLOUR, 3))
    shapes.append(svg.text(LEFT + 36, 21, f"with the shock: {now_hhi:,.0f}", 16))
    shapes.append(svg.line(LEFT + 240, 16, LEFT + 270, 16, TWIN_COLOUR, 3, "8 6"))
    shapes.append(svg.text(LEFT + 276, 21, f"no shock, same seed: {twin_hhi:,.0f}", 16))
    label = (f"HHI, week {run.report_week(run.week)}: {now_hhi:,.0f} with the shock, "
             f"{twin_hhi:,.0f} without it")
    return svg.document(WIDTH, HEIGHT, label, shapes)
