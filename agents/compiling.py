"""How the model compiles its kernels (numba, D74-D75, D79): serial, without fastmath, cached."""

from __future__ import annotations

import numba


def compiled(function):
    """``function`` compiled by numba (nopython), serial and without fastmath, so that the same inputs give
    the same bits in every process: no threads, sums in the written order. The machine code is cached beside
    the module (or in the user's cache) on first use; where no cache can be written it is compiled once per
    process instead.
    """
    options = dict(fastmath=False, error_model="numpy")  # numpy's rules for division by zero: inf, no raise
    try:
        return numba.njit(cache=True, **options)(function)
    except RuntimeError:  # numba found no writable cache location ("cannot cache function ...")
        return numba.njit(cache=False, **options)(function)
