"""The event log in plain language, newest first: who moved spend where, and why.

Causes come from the recorder's events frame (rendered by ``labelmarket.model.explain``); this view only dates them in weeks from the shock and
colours them by kind. Events the teacher fired are marked "you".
"""

from __future__ import annotations

from html import escape

from labelmarket.viz.run import ClassroomRun

SHOWN = 60
KIND_COLOURS = {"move": "#9E9E9E", "ownership_change": "#1F3B73", "assurance": "#1F3B73",
                "leadership_departure": "#1F3B73", "divestment": "#1F3B73", "entry": "#2E8B57",
                "funding": "#F28E2B", "venture_funding": "#F28E2B", "exit": "#C62828"}
TEACHER_COLOUR = "#C2185B"


def event_log_html(run: ClassroomRun) -> str:
    events = run.market.recorder.event_frame()
    fired = {intervention.log_index for intervention in run.interventions}
    items = []
    for index in range(len(events) - 1, max(len(events) - SHOWN, 0) - 1, -1):
        week, kind, cause = events.week.iat[index], events.kind.iat[index], events.cause.iat[index]
        teacher = index in fired
        colour = TEACHER_COLOUR if teacher else KIND_COLOURS.get(kind, "#9E9E9E")
        badge = (f'<span style="background:{TEACHER_COLOUR};color:white;border-radius:3px;padding:0 5px;'
                 f'margin-right:6px;font-size:12px">you</span>') if teacher else ""
        items.append(f'<li style="border-left:5px solid {colour};padding:3px 8px;margin:0 0 4px 0">{badge}'
                     f'<b>Week {run.report_week(week)}</b> — {escape(cause)}</li>')
    if not items:
        items.append('<li style="color:#666">Nothing has happened yet: press Step or Play.</li>')
    more = len(events) - SHOWN
    footer = f'<div style="color:#666;font-size:13px">and {more} earlier events</div>' if more > 0 else ""
    return (f'<ol aria-label="Event log" style="list-style:none;padding:0;margin:0;font-size:15px;'
            f'max-height:380px;overflow-y:auto">{"".join(items)}</ol>{footer}')
