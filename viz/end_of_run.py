"""The end of the run: a banner with the key outcome, so the class knows the run is over and what it showed."""

from __future__ import annotations

from html import escape

import solara

from labelmarket.viz.run import ClassroomRun


def end_of_run_words(run: ClassroomRun) -> str:
    """'End of run, week 52: HHI 2,345 with the shock and 3,901 without it; Scale AI's share 12 % (41 %).'"""
    hhi, twin_hhi = (float(frame.hhi.iloc[-1]) for frame in run.market_frames()[:2])
    focus = run.focus_vendor
    share, twin_share = (m.market_shares().get(focus, 0.0) for m in (run.market, run.twin))
    entrants = run.market.state.n_vendors - run.first_entrant
    return (f"End of run, week {run.report_week(run.week)}: HHI {hhi:,.0f} with the shock and {twin_hhi:,.0f} "
            f"without it; {focus}'s share {share:.0%} ({twin_share:.0%} without the shock); "
            f"{entrants} new vendor{'s' * (entrants != 1)}. Press Reset to run again.")


@solara.component
def EndOfRun(run: ClassroomRun):
    """The banner (show it only once ``run.at_end``)."""
    solara.HTML(tag="div", unsafe_innerHTML=escape(end_of_run_words(run)),
                attributes={"role": "status", "aria-label": "End of run"},
                style={"font-size": "18px", "font-weight": "600", "padding": "10px 14px", "border-radius": "6px",
                       "background": "#E8F5E9", "color": "#1B5E20", "border-left": "6px solid #2E7D32"})
