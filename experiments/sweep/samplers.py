"""From a sweep spec to the design: the points to run and the seeds to run them with.

- grid: every combination of the parameters' values, the first parameter varying slowest;
- lhs: SALib ``latin.sample`` (McKay, Beckman & Conover 1979), through :func:`latin_hypercube`, which
  calibration and the robustness map use too;
- sobol: SALib ``sobol.sample``, Saltelli's scheme on a scrambled Sobol sequence (Saltelli 2002; 2010);
- morris: SALib ``morris.sample``, elementary-effect trajectories (Morris 1991; Campolongo et al. 2007).

Replicate seeds come from the master seed through ``numpy.random.SeedSequence``; every point uses the same seed
list (common random numbers), so differences between points come from the parameters, not from luck.
"""

from __future__ import annotations

import itertools
import json
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labelmarket.experiments.sweep.spec import GridDesign, LatinDesign, MorrisDesign, SobolDesign, SweepSpec

#: Prefix of the design columns that hold the sampler's raw matrix (before integer rounding), for SALib.
SAMPLE_PREFIX = "sample:"


@dataclass(frozen=True)
class Design:
    """The points of a sweep. ``points[i]`` is the override dict that point ``i`` runs with."""

    method: str
    names: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    matrix: np.ndarray | None  # the sampler's raw matrix (points × parameters); None for a grid
    problem: dict[str, Any] | None  # the SALib problem; None for a grid

    def __len__(self) -> int:
        return len(self.points)

    def frame(self) -> pd.DataFrame:
        """One row per point: ``point_id``, each parameter as run, and the raw sample columns."""
        frame = pd.DataFrame([dict(p) for p in self.points], columns=list(self.names))
        frame.insert(0, "point_id", np.arange(len(self.points), dtype=np.int64))
        if self.matrix is not None:
            for j, name in enumerate(self.names):
                frame[SAMPLE_PREFIX + name] = self.matrix[:, j]
        return frame


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem: integer parameters sample [low, high + 1) and are rounded down."""
    bounds = []
    for parameter in spec.parameters.values():
        low, high = parameter.bounds  # type: ignore[misc]
        bounds.append([low, high + 1.0] if parameter.integer else [low, high])
    return {"num_vars": len(spec.parameters), "names": spec.parameter_names, "bounds": bounds}


def build_design(spec: SweepSpec) -> Design:
    """Sample the design the spec asks for. The same spec always gives the same design."""
    names = tuple(spec.parameter_names)
    d = spec.design
    if isinstance(d, GridDesign):
        levels = [spec.parameters[n].values for n in names]
        points = tuple(dict(zip(names, combo)) for combo in itertools.product(*levels))
        return Design("grid", names, points, None, None)

    from SALib.sample import morris, sobol  # imported here: SALib is slow to import

    problem = salib_problem(spec)
    seed = spec.seed
    if isinstance(d, LatinDesign):
        matrix = latin_hypercube(dict(zip(problem["names"], problem["bounds"])), d.samples, seed)
    elif isinstance(d, SobolDesign):
        matrix = sobol.sample(problem, d.samples, calc_second_order=d.second_order, scramble=True, seed=seed)
    elif isinstance(d, MorrisDesign):
        matrix = morris.sample(problem, d.trajectories, num_levels=d.levels, seed=seed)
    else:  # pragma: no cover - the schema admits no other method
        raise ValueError(f"unknown method {d.method}")
    matrix = np.asarray(matrix, dtype=np.float64)
    points = tuple(_point(spec, names, row) for row in matrix)
    return Design(d.method, names, points, matrix, problem)


def latin_hypercube(bounds: Mapping[str, Sequence[float]], n: int, seed: int) -> np.ndarray:
    """``n`` Latin-hypercube points (rows; McKay, Beckman & Conover 1979) over ``bounds`` (name -> low, high),
    by SALib's ``latin.sample``: labelmarket's one Latin hypercube sampler (sweeps, calibration, robustness).
    The same bounds, ``n`` and ``seed`` always give the same points."""
    from SALib.sample import latin  # imported here: SALib is slow to import

    problem = {"num_vars": len(bounds), "names": list(bounds), "bounds": [list(b) for b in bounds.values()]}
    return np.asarray(latin.sample(problem, n, seed=seed), dtype=np.float64)


def _point(spec: SweepSpec, names: tuple[str, ...], row: np.ndarray) -> dict[str, Any]:
    point: dict[str, Any] = {}
    for name, x in zip(names, row):
        parameter = spec.parameters[name]
        if parameter.integer:
            high = parameter.bounds[1]  # type: ignore[index]
            point[name] = int(min(np.floor(x), high))
        else:
            point[name] = float(x)
    return point


def replicate_seeds(master_seed: int, replications: int) -> list[int]:
    """The seeds every point runs with: child ``i`` of the master ``SeedSequence``, as a 32-bit integer.

    Child ``i`` does not depend on how many children there are, so adding replications keeps the old seeds.
    """
    children = np.random.SeedSequence(master_seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def run_key(params: dict[str, Any], seed: int) -> str:
    """The store's key for one run: a hash of its parameters and seed (32 hex digits)."""
    text = json.dumps({"params": params, "seed": int(seed)}, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
