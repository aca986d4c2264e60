"""Which outputs the analysis looks at, and how censored times enter it.

- An output that is constant, or varies only at floating-point noise, is left out with a note (``flags``).
- A time to an event (``hhi_below_2500_week``, ``google_halved_week``) is censored in runs where the event did
  not happen; it enters indices and grid means as its restricted value min(time, τ) (``survival``), never as a
  plain mean of the observed times, and is summarised with Kaplan–Meier medians and the share censored.
"""

from __future__ import annotations

import pandas as pd

from labelmarket.experiments.analysis.flags import uninformative
from labelmarket.experiments.analysis.survival import restricted
from labelmarket.experiments.sweep.results import SweepResults
from labelmarket.experiments.sweep.spec import SweepError


def choose_outputs(results: SweepResults, requested: list[str] | None, field: str) -> tuple[list[str], list[str]]:
    """The outputs to analyse (requested, else every numeric one) without the uninformative ones, and notes."""
    available = results.outputs
    if requested:
        unknown = [o for o in requested if o not in available]
        if unknown:
            raise SweepError(str(results.run_dir), field, f"no output called {', '.join(unknown)}",
                             f"available: {', '.join(available)}")
    ok = results.runs[results.runs["error"].isna()]
    times = results.time_outputs
    chosen, notes = [], []
    for output in requested or available:
        values = ok[output]
        if output in times and values.notna().sum() == 0 and len(values):
            why = f"never happens within the runs (censored in all {len(values)})"
        else:
            why = uninformative(restricted(values, times[output]) if output in times else values)
        if why:
            notes.append(f"`{output}` {why}: left out of indices, tables of means and heatmaps")
        else:
            chosen.append(output)
    return chosen, notes


def runs_for_indices(results: SweepResults) -> tuple[pd.DataFrame, list[str]]:
    """The runs with each time output restricted to τ (censored runs count as τ), and a note per time output."""
    runs = results.runs.copy()
    ok = runs["error"].isna()
    notes = []
    for output, tau in results.time_outputs.items():
        censored = int((runs[output].isna() & ok).sum())
        runs.loc[ok, output] = restricted(runs.loc[ok, output], tau)
        if censored:
            notes.append(f"`{output}` is censored in {censored} of {int(ok.sum())} runs (no event within {tau:g} weeks "
                         f"after the shock): see `times_to_event.md` for Kaplan–Meier medians; indices and grid "
                         f"means use the time restricted to {tau:g} weeks (a censored run counts as {tau:g})")
    return runs, notes
