"""Key figures in large type: where the run is, how concentrated the market is, and what the shock changed.

Each figure shows the no-shock twin's value beside it, so the class reads the shock's effect directly.
"""

from __future__ import annotations

from html import escape

from labelmarket.viz.run import ClassroomRun

TILE = ("flex:1 1 150px;padding:8px 14px;border-radius:6px;background:#F4F6FA;border-left:6px solid {colour};"
        "min-width:140px")


def week_words(run: ClassroomRun) -> str:
    week = run.report_week(run.week)
    if week < 0:
        return f"{-week} week{'s' * (-week != 1)} before the shock"
    return "the week of the shock" if week == 0 else f"{week} week{'s' * (week != 1)} after the shock"


def figures(run: ClassroomRun) -> list[tuple[str, str, str, str]]:
    """(title, value now, value with no shock, colour) for each tile."""
    shock_weeks, twin_weeks = run.market.recorder.market_frame(), run.twin.recorder.market_frame()
    shock, twin = shock_weeks.iloc[-1], twin_weeks.iloc[-1]
    focus_share = run.market.market_shares().get(run.focus_vendor, 0.0)
    twin_share = run.twin.market_shares().get(run.focus_vendor, 0.0)
    vc_now, vc_twin = shock_weeks.vc_committed_musd.sum(), twin_weeks.vc_committed_musd.sum()
    entrants = run.market.state.n_vendors - run.first_entrant
    return [
        ("Market concentration (HHI)", f"{shock.hhi:,.0f}", f"{twin.hhi:,.0f}", "#1F3B73"),
        ("Effective number of vendors", f"{shock.effective_vendors:.1f}", f"{twin.effective_vendors:.1f}",
         "#59A14F"),
        (f"{run.focus_vendor}'s share", f"{focus_share:.0%}", f"{twin_share:.0%}", "#4E79A7"),
        ("Unmet demand", f"${shock.unmet_musd:,.0f}M/yr", f"${twin.unmet_musd:,.0f}M/yr", "#E15759"),
        ("VC capital committed", f"${vc_now:,.0f}M", f"${vc_twin:,.0f}M", "#F28E2B"),
        ("New vendors", f"{entrants}", "", "#76B7B2"),
    ]


def key_figures_html(run: ClassroomRun) -> str:
    tiles = []
    for title, now, twin, colour in figures(run):
        compare = f'<div style="font-size:13px;color:#555">no shock: {escape(twin)}</div>' if twin else ""
        tiles.append(f'<div style="{TILE.format(colour=colour)}" role="group" aria-label="{escape(title)}">'
                     f'<div style="font-size:14px;color:#333">{escape(title)}</div>'
                     f'<div style="font-size:30px;font-weight:600;line-height:1.2">{escape(now)}</div>{compare}</div>')
    heading = (f'<h2 style="font-size:22px;font-weight:600;margin:0 2px">'
               f'Week {run.report_week(run.week)}: {escape(week_words(run))}</h2>')
    changed = run.changed_knobs()
    setting = (f'<div style="font-size:14px;color:#555;margin:0 2px 6px">Scenario {escape(run.scenario_name)}, '
               f'seed {run.seed}; {escape("changed: " + ", ".join(changed) if changed else "no knob moved")}'
               '</div>')
    return f'{heading}{setting}<div style="display:flex;flex-wrap:wrap;gap:10px">{"".join(tiles)}</div>'
