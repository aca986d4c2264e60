"""Key figures in large type: where the run is, how concentrated the market is, and what the shock changed.

Each figure shows the no-shock twin's value beside it, so the class reads the shock's effect directly, and
the comparison run's value when one runs alongside. The vendor's share follows the first shock's target.
"""

from __future__ import annotations

from html import escape

from labelmarket.viz.run import ClassroomRun

TILE = ("flex:1 1 0;padding:6px 10px;border-radius:6px;background:#F4F6FA;border-left:6px solid {colour};"
        "min-width:130px")


def week_words(run: ClassroomRun) -> str:
    week = run.report_week(run.week)
    if not run.has_shock:
        return "no shock in this run (yet)"
    if week < 0:
        return f"{-week} week{'s' * (-week != 1)} before the shock"
    return "the week of the shock" if week == 0 else f"{week} week{'s' * (week != 1)} after the shock"


def figures(run: ClassroomRun) -> list[tuple[str, str, str, str, str]]:
    """(title, value now, value with no shock, value in the comparison run, colour) for each tile."""
    runs = [run.market, run.twin, run.comparison]
    frames = run.market_frames()
    last = [frame.iloc[-1] if frame is not None else None for frame in frames]
    focus = run.focus_vendor

    def each(measure) -> list[str]:
        return [measure(market, frame, row) if market else "" for market, frame, row in zip(runs, frames, last)]

    return [
        ("Market concentration (HHI)", *each(lambda m, f, row: f"{row.hhi:,.0f}"), "#1F3B73"),
        ("Effective number of vendors", *each(lambda m, f, row: f"{row.effective_vendors:.1f}"), "#59A14F"),
        (f"{focus}'s share", *each(lambda m, f, row: f"{m.market_shares().get(focus, 0.0):.0%}"), "#4E79A7"),
        ("Unmet demand", *each(lambda m, f, row: f"${row.unmet_musd:,.0f}M/yr"), "#E15759"),
        ("VC capital committed", *each(lambda m, f, row: f"${f.vc_committed_musd.sum():,.0f}M"), "#F28E2B"),
        ("New vendors", *each(lambda m, f, row: f"{m.state.n_vendors - run.first_entrant}"), "#76B7B2"),
    ]


def key_figures_html(run: ClassroomRun) -> str:
    tiles = []
    for title, now, twin, other, colour in figures(run):
        compare = f'<div style="font-size:14px;color:#555">no shock: {escape(twin)}</div>'
        if other:
            compare += f'<div style="font-size:14px;color:#A05600">compare: {escape(other)}</div>'

        tiles.append(f'<div style="{TILE.format(colour=colour)}" role="group" aria-label="{escape(title)}">'
                     f'<div style="font-size:14px;color:#333">{escape(title)}</div>'
                     f'<div style="font-size:26px;font-weight:600;line-height:1.2">{escape(now)}</div>{compare}</div>')
    heading = (f'<h2 style="font-size:22px;font-weight:600;margin:0 2px">'
               f'Week {run.report_week(run.week)}: {escape(week_words(run))}</h2>')
    changed = run.changed_knobs()
    compared = f"; compared with {run.compare}" if run.compare else ""
    setting = (f'<div style="font-size:14px;color:#555;margin:0 2px 6px">Scenario {escape(run.scenario_name)}, '
               f'seed {run.seed}; {escape("changed: " + ", ".join(changed) if changed else "no knob moved")}'
               f'{escape(compared)}</div>')
    return f'{heading}{setting}<div style="display:flex;flex-wrap:wrap;gap:10px">{"".join(tiles)}</div>'
