"""Outputs that carry no information: constant across runs, or varying only at floating-point noise.

Such an output gets meaningless indices (a Sobol ST of 1.0 for every parameter of a 1e-16 noise) and a heatmap
of rounding errors, so the analysis leaves it out of indices and figures and says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Variation up to this many times the output's magnitude (at least 1) is floating-point noise: a float64 sum of
#: a few hundred weekly terms carries errors of about 1e-13 of its size.
NOISE_RELATIVE = 1e-9


def uninformative(values: pd.Series) -> str | None:
    """Why ``values`` (one output over the successful runs) cannot be analysed, or None if it can."""
    finite = values.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return "has no value in any run"
    spread = float(finite.max() - finite.min())
    if spread == 0:
        return f"is constant ({finite[0]:.6g}) across runs"
    scale = max(1.0, float(np.abs(finite).max()))
    if spread <= NOISE_RELATIVE * scale:
        return f"varies by at most {spread:.2g}, below numerical noise (largest value {float(np.abs(finite).max()):.2g})"
    return None
