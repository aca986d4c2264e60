"""The event log in plain language, newest first: who moved spend where, and why.

Causes come from the recorder's events frame (rendered by ``labelmarket.model.explain``); this view dates them in weeks from the shock, colours them
by kind, and marks what the teacher fired "you" (dated to the week it was fired, as the heading showed then).
The first shock is pinned at the top. A class can filter: shocks and interventions only, moves of at least a
size, one lab. Any numeric column the event frame carries beyond the basic six is shown as a driver in plain
words, so new driver columns from the model appear without changing this file.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import solara

from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.transport import Transport

SHOWN = 40
BASIC_COLUMNS = ["week", "kind", "actor", "target", "amount_musd", "cause"]
# the events that change who owns or promises what, scheduled or decided by a vendor or owner (D86)
SHOCK_KINDS = {"ownership_change", "leadership_departure", "assurance", "vendor_assurance", "divestment", "stake_sale",
               "contract_end"}
KIND_COLOURS = {"move": "#9E9E9E", "ownership_change": "#1F3B73", "assurance": "#1F3B73", "vendor_assurance": "#1F3B73",
                "stake_sale": "#1F3B73",
                "leadership_departure": "#1F3B73", "divestment": "#1F3B73", "entry": "#2E8B57",
                "funding": "#F28E2B", "venture_funding": "#F28E2B", "contract_end": "#1F3B73", "exit": "#C62828"}
TEACHER_COLOUR = "#C2185B"
ALL_EVENTS, SHOCKS_ONLY = "Everything", "Shocks and interventions"
ALL_LABS = "All labs"
SIZES_MUSD = [0, 5, 10, 25, 50, 100]


def driver_words(column: str) -> str:
    """A driver column's name in plain words: 'alarm_trust' -> 'alarm trust', 'price_musd' -> 'price ($M)'."""
    words = column.replace("_musd", " ($M)").replace("_", " ")
    return words.strip()


def drivers_html(row: dict, driver_columns: list[str]) -> str:
    chips = [f"{escape(driver_words(column))} {row[column]:.2f}" for column in driver_columns
             if pd.notna(row[column])]
    return (f'<div style="font-size:13px;color:#555">drivers: {", ".join(chips)}</div>') if chips else ""


def log_rows(run: ClassroomRun, show: str = ALL_EVENTS, min_move_musd: float = 0.0,
             lab: str = ALL_LABS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the pinned first shock, the rows to list newest first) after the class's filters.

    Adds ``shown_week`` (weeks from the shock; a teacher's event at the week it was fired) and ``teacher``.
    """
    events = run.events()
    fired = {i.log_index: i.week for i in run.interventions}
    events = events.assign(teacher=[index in fired for index in range(len(events))],
                           shown_week=[run.report_week(fired.get(index, week))
                                       for index, week in enumerate(events.week)])
    shock = run.first_shock()
    pinned = events.iloc[0:0]
    if shock is not None:
        kinds = events.kind.isin({"ownership_change", "leadership_departure"})
        pinned = events[kinds & (events.shown_week == 0) & (events.target.eq(shock[1].vendor)
                                                            | events.actor.eq(shock[1].vendor))].head(1)
    keep = pd.Series(True, index=events.index)
    if show == SHOCKS_ONLY:
        keep &= events.kind.isin(SHOCK_KINDS) | events.teacher
    if min_move_musd > 0:
        keep &= (events.kind != "move") | (events.amount_musd >= min_move_musd)
    if lab != ALL_LABS:
        keep &= (events.kind != "move") | (events.actor == lab)
    return pinned, events[keep].iloc[::-1]


def item_html(row: dict, driver_columns: list[str], pinned: bool = False) -> str:
    colour = TEACHER_COLOUR if row["teacher"] else KIND_COLOURS.get(row["kind"], "#9E9E9E")
    badge = (f'<span style="background:{TEACHER_COLOUR};color:white;border-radius:3px;padding:0 5px;'
             f'margin-right:6px;font-size:13px">you</span>') if row["teacher"] else ""
    pin = '<span style="color:#1F3B73;font-weight:600;margin-right:6px">The shock:</span>' if pinned else ""
    return (f'<li style="border-left:5px solid {colour};padding:3px 8px;margin:0 0 4px 0">{pin}{badge}'
            f'<b>Week {row["shown_week"]}</b> — {escape(str(row["cause"]))}{drivers_html(row, driver_columns)}</li>')


def event_log_html(run: ClassroomRun, show: str = ALL_EVENTS, min_move_musd: float = 0.0,
                   lab: str = ALL_LABS) -> str:
    pinned, rows = log_rows(run, show, min_move_musd, lab)
    driver_columns = [column for column in rows.columns if column not in BASIC_COLUMNS + ["teacher", "shown_week"]
                      and pd.api.types.is_numeric_dtype(rows[column])]
    head = "".join(item_html(row, driver_columns, pinned=True) for row in pinned.to_dict("records"))
    items = [item_html(row, driver_columns) for row in rows.head(SHOWN).to_dict("records")]
    if not items:
        items.append('<li style="color:#666">Nothing to show yet: press Step or Play, or widen the filters.</li>')
    more = len(rows) - SHOWN
    footer = f'<div style="color:#666;font-size:13px">and {more} earlier events</div>' if more > 0 else ""
    pinned_list = (f'<ol aria-label="Pinned shock" style="list-style:none;padding:0;margin:0 0 6px 0;'
                   f'font-size:15px;background:#EEF2FA">{head}</ol>') if head else ""
    return (f'{pinned_list}<ol aria-label="Event log" style="list-style:none;padding:0;margin:0;font-size:15px;'
            f'max-height:360px;overflow-y:auto">{"".join(items)}</ol>{footer}')


@solara.component
def EventLog(transport: Transport):
    """The log with its filters, redrawn as the run goes."""
    transport.changes.get()
    run = transport.run.value
    show = solara.use_reactive(ALL_EVENTS)
    size = solara.use_reactive(0)
    lab = solara.use_reactive(ALL_LABS)
    with solara.Row(gap="8px", style={"align-items": "flex-end", "flex-wrap": "wrap", "row-gap": "18px",
                                      "margin-bottom": "8px"}):
        solara.ToggleButtonsSingle(value=show, values=[ALL_EVENTS, SHOCKS_ONLY], dense=True)
        with solara.Div(style={"width": "150px"}):
            solara.Select("Moves of at least ($M/yr)", value=size, values=SIZES_MUSD, dense=True)
        with solara.Div(style={"width": "190px"}):
            solara.Select("Lab", value=lab, values=[ALL_LABS, *run.market.state.lab_names], dense=True)
    solara.HTML(tag="div", unsafe_innerHTML=event_log_html(run, show.value, size.value, lab.value),
                style={"background": "white", "color": "#222"})
