"""Rules of 'Labs decide', as vectorised arithmetic (agents/choice.py) on hand-made arrays."""

from __future__ import annotations

import numpy as np
import pytest

from labelmarket.agents import choice

VALUES = np.array([[1.0, 0.8, 0.5, 0.2], [0.3, 0.3, 0.9, 0.0]])
ALLOWED = np.array([[True, True, True, True], [True, True, True, False]])


# --------------------------------------------------------------------------------------------- softmax
def test_softmax_split_is_a_share_over_allowed_vendors_ordered_by_value():
    split = choice.softmax_split(VALUES, ALLOWED, intensity=6.0)
    np.testing.assert_allclose(split.sum(axis=1), 1.0)
    assert split[1, 3] == 0.0
    assert np.all(np.diff(split[0]) < 0)  # higher value, larger share
    expected = np.exp(6.0 * VALUES[0]) / np.exp(6.0 * VALUES[0]).sum()
    np.testing.assert_allclose(split[0], expected)


def test_softmax_split_of_a_row_with_no_allowed_vendor_is_empty():
    split = choice.softmax_split(VALUES, np.zeros_like(ALLOWED), intensity=6.0)
    np.testing.assert_array_equal(split, 0.0)


def test_higher_intensity_of_choice_concentrates_the_split():
    soft, sharp = (choice.softmax_split(VALUES, ALLOWED, beta)[0, 0] for beta in (1.0, 10.0))
    assert sharp > soft


# ------------------------------------------------------------------------------------- diversified split
@pytest.mark.parametrize("intensity, aversion", [(3.0, 1.0), (6.0, 0.5), (6.0, 1.5)])
def test_diversified_split_solves_its_fixed_point_and_gives_the_largest_vendor_less(intensity, aversion):
    split = choice.diversified_split(VALUES, ALLOWED, intensity, aversion)
    plain = choice.softmax_split(VALUES, ALLOWED, intensity)
    fixed_point = choice.softmax_split(VALUES - aversion * split, ALLOWED, intensity)
    np.testing.assert_allclose(split, fixed_point, atol=1e-6)
    np.testing.assert_allclose(split.sum(axis=1), 1.0)
    assert split[1, 3] == 0.0
    for row in range(2):
        top = int(np.argmax(plain[row]))
        assert split[row, top] < plain[row, top]
        assert int(np.argmax(split[row])) == top  # still the favourite, just less dominant


@pytest.mark.parametrize("intensity, aversion", [(6.0, 4.0), (10.0, 3.0)])
def test_diversified_split_solves_its_fixed_point_for_wary_labs(intensity, aversion):
    split = choice.diversified_split(VALUES, ALLOWED, intensity, aversion)
    fixed_point = choice.softmax_split(VALUES - aversion * split, ALLOWED, intensity)
    np.testing.assert_allclose(split, fixed_point, atol=1e-6)


def test_without_aversion_the_diversified_split_is_the_plain_softmax():
    np.testing.assert_allclose(choice.diversified_split(VALUES, ALLOWED, 6.0, 0.0),
                               choice.softmax_split(VALUES, ALLOWED, 6.0))


# ------------------------------------------------------------------------------------------- inquiries
def test_inquiries_go_only_to_allowed_vendors_and_number_as_asked():
    rng = np.random.default_rng(0)
    allowed = np.array([[True, False, True, True], [False, False, True, False], [True, True, True, True]])
    count = np.array([2, 5, 0])
    chosen = choice.sample_without_replacement(np.zeros((3, 4)), allowed, count, rng)
    assert not (chosen & ~allowed).any()
    np.testing.assert_array_equal(chosen.sum(axis=1), [2, 1, 0])


def test_inquiries_favour_heavier_vendors():
    rng = np.random.default_rng(1)
    log_weight = np.log(np.array([[1.0, 9.0]])).repeat(2000, axis=0)
    chosen = choice.sample_without_replacement(log_weight, np.ones((2000, 2), bool), np.ones(2000, int), rng)
    assert chosen[:, 1].mean() == pytest.approx(0.9, abs=0.03)


# -------------------------------------------------------------------------------------- move limits
def test_a_lab_moves_at_most_its_move_limit_per_review():
    desired = np.array([[60.0, -60.0, 0.0], [10.0, 0.0, -10.0]])
    increase, decrease = choice.limit_move(desired, max_move=np.array([30.0, 30.0]), min_move=np.array([1.0, 1.0]))
    np.testing.assert_allclose(increase[0], [30.0, 0.0, 0.0])
    np.testing.assert_allclose(decrease[0], [0.0, 30.0, 0.0])
    np.testing.assert_allclose(increase[1], [10.0, 0.0, 0.0])  # under the limit: moved in full
    np.testing.assert_allclose(decrease[1], [0.0, 0.0, 10.0])


def test_a_change_below_the_menu_cost_is_left_alone():
    increase, decrease = choice.limit_move(np.array([[2.0, -2.0]]), np.array([30.0]), np.array([3.0]))
    np.testing.assert_array_equal(increase, 0.0)
    np.testing.assert_array_equal(decrease, 0.0)


# ------------------------------------------------------------------------------------------- capacity
def test_capacity_caps_a_move_and_spare_room_is_shared_pro_rata():
    increase = np.array([[30.0, 5.0], [20.0, 5.0]])
    granted = choice.ration_capacity(increase, spare_musd=np.array([25.0, 100.0]))
    np.testing.assert_allclose(granted[:, 0], [15.0, 10.0])  # 25 of room shared 3:2
    np.testing.assert_allclose(granted[:, 1], [5.0, 5.0])    # room enough: granted in full
    assert granted[:, 0].sum() == pytest.approx(25.0)


def test_a_full_vendor_takes_nothing():
    granted = choice.ration_capacity(np.array([[30.0]]), spare_musd=np.array([-5.0]))
    np.testing.assert_array_equal(granted, 0.0)


def test_overflow_goes_to_the_next_choice_with_room():
    increase = np.array([[30.0, 0.0, 0.0, 0.0]])
    target = np.array([[0.5, 0.3, 0.2, 0.0]])
    allowed = np.array([[True, True, True, False]])
    spare = np.array([10.0, 100.0, 0.0, 100.0])
    granted = choice.ration_with_overflow(increase, np.zeros_like(increase), target, allowed, spare)
    # 10 fits at the first choice; the 20 refused go to the next choice that has room (not the full one,
    # and not the one the lab does not consider)
    np.testing.assert_allclose(granted, [[10.0, 20.0, 0.0, 0.0]])


def test_overflow_is_rationed_too():
    granted = choice.ration_with_overflow(np.array([[30.0, 0.0]]), np.zeros((1, 2)), np.array([[0.5, 0.5]]),
                                          np.array([[True, True]]), np.array([10.0, 5.0]))
    np.testing.assert_allclose(granted, [[10.0, 5.0]])


def test_overflow_never_goes_back_to_a_vendor_being_cut():
    granted = choice.ration_with_overflow(np.array([[30.0, 0.0, 0.0]]), np.array([[0.0, 30.0, 0.0]]),
                                          np.array([[0.6, 0.2, 0.2]]), np.array([[True, True, True]]),
                                          np.array([10.0, 100.0, 100.0]))
    np.testing.assert_allclose(granted, [[10.0, 0.0, 20.0]])
