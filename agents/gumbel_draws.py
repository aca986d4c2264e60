"""Gumbel noise for the weighted draws, computed only where it is used and equal to numpy's bit for bit (D81).

``numpy.random.Generator.gumbel`` turns each uniform draw u (53 bits, ``Generator.random``) into
loc - scale x log(-log(1 - u)) with the C library's ``log``, rejecting u = 0 (then it draws again). A weekly
draw without replacement (``labelmarket.agents.choice.sample_without_replacement``) needs the noise of the few
rows that draw something, but must move the generator past every cell, as one ``gumbel`` call over the whole
block did, so that every later draw of the run stays the same. :func:`gumbel_rows` draws the block's uniforms
(one 53-bit draw a cell, as ``gumbel`` does) and transforms only the rows asked for, in a compiled loop whose
``math.log`` is the C library's, as numpy's sampler uses (numpy's vectorised ``np.log`` may differ in the last
bit). Gumbel-top-k sampling: Vieira 2014; Kool, van Hoof & Welling 2019.
"""

from __future__ import annotations

import math

import numpy as np

from labelmarket.agents.compiling import compiled


def gumbel_rows(rng: np.random.Generator, shape: tuple[int, int], rows: np.ndarray) -> np.ndarray:
    """(len(rows), shape[1]) the rows ``rows`` of ``rng.gumbel(size=shape)``, the same bits, with ``rng`` left
    where that call leaves it."""
    before = rng.bit_generator.state
    uniform = rng.random(size=shape)
    if not uniform.all():  # a draw of exactly 0 (chance 2^-53 a cell): numpy's gumbel rejects it and draws again
        rng.bit_generator.state = before
        return rng.gumbel(size=shape)[rows]
    return _standard_gumbel_rows(uniform, np.ascontiguousarray(rows, dtype=np.int64))


@compiled
def _standard_gumbel_rows(uniform: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """numpy's ``random_gumbel`` with loc 0 and scale 1 on the uniforms of ``rows``: 0 - 1 x log(-log(1 - u))."""
    cols = uniform.shape[1]
    out = np.empty((rows.size, cols))
    for r in range(rows.size):
        for j in range(cols):
            out[r, j] = 0.0 - 1.0 * math.log(-math.log(1.0 - uniform[rows[r], j]))
    return out


def compile_gumbel() -> None:
    """Compile the Gumbel transform now (or load it from numba's cache), with the argument types the model
    passes, so that a dashboard's first Step does not wait for it (D75, D81). A pure call on one cell."""
    _standard_gumbel_rows(np.full((1, 1), 0.5), np.zeros(1, dtype=np.int64))
