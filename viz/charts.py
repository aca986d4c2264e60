"""Time charts: vendor revenue shares (stacked area) and HHI with its no-shock twin (dashed).

The x-axis spans the whole run, in weeks from the shock, so the class sees how far the run has got. Scheduled
events, the promises and stake sales that vendors and owners decide themselves (D86), and the teacher's
interventions are marked with vertical lines the moment they happen; their labels
take turns on two lanes above the plot, so markers a few weeks apart never print over each other. A
comparison run (side by side) is drawn in the HHI chart as a dotted line.
"""

from __future__ import annotations

import numpy as np

from labelmarket.model.event_log import EventKind
from labelmarket.scenarios.schema import Assurance, Divestment, Entry, LeadershipDeparture, OwnershipChange
from labelmarket.viz import svg
from labelmarket.viz.run import ClassroomRun

WIDTH, HEIGHT = 640, 360
LEFT, TOP, RIGHT, BOTTOM = 62, 76, 370, 306
MARKER_SIZE = 14
LANES = 2
HHI_GUIDELINES = [(1_000, "1,000: moderately concentrated"), (1_800, "1,800: highly concentrated")]
EVENT_WORDS = {OwnershipChange: "stake", Assurance: "assurance", LeadershipDeparture: "leaders leave",
               Divestment: "divestment", Entry: "entry"}
DECIDED_WORDS = {EventKind.VENDOR_ASSURANCE: "assurance", EventKind.STAKE_SALE: "stake sold"}  # no scenario schedules
MARKER_COLOUR = "#555"
TEACHER_COLOUR = "#C2185B"
SHOCK_COLOUR = "#1F3B73"
TWIN_COLOUR = "#8A8A8A"
COMPARE_COLOUR = "#E07B00"


def week_frame(run: ClassroomRun, y_min: float, y_max: float, right: float = RIGHT) -> svg.Frame:
    first = run.report_week(0)
    return svg.Frame(LEFT, TOP, right, BOTTOM, first, first + run.horizon_weeks, y_min, y_max)


def event_markers(run: ClassroomRun, frame: svg.Frame) -> list[str]:
    """A vertical line at each scheduled event that has happened, each promise or stake sale a vendor or owner
    decided, and each intervention, labelled above."""
    marks: dict[int, list[tuple[str, str]]] = {}
    for _, event in run.market.market_scenario.enabled_events():
        if event.week <= run.week:
            marks.setdefault(event.week, []).append((EVENT_WORDS.get(type(event), event.kind), MARKER_COLOUR))
    for entry in run.market.recorder.events:
        if entry.kind in DECIDED_WORDS:
            marks.setdefault(entry.week, []).append((DECIDED_WORDS[entry.kind], MARKER_COLOUR))
    for intervention in run.interventions:
        marks.setdefault(intervention.week, []).append((f"you: {intervention.label}", TEACHER_COLOUR))
    shapes, lane_ends = [], [-1e9] * LANES
    for week, labels in sorted(marks.items()):
        x = frame.x(run.report_week(week))
        colour = TEACHER_COLOUR if any(c == TEACHER_COLOUR for _, c in labels) else MARKER_COLOUR
        shapes.append(svg.line(x, frame.top, x, frame.bottom, colour, 1.5, "4 3"))
        words = " + ".join(dict.fromkeys(word for word, _ in labels))
        if svg.text_width(words, MARKER_SIZE) > frame.right - frame.left:
            words = f"{len(labels)} events"
        width = svg.text_width(words, MARKER_SIZE)
        start = min(max(x + 3, frame.left - 40), frame.right - width)  # kept above the plot, off the legend
        lane = next((k for k, end in enumerate(lane_ends) if start > end + 6), None)
        if lane is None:  # both lanes busy: the dashed line alone marks this one
            continue
        lane_ends[lane] = start + width
        shapes.append(svg.text(start, frame.top - 8 - lane * (MARKER_SIZE + 6), words, MARKER_SIZE, colour=colour))
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
    shapes = [svg.text(RIGHT + 14, TOP - 12, "share now", 15, colour=svg.MUTED)]
    for row, (name, share, colour) in enumerate(rows):
        y = TOP + 2 + row * 27
        shapes.append(svg.rect(RIGHT + 14, y, 16, 16, colour))
        shapes.append(svg.text(RIGHT + 35, y + 14, f"{name} {share:.0%}", 15))
    return shapes


def hhi_svg(run: ClassroomRun) -> str:
    """HHI over the weeks with the 1,000 / 1,800 guideline lines; the no-shock twin is dashed, a comparison
    run dotted."""
    shock, twin, comparison = run.market_frames()
    top = max(2_000.0, *(float(f.hhi.max()) for f in (shock, twin, comparison) if f is not None)) * 1.15
    frame = week_frame(run, 0.0, top, right=WIDTH - 24)
    shapes = frame.axes(svg.nice_ticks(frame.x_min, frame.x_max, 6), svg.nice_ticks(0.0, top, 5),
                        lambda v: f"{v:,.0f}", "weeks from the shock", size=16)
    for level, words in HHI_GUIDELINES:
        y = frame.y(level)
        shapes.append(svg.line(frame.left, y, frame.right, y, "#B55", 1.2, "6 4"))
        shapes.append(svg.text(frame.right - 4, y - 5, words, 14, "end", colour="#B55"))
    lines = [(twin, TWIN_COLOUR, "8 6"), (shock, SHOCK_COLOUR, "")]
    if comparison is not None:
        lines.insert(1, (comparison, COMPARE_COLOUR, "2 4"))
    for frame_data, colour, dash in lines:
        points = [(frame.x(run.report_week(w)), frame.y(h)) for w, h in zip(frame_data.week, frame_data.hhi)]
        shapes.append(svg.polyline(points, colour, 3.0, dash))
    now_hhi, twin_hhi = float(shock.hhi.iloc[-1]), float(twin.hhi.iloc[-1])
    x = frame.x(run.report_week(run.week))
    shapes.append(svg.circle(x, frame.y(now_hhi), 5, SHOCK_COLOUR))
    shapes += event_markers(run, frame)
    legend = [(f"with the shock: {now_hhi:,.0f}", SHOCK_COLOUR, ""), (f"no shock: {twin_hhi:,.0f}", TWIN_COLOUR, "8 6")]
    if comparison is not None:
        legend.append((f"compare: {float(comparison.hhi.iloc[-1]):,.0f}", COMPARE_COLOUR, "2 4"))
    x = LEFT
    for words, colour, dash in legend:
        shapes.append(svg.line(x, 18, x + 30, 18, colour, 3, dash))
        shapes.append(svg.text(x + 36, 23, words, 14))
        x += 36 + svg.text_width(words, 14) + 14
    label = (f"HHI, week {run.report_week(run.week)}: {now_hhi:,.0f} with the shock, "
             f"{twin_hhi:,.0f} without it" + (f", {float(comparison.hhi.iloc[-1]):,.0f} in {run.compare}"
                                              if comparison is not None else ""))
    return svg.document(WIDTH, HEIGHT, label, shapes)
