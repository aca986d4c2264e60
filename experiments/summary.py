"""The short human summary ``labelmarket run`` prints: concentration before and after, the top vendors, and
who moved what.

It reads only the recorded frames and the resolved scenario (data flows one way), so it summarises a run in
memory (``run_summary``) or one read back from its run folder (``folder_summary``, ``labelmarket summary``)
identically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from labelmarket.experiments.run_folder import SCENARIO_FILE, read_run_folder
from labelmarket.model.event_log import EventKind
from labelmarket.model.runner import RunResult
from labelmarket.scenarios.loader import load_scenario
from labelmarket.scenarios.schema import Scenario

TOP_VENDORS = 5
TOP_MOVES = 5
SHOWN_EVENTS = 5
# the events that change who owns or promises what, whether scheduled or decided by a vendor or owner (D86)
SHOCK_KINDS = (EventKind.OWNERSHIP_CHANGE, EventKind.ASSURANCE, EventKind.VENDOR_ASSURANCE, EventKind.LEADERSHIP_DEPARTURE,
               EventKind.DIVESTMENT, EventKind.STAKE_SALE, EventKind.EXIT, EventKind.DEMAND_CHANGE)


def baseline_week(scenario: Scenario, weeks: int) -> tuple[int, str]:
    """The week to compare the end with, and a note on why that week.

    The week before the shock (``meta.reference_week`` - 1) when the scenario schedules events, else week 0.
    """
    reference = scenario.meta.reference_week
    if scenario.enabled_events() and reference > 0:
        if reference - 1 <= weeks:
            return reference - 1, "the week before the shock"
        return 0, f"the shock at week {reference} comes after this run's end"
    return 0, "no scheduled shock" if not scenario.enabled_events() else ""


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str, indent: str = "  ") -> list[str]:
    """Aligned text columns; ``align`` has one letter per column, 'l' (left) or 'r' (right)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells: Sequence[str]) -> str:
        parts = [str(c).ljust(w) if a == "l" else str(c).rjust(w) for c, w, a in zip(cells, widths, align)]
        return (indent + "  ".join(parts)).rstrip()

    return [line(header), *(line(row) for row in rows)]


def money(musd: float) -> str:
    return f"${musd:,.0f}M"


def percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def concentration_lines(market: pd.DataFrame, start: int, note: str, end: int) -> list[str]:
    before, after = market.set_index("week").loc[start], market.set_index("week").loc[end]
    change = (after.hhi / before.hhi - 1.0) if before.hhi > 0 else 0.0
    rows = [
        ["HHI (0-10,000)", f"{before.hhi:,.0f}", f"{after.hhi:,.0f}", f"{100 * change:+.0f} %"],
        ["effective vendors", f"{before.effective_vendors:.2f}", f"{after.effective_vendors:.2f}",
         f"{after.effective_vendors - before.effective_vendors:+.2f}"],
        ["active vendors", f"{before.active_vendors:.0f}", f"{after.active_vendors:.0f}",
         f"{after.active_vendors - before.active_vendors:+.0f}"],
    ]
    return [f"Concentration, week {start}" + (f" ({note})" if note else "") + f" -> week {end} (the end)",
            *table(["", f"week {start}", f"week {end}", "change"], rows, "lrrr")]


def top_vendor_lines(vendors: pd.DataFrame, start: int, end: int, top: int = TOP_VENDORS) -> list[str]:
    final = vendors[vendors.week == end].sort_values(["share", "vendor"], ascending=[False, True]).head(top)
    initial = vendors[vendors.week == start].set_index("vendor").share
    rows = []
    for row in final.itertuples():
        if row.vendor in initial.index:
            was, change = percent(initial[row.vendor]), f"{100 * (row.share - initial[row.vendor]):+.1f} pts"
        else:
            was, change = "-", "new"
        rows.append([row.vendor, f"{row.revenue_musd:,.0f}", was, percent(row.share), change])
    return [f"Top vendors by final share (of {vendors.vendor.nunique()})",
            *table(["vendor", "revenue $M/yr", f"share wk {start}", f"share wk {end}", "change"], rows, "lrrrr")]


def move_lines(events: pd.DataFrame, top: int = TOP_MOVES) -> list[str]:
    moves = events[events.kind == EventKind.MOVE]
    if moves.empty:
        return ["Moves of spend: none logged (no lab moved at least record.decisions_min_musd)"]
    grouped = (moves.groupby(["actor", "target"], sort=False)
               .agg(moved=("amount_musd", "sum"), count=("amount_musd", "size"),
                    first=("week", "min"), last=("week", "max"))
               .reset_index().sort_values(["moved", "actor", "target"], ascending=[False, True, True]))
    rows = [[g.actor, g.target, f"{g.moved:,.0f}", f"{g.count:d}",
             f"{g.first}" if g.first == g.last else f"{g.first}-{g.last}"] for g in grouped.head(top).itertuples()]
    biggest = moves.loc[moves.amount_musd.idxmax()]
    lines = [f"Biggest moves of spend ({len(moves)} moves by {moves.actor.nunique()} labs; all in events.parquet)",
             *table(["lab", "moved away from", "$M/yr moved", "moves", "weeks"], rows, "llrrr")]
    if len(grouped) > top:
        lines.append(f"  ... and {len(grouped) - top} more lab-vendor pairs")
    lines.append(f"  Largest single move, week {biggest.week}: {biggest.cause}")
    lines.extend(driver_lines(moves))
    return lines


def driver_lines(moves: pd.DataFrame) -> list[str]:
    """What drove the biggest moves (model 2.0, D39): each driver's $M/yr over the TOP_MOVES largest moves."""
    columns = [c for c in moves.columns if c.startswith("driver_") and c.endswith("_musd")]
    if not columns:
        return []
    biggest = moves.nlargest(TOP_MOVES, "amount_musd")
    totals = biggest[columns].sum().sort_values(ascending=False)
    named = [(c.removeprefix("driver_").removesuffix("_musd"), v) for c, v in totals.items() if v > 0]
    if not named:
        return []
    total = biggest.amount_musd.sum()
    return [f"  Drivers of the {len(biggest)} largest moves (${total:,.0f}M/yr): "
            + ", ".join(f"{name} {v / total:.0%}" for name, v in named[:6])]


def event_lines(events: pd.DataFrame, shown: int = SHOWN_EVENTS) -> list[str]:
    shocks = events[events.kind.isin([str(kind) for kind in SHOCK_KINDS])]
    if shocks.empty:
        return ["Events: none"]
    lines = ["Events"] + [f"  week {e.week:>3}  {e.cause}" for e in shocks.head(shown).itertuples()]
    if len(shocks) > shown:
        lines.append(f"  ... and {len(shocks) - shown} more")
    return lines


def run_summary(result: RunResult, out: Path | str | None = None) -> str:
    """The summary text of one run (several short blocks separated by blank lines)."""
    meta = result.scenario.meta
    end = int(result.market.week.max())
    start, note = baseline_week(result.scenario, end)
    market, events = result.market, result.events
    header = f"{meta.name}: seed {result.seed}, {result.weeks} weeks"
    if out is not None:
        header += f" -> {out}"
    totals = (f"Over the run: {money(market.switched_musd.sum())}/yr switched, "
              f"{money(market.vc_committed_musd.sum())} venture capital committed, "
              f"{int(market.entrants.sum())} entrants, unmet demand at the end {money(market.unmet_musd.iloc[-1])}/yr")
    blocks = [[header], event_lines(events), concentration_lines(market, start, note, end),
              top_vendor_lines(result.vendors, start, end), move_lines(events), [totals]]
    return "\n\n".join("\n".join(block) for block in blocks)


def folder_summary(folder: Path | str) -> str:
    """The summary of a run read back from its folder alone: what ``labelmarket run --out FOLDER`` printed."""
    loaded = read_run_folder(folder)
    manifest = loaded["manifest"]
    scenario = load_scenario(Path(folder) / SCENARIO_FILE)
    result = RunResult(scenario=scenario, seed=int(manifest["seed"]), weeks=int(manifest["weeks"]),
                       **{name: frame for name, frame in loaded.items() if name != "manifest"})
    return run_summary(result, folder)
