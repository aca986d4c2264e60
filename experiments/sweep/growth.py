"""Growing a sweep in place: more replications, more Sobol samples or Morris trajectories, more grid values.

The store keeps each finished run under a hash of its parameters and seed, so a bigger design that *contains*
the old one reuses every finished run and computes only the new ones. A bigger sweep contains the old one when:

- replications grow: replicate seed ``i`` is child ``i`` of the master seed, whatever their number;
- Sobol samples grow (powers of two): the first N base rows of a scrambled Sobol sequence do not depend on how
  many follow, so the Saltelli matrix of N is the first N·(2D+2) rows of the one of 2N;
- Morris trajectories grow: SALib draws trajectories one after another from the seed;
- grid values are added: every old combination is still in the grid (only point numbers change).

Anything else that decides the results (the scenario, bounds, seed, weeks, outputs, second_order, levels) must
be unchanged, and shrinking is refused. A Latin hypercube of more samples is a different sample, not a
superset, so it is refused too. The Sobol and Morris claims are checked on the actual designs, not assumed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Growth:
    """How a new sweep relates to an old one: ``ok`` with the changes, or a ``reason`` it cannot grow."""

    ok: bool
    text: str


def _without_sizes(identity: dict[str, Any]) -> dict[str, Any]:
    stripped = copy.deepcopy(identity)
    sweep = stripped["sweep"]
    sweep.pop("replications", None)
    sweep["design"].pop("samples", None)
    sweep["design"].pop("trajectories", None)
    for parameter in sweep["parameters"].values():
        parameter.pop("values", None)
    return stripped


def compare(old: dict[str, Any], new: dict[str, Any]) -> Growth | None:
    """None if the two sweeps differ in more than their sizes; else whether ``new`` grows ``old``, and how."""
    if _without_sizes(old) != _without_sizes(new):
        return None
    before, after = old["sweep"], new["sweep"]
    method = after["design"]["method"]
    changes: list[str] = []
    if after["replications"] < before["replications"]:
        return Growth(False, f"replications {before['replications']} → {after['replications']} would leave finished runs out")
    if after["replications"] > before["replications"]:
        changes.append(f"replications {before['replications']} → {after['replications']}")
    size_field = {"sobol": "samples", "morris": "trajectories", "lhs": "samples"}.get(method)
    if size_field:
        was, now = before["design"][size_field], after["design"][size_field]
        if method == "lhs" and was != now:
            return Growth(False, f"design.samples {was} → {now}: a Latin hypercube of {now} points is a new sample, "
                          "not the old one plus more; use a Sobol design to grow, or a new folder")
        if now < was:
            return Growth(False, f"design.{size_field} {was} → {now} would leave finished runs out")
        if now > was:
            changes.append(f"design.{size_field} {was} → {now}")
    for name, parameter in after["parameters"].items():
        old_values = before["parameters"][name].get("values")
        new_values = parameter.get("values")
        if old_values is None:
            continue
        dropped = [v for v in old_values if v not in new_values]
        if dropped:
            return Growth(False, f'parameters."{name}".values drops {dropped}, which would leave finished runs out')
        if len(new_values) > len(old_values):
            changes.append(f'parameters."{name}" {len(old_values)} → {len(new_values)} values')
    return Growth(True, "; ".join(changes))


def extends(old_matrix: np.ndarray, new_matrix: np.ndarray) -> bool:
    """Whether the new sample matrix starts with the old one (Sobol and Morris designs)."""
    return new_matrix.shape[0] >= old_matrix.shape[0] and np.array_equal(new_matrix[: old_matrix.shape[0]], old_matrix)
