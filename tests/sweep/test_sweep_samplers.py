"""Each sampling method produces the right points, and seeds follow common random numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelmarket.experiments.sweep.samplers import build_design, replicate_seeds, run_key
from labelmarket.experiments.sweep.spec import load_sweep


def spec_of(method: str, parameters: dict, **design):
    return load_sweep({"name": "s", "seed": 3, "run_function": "m:f", "design": {"method": method, **design},
                       "parameters": parameters}).spec


THREE = {"a.x": {"bounds": [0.0, 1.0]}, "a.y": {"bounds": [10.0, 20.0]}, "a.z": {"bounds": [-1.0, 1.0]}}


def test_grid_is_every_combination_first_parameter_slowest():
    spec = spec_of("grid", {"a.x": {"values": [1, 2, 3]}, "a.y": {"values": ["low", "high"]},
                            "a.z": {"values": [True]}})
    design = build_design(spec)
    expected = [{"a.x": x, "a.y": y, "a.z": True} for x, y in itertools.product([1, 2, 3], ["low", "high"])]
    assert list(design.points) == expected
    assert spec.point_count() == 6
    assert design.matrix is None


def test_lhs_puts_one_point_in_each_stratum_of_each_parameter():
    n = 20
    design = build_design(spec_of("lhs", THREE, samples=n))
    assert len(design) == n
    for j, (low, high) in enumerate([(0, 1), (10, 20), (-1, 1)]):
        strata = np.floor((design.matrix[:, j] - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_sobol_has_saltelli_structure():
    n, d = 16, 3
    design = build_design(spec_of("sobol", THREE, samples=n))
    x = design.matrix
    assert x.shape == (n * (2 * d + 2), d)
    blocks = x.reshape(n, 2 * d + 2, d)
    a, b = blocks[:, 0], blocks[:, -1]
    for i in range(d):
        ab_i = blocks[:, 1 + i]  # A with column i from B
        expected = a.copy()
        expected[:, i] = b[:, i]
        np.testing.assert_array_equal(ab_i, expected)
        ba_i = blocks[:, 1 + d + i]  # B with column i from A
        expected = b.copy()
        expected[:, i] = a[:, i]
        np.testing.assert_array_equal(ba_i, expected)
    assert (x[:, 1] >= 10).all() and (x[:, 1] <= 20).all()


def test_sobol_without_second_order_is_smaller():
    spec = spec_of("sobol", THREE, samples=8, second_order=False)
    assert len(build_design(spec)) == 8 * (3 + 2) == spec.point_count()


def test_morris_trajectories_move_one_parameter_a_level_step_at_a_time():
    r, d, levels = 6, 3, 4
    design = build_design(spec_of("morris", THREE, trajectories=r, levels=levels))
    x = design.matrix
    assert x.shape == (r * (d + 1), d)
    unit = (x - np.array([0.0, 10.0, -1.0])) / np.array([1.0, 10.0, 2.0])
    np.testing.assert_allclose(unit * (levels - 1), np.round(unit * (levels - 1)), atol=1e-9)  # on the level grid
    delta = levels / (2 * (levels - 1))
    for t in range(r):
        steps = np.diff(unit[t * (d + 1):(t + 1) * (d + 1)], axis=0)
        moved = np.abs(steps) > 1e-12
        assert (moved.sum(axis=1) == 1).all(), "each step moves exactly one parameter"
        assert sorted(np.nonzero(moved)[1]) == list(range(d)), "each parameter moves once per trajectory"
        np.testing.assert_allclose(np.abs(steps[moved]), delta)


def test_integer_parameters_are_whole_numbers_covering_the_range():
    spec = spec_of("lhs", {"a.weeks": {"bounds": [1, 4], "integer": True}, "a.x": {"bounds": [0, 1]}}, samples=40)
    values = [p["a.weeks"] for p in build_design(spec).points]
    assert all(isinstance(v, int) for v in values)
    assert set(values) == {1, 2, 3, 4}
    assert values.count(4) == 10, "the top value gets its fair share"


def test_the_same_spec_gives_the_same_design():
    spec = spec_of("sobol", THREE, samples=8)
    np.testing.assert_array_equal(build_design(spec).matrix, build_design(spec).matrix)
    other = load_sweep({**spec.model_dump(mode="json", exclude_none=True), "seed": 4}).spec
    assert not np.array_equal(build_design(spec).matrix, build_design(other).matrix)


def test_replicate_seeds_are_fixed_distinct_and_keep_their_order_when_extended():
    seeds = replicate_seeds(20250613, 5)
    assert seeds == replicate_seeds(20250613, 5)
    assert len(set(seeds)) == 5
    assert replicate_seeds(20250613, 8)[:5] == seeds
    assert replicate_seeds(1, 5) != seeds
    assert all(0 <= s < 2**32 for s in seeds)


def test_run_keys_depend_on_parameters_and_seed_only():
    assert run_key({"a.x": 0.1, "a.y": 2}, 5) == run_key({"a.y": 2, "a.x": 0.1}, 5)
    assert run_key({"a.x": 0.1}, 5) != run_key({"a.x": 0.1}, 6)
    assert run_key({"a.x": 0.1}, 5) != run_key({"a.x": 0.3 - 0.2}, 5), "floats are keyed exactly"
    assert len(run_key({}, 0)) == 32


@pytest.mark.parametrize("method,extra", [("lhs", {"samples": 5}), ("sobol", {"samples": 4}),
                                          ("morris", {"trajectories": 3})])
def test_samplers_return_plain_python_floats(method, extra):
    for point in build_design(spec_of(method, THREE, **extra)).points:
        assert all(type(v) is float for v in point.values())


bounds_strategy = st.tuples(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6)).map(lambda t: [t[0], t[0] + t[1]])


@settings(max_examples=30, deadline=None)
@given(
    method=st.sampled_from(["lhs", "sobol", "morris"]),
    bounds=st.lists(bounds_strategy, min_size=2, max_size=4),
    integer=st.lists(st.booleans(), min_size=4, max_size=4),
    seed=st.integers(0, 2**32),
)
def test_every_sampled_point_lies_within_its_bounds_and_the_count_is_as_documented(method, bounds, integer, seed):
    parameters = {}
    for i, (low, high) in enumerate(bounds):
        if integer[i]:
            low, high = float(np.floor(low)), float(np.floor(low)) + max(1.0, float(np.floor(high - low)))
        parameters[f"p.x{i}"] = {"bounds": [low, high], "integer": integer[i]}
    size = {"lhs": {"samples": 7}, "sobol": {"samples": 4}, "morris": {"trajectories": 3}}[method]
    spec = load_sweep({"name": "h", "seed": seed, "run_function": "m:f", "design": {"method": method, **size},
                       "parameters": parameters}).spec
    design = build_design(spec)
    assert len(design) == spec.point_count()
    for point in design.points:
        for name, value in point.items():
            low, high = spec.parameters[name].bounds
            assert low <= value <= high
            assert isinstance(value, int) == spec.parameters[name].integer


def test_whole_and_decimal_grid_values_become_one_number_type():
    spec = spec_of("grid", {"a.x": {"values": [0, 0.5, 1]}, "a.n": {"values": [1, 2]}})
    assert spec.parameters["a.x"].values == [0.0, 0.5, 1.0]
    assert all(type(v) is float for v in spec.parameters["a.x"].values)
    assert all(type(v) is int for v in spec.parameters["a.n"].values)
