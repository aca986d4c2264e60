"""Sensitivity indices from a sweep's results, through SALib, as tidy tables.

- sobol: first-order S1, total ST and second-order S2 with bootstrap confidence intervals (Saltelli 2002;
  Saltelli et al. 2010; Jansen 1999 for ST);
- morris: μ* with its confidence interval, μ and σ (Morris 1991; Campolongo, Cariboni & Saltelli 2007);
- lhs: RBD-FAST first-order indices with confidence intervals (Tarantola et al. 2006; Plischke 2010);
- grid: no indices; means with confidence intervals per point and per parameter level.

Each point's value is the mean over its replicates (common random numbers). A Sobol block or Morris trajectory
with a missing value (a failed run) is dropped whole, which keeps the estimator valid; the notes say how many.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

CONF_LEVEL = 0.95
RESAMPLES = 1000


@contextmanager
def quiet_numerics() -> Iterator[None]:
    """SALib divides by a zero variance, and warns of a "constant result", for an output that barely varies; the
    NaN or zero it gives is the answer, and a warning line on stderr only alarms (uninformative outputs are
    flagged in the summary by ``flags``)."""
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


@dataclass
class Indices:
    """The indices of one output: ``table`` (one row per parameter), ``pairs`` (S2, Sobol only) and notes."""

    output: str
    table: pd.DataFrame
    pairs: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    used: int = 0  # design points that entered the estimate


def complete_blocks(y: np.ndarray, block: int) -> np.ndarray:
    """A mask of the rows that belong to blocks of ``block`` consecutive rows without NaN."""
    whole = ~np.isnan(y.reshape(-1, block)).any(axis=1)
    return np.repeat(whole, block)


def sobol(problem: dict, y: np.ndarray, output: str, *, second_order: bool, seed: int) -> Indices:
    from SALib.analyze import sobol as salib_sobol

    d = problem["num_vars"]
    block = 2 * d + 2 if second_order else d + 2
    keep = complete_blocks(y, block)
    notes = _dropped_note(keep, block, "Sobol block")
    if keep.sum() < 2 * block:
        return Indices(output, _empty(problem), None, notes + ["fewer than two complete blocks: no indices"], 0)
    with quiet_numerics():
        result = salib_sobol.analyze(problem, y[keep], calc_second_order=second_order, num_resamples=RESAMPLES,
                                     conf_level=CONF_LEVEL, seed=seed)
    table = pd.DataFrame({
        "output": output,
        "parameter": problem["names"],
        "S1": result["S1"],
        "S1_conf": result["S1_conf"],
        "ST": result["ST"],
        "ST_conf": result["ST_conf"],
    })
    pairs = None
    if second_order:
        rows = []
        for i, j in itertools.combinations(range(d), 2):
            rows.append((output, problem["names"][i], problem["names"][j], result["S2"][i, j], result["S2_conf"][i, j]))
        pairs = pd.DataFrame(rows, columns=["output", "parameter_1", "parameter_2", "S2", "S2_conf"])
    return Indices(output, table, pairs, notes, int(keep.sum()))


def morris(problem: dict, x: np.ndarray, y: np.ndarray, output: str, *, levels: int, seed: int) -> Indices:
    from SALib.analyze import morris as salib_morris

    block = problem["num_vars"] + 1
    keep = complete_blocks(y, block)
    notes = _dropped_note(keep, block, "Morris trajectory")
    if keep.sum() < 2 * block:
        return Indices(output, _empty(problem), None, notes + ["fewer than two complete trajectories: no indices"], 0)
    with quiet_numerics():
        result = salib_morris.analyze(problem, x[keep], y[keep], num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                                      num_levels=levels, seed=seed)
    table = pd.DataFrame({
        "output": output,
        "parameter": problem["names"],
        "mu_star": np.asarray(result["mu_star"], dtype=float),
        "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
        "mu": np.asarray(result["mu"], dtype=float),
        "sigma": np.asarray(result["sigma"], dtype=float),
    })
    return Indices(output, table, None, notes, int(keep.sum()))


def rbd_fast(problem: dict, x: np.ndarray, y: np.ndarray, output: str, *, seed: int) -> Indices:
    from SALib.analyze import rbd_fast as salib_rbd_fast

    keep = ~np.isnan(y)
    notes = [f"{(~keep).sum()} point(s) without a value dropped"] if (~keep).any() else []
    if keep.sum() < 25:
        return Indices(output, _empty(problem), None, notes + ["fewer than 25 points: RBD-FAST needs more"], 0)
    with quiet_numerics():
        result = salib_rbd_fast.analyze(problem, x[keep], y[keep], num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                                        seed=seed)
    table = pd.DataFrame({"output": output, "parameter": problem["names"], "S1": result["S1"],
                          "S1_conf": result["S1_conf"]})
    return Indices(output, table, None, notes, int(keep.sum()))


def _empty(problem: dict) -> pd.DataFrame:
    return pd.DataFrame({"parameter": problem["names"]})


def _dropped_note(keep: np.ndarray, block: int, what: str) -> list[str]:
    dropped = int((~keep).sum() // block)
    total = keep.size // block
    return [f"{dropped} of {total} {what}s dropped (a run failed or had no value)"] if dropped else []


def mean_ci(values: pd.Series, conf_level: float = CONF_LEVEL) -> tuple[float, float, float, float, int]:
    """Mean, standard deviation and the t confidence interval of the mean (NaN values ignored)."""
    clean = values.dropna().to_numpy(dtype=float)
    n = clean.size
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(clean.mean())
    if n == 1:
        return (mean, np.nan, np.nan, np.nan, 1)
    sd = float(clean.std(ddof=1))
    half = float(stats.t.ppf(0.5 + conf_level / 2, n - 1) * sd / np.sqrt(n))
    return (mean, sd, mean - half, mean + half, n)


def grid_point_means(runs: pd.DataFrame, parameters: list[str], output: str) -> pd.DataFrame:
    """One row per grid point: the output's mean over replicates with its confidence interval."""
    rows = []
    for key, group in runs.groupby(parameters, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, output, *mean_ci(group[output])))
    return pd.DataFrame(rows, columns=[*parameters, "output", "mean", "sd", "ci_low", "ci_high", "n"])


def grid_main_effects(runs: pd.DataFrame, parameters: list[str], output: str) -> pd.DataFrame:
    """Per parameter level, the output's mean over every run at that level (the other parameters averaged)."""
    rows = []
    for parameter in parameters:
        for level, group in runs.groupby(parameter, sort=True):
            rows.append((output, parameter, level, *mean_ci(group[output])))
    frame = pd.DataFrame(rows, columns=["output", "parameter", "level", "mean", "sd", "ci_low", "ci_high", "n"])
    frame["level"] = frame["level"].astype(str)
    return frame
