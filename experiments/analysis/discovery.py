"""Scenario discovery: where in parameter space does a condition hold? PRIM (Friedman & Fisher 1999) through
EMA Workbench (Kwakkel 2017), on a sweep's runs.

``labelmarket analyze RUN_DIR --discover "final_hhi > 2500"`` marks each successful run where the condition
holds and lets PRIM peel the parameter space down to boxes where it mostly does. Each box is reported with its
limits on the parameters it restricts, its *coverage* (the share of all the runs where the condition holds
that fall in the box) and *density* (the share of the box's runs where it holds). Of each peeling trajectory
the densest box that still covers at least half of the cases not yet in a box, and where the condition holds in
more than half of the runs (and more often than in the runs left), is kept; PRIM then looks for the next box among the runs the kept boxes leave. The condition is read by a small strict parser, never evaluated as code.
Censored times enter as their restricted value (a run without the event counts as τ, so ``> VALUE`` holds
for it when VALUE < τ).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from labelmarket.experiments.analysis.figures import BLUE, DPI, GREY, ORANGE, file_stem
from labelmarket.experiments.sweep.spec import SweepError

#: The kept box on each peeling trajectory must still cover this share of the cases.
MIN_COVERAGE = 0.5
#: ... and be cases in more than this share of its runs (and more than the remaining runs' base rate).
MIN_DENSITY = 0.5
#: At most this many boxes are reported.
MAX_BOXES = 3
OPERATORS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
CONDITION = re.compile(
    r"\s*(?P<output>[A-Za-z_][\w.\[\]-]*)\s*(?P<op><=|>=|<|>)\s*"
    r"(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*"
)


@dataclass(frozen=True)
class Condition:
    """``output op value``, e.g. ``final_hhi > 2500``."""

    output: str
    operator: str
    value: float

    def __str__(self) -> str:
        return f"{self.output} {self.operator} {self.value:g}"

    def holds(self, values: pd.Series) -> np.ndarray:
        return OPERATORS[self.operator](values.to_numpy(dtype=float), self.value)


def parse_condition(text: str, available: list[str], source: str) -> Condition:
    """Read ``"OUTPUT < VALUE"`` (or ``<=``, ``>``, ``>=``); anything else is a one-line error."""
    match = CONDITION.fullmatch(text)
    if match is None:
        raise SweepError(source, "--discover", f"cannot read the condition {text!r}",
                         'write it as OUTPUT < VALUE, e.g. "final_hhi > 2500" (operators <, <=, >, >=)')
    if match["output"] not in available:
        raise SweepError(source, "--discover", f"no output called {match['output']!r}", f"available: {', '.join(available)}")
    value = float(match["value"])
    if not np.isfinite(value):
        raise SweepError(source, "--discover", f"the value {match['value']} is not a finite number")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import ema_workbench.analysis.prim  # noqa: F401 - checked before anything is written
    except ImportError:
        raise SweepError(source, "--discover", "scenario discovery needs EMA Workbench, which is not installed",
                         "pip install 'labelmarket[ema]'") from None
    return Condition(match["output"], match["op"], value)


@dataclass
class Discovery:
    """The boxes found: one row per (box, restricted parameter) in ``limits``; one row per box in ``boxes``."""

    condition: Condition
    cases: int
    runs: int
    boxes: pd.DataFrame
    limits: pd.DataFrame
    trajectories: list[pd.DataFrame] = field(default_factory=list)
    chosen: list[int] = field(default_factory=list)


def discover(x: pd.DataFrame, values: pd.Series, condition: Condition) -> Discovery:
    """Run PRIM on the parameters ``x`` (one row per successful run) for ``condition`` on ``values``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA warns about optional packages it does not need here
        from ema_workbench.analysis import prim

    y = condition.holds(values)
    finder = prim.Prim(x.reset_index(drop=True), y, peel_alpha=0.05)
    full = x.agg(["min", "max"])
    box_rows, limit_rows, trajectories, chosen = [], [], [], []
    for number in range(1, MAX_BOXES + 1):
        if y.sum() == 0:
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.reset_index(drop=True)
        left = float(trajectory.loc[0, "coverage"])  # the share of the cases the earlier boxes left
        dense_enough = max(MIN_DENSITY, float(trajectory.loc[0, "density"]))
        covering = trajectory.index[(trajectory["coverage"] >= MIN_COVERAGE * left)
                                    & (trajectory["density"] > dense_enough)]
        if not len(covering):
            break  # no box covers half of the remaining cases where the condition mostly holds
        index = int(covering[trajectory.loc[covering, "density"].to_numpy().argmax()])
        limits = box.box_lims[index]
        row = trajectory.loc[index]
        box_rows.append({"box": number, "coverage": float(row["coverage"]), "density": float(row["density"]),
                         "mass": float(row["mass"]), "runs_in_box": int(row["n"]), "restricted": int(row["res_dim"])})
        for parameter in x.columns:
            low, high = limits[parameter]
            if (low, high) != (full.loc["min", parameter], full.loc["max", parameter]):
                limit_rows.append({"box": number, "parameter": parameter, "low": low, "high": high,
                                   "range_low": full.loc["min", parameter], "range_high": full.loc["max", parameter]})
        trajectories.append(trajectory)
        chosen.append(index)
        box.select(index)
    return Discovery(condition, int(y.sum()), int(y.size), pd.DataFrame(box_rows), pd.DataFrame(limit_rows),
                     trajectories, chosen)


def discovery_figure(found: Discovery, path: Path) -> Path:
    """Left: each box's peeling trajectory (coverage against density), the kept box marked. Right: the kept
    boxes' limits on each parameter they restrict, as a share of its sampled range."""
    figure = Figure(figsize=(11, 3.8), layout="constrained")
    left, right = figure.subplots(1, 2)
    colours = [BLUE, ORANGE, GREY]
    for number, (trajectory, index) in enumerate(zip(found.trajectories, found.chosen), start=1):
        colour = colours[(number - 1) % len(colours)]
        left.plot(trajectory["coverage"], trajectory["density"], marker=".", color=colour, label=f"box {number}")
        left.scatter([trajectory.loc[index, "coverage"]], [trajectory.loc[index, "density"]], s=90,
                     facecolors="none", edgecolors="black", zorder=3)
    left.set_xlabel("coverage (share of the cases inside the box)")
    left.set_ylabel("density (share of the box's runs that are cases)")
    left.set_title("PRIM peeling trajectories (circle: kept box)", fontsize=10)
    left.grid(alpha=0.3)
    if found.trajectories:
        left.legend(frameon=False, fontsize=8)
    rows = found.limits
    labels = [f"box {r.box}: {r.parameter}" for r in rows.itertuples()]
    for i, r in enumerate(rows.itertuples()):
        span = (r.range_high - r.range_low) or 1.0
        start, end = (r.low - r.range_low) / span, (r.high - r.range_low) / span
        right.barh(i, end - start, left=start, color=colours[(r.box - 1) % len(colours)], height=0.6)
        right.text(1.02, i, f"{r.low:.3g} to {r.high:.3g}", va="center", fontsize=8)
    right.set_yticks(range(len(labels)), labels)
    right.set_xlim(0, 1)
    right.invert_yaxis()
    right.set_xlabel("share of the sampled range")
    right.set_title("Where the condition holds", fontsize=10)
    figure.suptitle(f"Scenario discovery: {found.condition}  ({found.cases} of {found.runs} runs)")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def figure_name(condition: Condition) -> str:
    return f"prim_{file_stem(condition.output)}.png"
