"""The labs' diversified split is a compiled kernel (numba, D74): it must solve its problem, and give the same
bits for the same inputs in any process.

The problem, per row: maximise sum t logit - (k/2) sum t^2 - sum t ln t over the allowed cells of the simplex.
Its first-order (KKT) conditions: t_j > 0 on allowed cells, 0 elsewhere, sum t = 1, and
logit_j - k t_j - ln t_j is the same for every allowed j. The kernel is checked against those conditions and
against a slow bisection solve of the same problem, on inputs drawn by hypothesis (derandomised).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from labelmarket.agents import choice, compiling

EXAMPLES = settings(derandomize=True, max_examples=60, deadline=None)


@st.composite
def split_inputs(draw):
    """(logit, allowed, k) as the model passes them: C-ordered, something allowed in every row, k > 0."""
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 12))
    logit = draw(arrays(float, (rows, cols), elements=st.floats(-30.0, 30.0)))
    allowed = draw(arrays(bool, (rows, cols)))
    allowed[np.arange(rows), draw(arrays(np.int64, rows, elements=st.integers(0, cols - 1)))] = True
    k = draw(arrays(float, rows, elements=st.floats(1e-3, 200.0)))
    return logit, allowed, k


def bisection_split(logit, allowed, k, steps=100):
    """The same problem solved the slow, obvious way: for a multiplier lam, each allowed t_j solves
    ln t + k t = logit_j - 1 - lam (bisection in ln t); lam is bisected until sum t = 1 (sum t falls as lam
    rises). Whole rows at once, but no Newton steps, no warm starts: nothing shared with the kernel."""
    n = allowed.sum(axis=1)
    masked = np.where(allowed, logit, np.nan)
    lam_lo = np.nanmin(masked, axis=1) - 1.0 - k   # every t_j >= 1 there
    lam_hi = np.nanmax(masked, axis=1) - 1.0 + np.log(n)  # every t_j <= 1/n there

    def t_of(lam):
        c = np.where(allowed, logit - 1.0 - lam[:, None], 0.0)
        lo, hi = np.minimum(c, 0.0) - k[:, None], c.copy()  # s + k e^s - c changes sign on [lo, hi]
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            above = mid + k[:, None] * np.exp(mid) - c > 0
            hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
        return np.where(allowed, np.exp(0.5 * (lo + hi)), 0.0)

    for _ in range(steps):
        lam = 0.5 * (lam_lo + lam_hi)
        over = t_of(lam).sum(axis=1) > 1.0
        lam_lo, lam_hi = np.where(over, lam, lam_lo), np.where(over, lam_hi, lam)
    return t_of(0.5 * (lam_lo + lam_hi))


@EXAMPLES
@given(split_inputs())
def test_compiled_split_meets_the_first_order_conditions(inputs):
    logit, allowed, k = inputs
    t = choice._entropic_quadratic_split(logit, allowed, k)
    assert np.all(t[~allowed] == 0.0)
    assert np.all(t[allowed] > 0.0)
    np.testing.assert_allclose(t.sum(axis=1), 1.0, rtol=0, atol=1e-13)
    for i in range(t.shape[0]):
        j = allowed[i]
        marginal = logit[i, j] - k[i] * t[i, j] - np.log(t[i, j])  # the same for every allowed vendor
        assert np.ptp(marginal) <= 1e-9 * (1.0 + np.max(np.abs(marginal))), (i, marginal)


@EXAMPLES
@given(split_inputs())
def test_compiled_split_matches_a_slow_bisection_solve(inputs):
    logit, allowed, k = inputs
    np.testing.assert_allclose(choice._entropic_quadratic_split(logit, allowed, k),
                               bisection_split(logit, allowed, k), rtol=1e-9, atol=1e-12)


@EXAMPLES
@given(split_inputs())
def test_compiled_split_gives_the_same_bits_twice(inputs):
    logit, allowed, k = inputs
    first = choice._entropic_quadratic_split(logit, allowed, k)
    again = choice._entropic_quadratic_split(logit.copy(), allowed.copy(), k.copy())
    assert first.tobytes() == again.tobytes()


def _wide_inputs(seed: int = 7):
    rng = np.random.default_rng(seed)
    value = rng.normal(0.0, 1.0, (40, 30))
    allowed = rng.random((40, 30)) < 0.4
    allowed[:, 0] = True
    aversion = rng.uniform(0.0, 3.0, (40, 1))  # zero aversion on some rows: the softmax path beside the kernel
    aversion[::5] = 0.0
    return value, allowed, 6.0, aversion


def test_compiled_split_is_bit_identical_in_a_worker_process():
    inputs = _wide_inputs()
    here = choice.diversified_split(*inputs)
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        there = pool.submit(choice.diversified_split, *inputs).result()
    assert here.tobytes() == there.tobytes()


def test_freshly_compiled_and_cached_kernels_give_the_same_bits(tmp_path):
    """A process that compiles the kernel from nothing (an empty numba cache) and one that loads it from
    that cache give this process's bits."""
    script = textwrap.dedent("""
        import sys
        import numpy as np
        from labelmarket.agents import choice
        rng = np.random.default_rng(7)
        value = rng.normal(0.0, 1.0, (40, 30))
        allowed = rng.random((40, 30)) < 0.4
        allowed[:, 0] = True
        aversion = rng.uniform(0.0, 3.0, (40, 1))
        aversion[::5] = 0.0
        sys.stdout.write(choice.diversified_split(value, allowed, 6.0, aversion).tobytes().hex())
    """)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    fresh = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert any(tmp_path.rglob("*.nbi")), "the first process should have written numba's cache"
    cached = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    here = choice.diversified_split(*_wide_inputs()).tobytes().hex()
    assert fresh.stdout == cached.stdout == here


def test_without_a_writable_cache_the_kernel_compiles_in_process(monkeypatch):
    """numba raises at decoration time when no cache folder can be written (a read-only checkout and home);
    the split then compiles once per process instead of failing to import."""
    import numba

    real_njit = numba.njit

    def njit(*args, cache=False, **options):
        if cache:
            raise RuntimeError("cannot cache function 'add_one': no locator available for file 'choice.py'")
        return real_njit(*args, cache=cache, **options)

    monkeypatch.setattr(numba, "njit", njit)

    def add_one(x):
        return x + 1.0

    compiled = compiling.compiled(add_one)
    assert compiled(1.0) == 2.0 and compiled._cache.__class__.__name__ == "NullCache"


def test_the_model_calls_the_kernel_with_one_type_only():
    """A second type (a read-only k, a strided block) would compile again on its first call, in the middle of
    a run or a dashboard Step; every path of diversified_split hands the kernel the one type compile_split
    prepares."""
    from labelmarket.model.market_model import MarketModel
    from labelmarket.scenarios.synthetic import synthetic_scenario

    choice.compile_split()
    MarketModel("meta_scale_2025", rng=1, weeks=30).run()
    MarketModel(synthetic_scenario(100, 70, 1), rng=1, weeks=8).run()  # the packed path (64 vendors and more)
    value, allowed, intensity, aversion = _wide_inputs()
    choice.diversified_split(value, np.broadcast_to(allowed[:1], allowed.shape)[:, ::1], intensity, aversion)
    choice.diversified_split(value, allowed, intensity, 1.5)  # a scalar aversion: a read-only broadcast k
    assert len(choice._entropic_quadratic_split.signatures) == 1, choice._entropic_quadratic_split.signatures
