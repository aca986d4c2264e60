"""The weighted draw's Gumbel noise is numpy's, bit for bit, and leaves the generator where numpy's leaves it (D81).

``gumbel_draws.gumbel_rows`` must give the rows of ``Generator.gumbel(size=shape)`` it is asked for, and
``choice.sample_without_replacement`` must choose what its earlier form (noise on every cell, below) chose,
with the generator in the same state afterwards: every later draw of a run depends on it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from labelmarket.agents import choice, gumbel_draws
from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.synthetic import synthetic_scenario

EXAMPLES = settings(derandomize=True, max_examples=60, deadline=None)
PCG64_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645  # numpy's PCG64 (XSL-RR 128/64) state multiplier


def sample_with_noise_on_every_cell(log_weight, allowed, count, rng):
    """choice.sample_without_replacement before D81: Gumbel keys for every cell of the block."""
    keys = np.where(allowed, log_weight + rng.gumbel(size=log_weight.shape), -np.inf)
    n_cols = keys.shape[1]
    k = np.minimum(count, n_cols)
    chosen = np.zeros(keys.shape, dtype=bool)
    drawing = np.flatnonzero(k > 0)
    if drawing.size == 0:
        return chosen
    k, keys = k[drawing], keys[drawing]
    k_max = int(np.maximum.reduce(k))
    descending = -keys
    if k_max < n_cols:
        descending = np.partition(descending, k_max - 1, axis=1)[:, :k_max]
    descending.sort(axis=1)
    kth_key = -descending[np.arange(drawing.size), k - 1]
    chosen[drawing] = allowed[drawing] & (keys >= kth_key[:, None])
    return chosen


def uniform_zero_after(rng: np.random.Generator, draws: int) -> None:
    """Set a PCG64 generator so that its uniform after ``draws`` others is exactly 0 (the case numpy's gumbel
    rejects and draws again): the state after that step has equal halves, so its XSL-RR output is 0; step
    back from there."""
    state = rng.bit_generator.state
    increment, inverse = state["state"]["inc"], pow(PCG64_MULTIPLIER, -1, 2**128)
    halves = 12345
    at = (halves << 64) | halves
    for _ in range(draws + 1):
        at = ((at - increment) * inverse) % 2**128
    state["state"]["state"] = at
    rng.bit_generator.state = state


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(0, 30), cols=st.integers(0, 40), data=st.data())
def test_gumbel_rows_are_numpys_rows_and_leave_the_generator_as_numpy_does(seed, rows, cols, data):
    picked = np.array(sorted(data.draw(st.sets(st.integers(0, max(rows - 1, 0)), max_size=rows))), dtype=np.int64)
    mine, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    got = gumbel_draws.gumbel_rows(mine, (rows, cols), picked)
    want = numpys.gumbel(size=(rows, cols))[picked]
    assert got.shape == want.shape and got.tobytes() == want.tobytes()
    assert mine.bit_generator.state == numpys.bit_generator.state


def test_many_gumbel_draws_match_numpys_bits():
    """A million cells: the compiled log is the C library's, as numpy's sampler uses."""
    mine, numpys = np.random.default_rng(11), np.random.default_rng(11)
    every_row = np.arange(1000)
    assert gumbel_draws.gumbel_rows(mine, (1000, 1000), every_row).tobytes() == \
        numpys.gumbel(size=(1000, 1000)).tobytes()


@pytest.mark.parametrize("where", [0, 7, 23, 39])
def test_a_uniform_draw_of_exactly_zero_is_rejected_as_numpy_does(where):
    mine, numpys, probe = (np.random.default_rng(3) for _ in range(3))
    for rng in (mine, numpys, probe):
        uniform_zero_after(rng, where)
    assert probe.random(where + 1)[where] == 0.0  # cell ``where`` of the 4 x 10 block
    rows = np.array([0, 2], dtype=np.int64)
    got = gumbel_draws.gumbel_rows(mine, (4, 10), rows)
    assert got.tobytes() == numpys.gumbel(size=(4, 10))[rows].tobytes()
    assert np.isfinite(got).all()
    assert mine.bit_generator.state == numpys.bit_generator.state


@st.composite
def draw_inputs(draw):
    rows, cols = draw(st.integers(1, 25)), draw(st.integers(1, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    log_weight = rng.normal(0.0, 2.0, (cols, rows)).T if draw(st.booleans()) else rng.normal(0.0, 2.0, (rows, cols))
    allowed = rng.random((rows, cols)) < draw(st.sampled_from([0.0, 0.3, 1.0]))
    count = rng.poisson(draw(st.sampled_from([0.0, 0.3, 3.0, 50.0])), rows)
    return log_weight, allowed, count, seed


@EXAMPLES
@given(draw_inputs())
def test_the_draw_chooses_what_noise_on_every_cell_chose(inputs):
    log_weight, allowed, count, seed = inputs
    mine, before = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    got = choice.sample_without_replacement(log_weight, allowed, count, mine)
    want = sample_with_noise_on_every_cell(log_weight, allowed, count, before)
    assert np.array_equal(got, want)
    assert mine.bit_generator.state == before.bit_generator.state


def test_the_model_calls_the_gumbel_kernel_with_one_type_only():
    """The dashboard's warm-up (compile_gumbel) prepares the type the model passes: no compiling mid-run."""
    gumbel_draws.compile_gumbel()
    MarketModel("meta_scale_2025", rng=1, weeks=30).run()
    MarketModel(synthetic_scenario(100, 70, 1), rng=1, weeks=8).run()
    signatures = gumbel_draws._standard_gumbel_rows.signatures
    assert len(signatures) == 1, signatures
