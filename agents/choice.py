"""Vectorised arithmetic of how labs choose vendors: softmax split, inquiries, move limits, capacity.

The rules in ``agents.lab.Lab.decide`` call these on the block of labs that review this week.
"""

from __future__ import annotations

import numpy as np

LOWEST_FLOAT = float(np.finfo(float).min)
PACK_MIN_VENDORS = 64  # from this many vendors, diversified_split works on each row's allowed vendors only


def softmax_split(value: np.ndarray, allowed: np.ndarray, intensity: float) -> np.ndarray:
    """Row-wise softmax of ``intensity * value`` over allowed vendors; rows with none allowed are all zero.

    The logit (multinomial) choice of buyer-seller models (Weisbuch, Kirman & Herreiner 2000).
    """
    weights = np.multiply(value, intensity)
    _softmax_in_place(weights, ~allowed)
    return weights


def _softmax_in_place(logits: np.ndarray, blocked: np.ndarray) -> None:
    """Turn a block of logits into row-wise softmax shares in place; blocked cells get exactly 0.

    One buffer and no temporaries of the block's size: this runs 25 times per review (diversified_split).
    """
    np.copyto(logits, -np.inf, where=blocked)
    # The row maximum, floored at the lowest float so that a row with nothing allowed stays finite.
    top = np.maximum.reduce(logits, axis=1, keepdims=True, initial=LOWEST_FLOAT)
    np.subtract(logits, top, out=logits)
    np.exp(logits, out=logits)                   # exp(-inf) = 0: blocked cells weigh nothing
    total = np.add.reduce(logits, axis=1, keepdims=True)
    np.divide(logits, total, out=logits, where=total > 0)  # a row with nothing allowed stays all zero


def diversified_split(value: np.ndarray, allowed: np.ndarray, intensity: float, aversion: float | np.ndarray,
                      iterations: int = 25, damping: float = 0.3) -> np.ndarray:
    """The split t that solves t = softmax(intensity * (value - aversion * t)) over allowed vendors.

    A lab that dislikes depending on one vendor values each vendor less the more of its budget it would
    place there (second sourcing; Farrell & Gallini 1988). Unlike a plain softmax, this breaks the
    independence of irrelevant alternatives: when one vendor drops out, the largest remaining vendor does
    not simply take its proportional part. Solved by damped fixed-point iteration (contracting for
    damping < 2 / (1 + intensity * aversion / 4)). ``aversion`` may be a column (one value per row).

    In a market of ``PACK_MIN_VENDORS`` or more vendors, each row is solved over its allowed vendors only
    (packed into a narrow block): the same rule, much less arithmetic, since a lab considers a handful of
    vendors; sums then run in a different order, so results may differ in the last bit from the dense path.
    """
    if allowed.shape[1] >= PACK_MIN_VENDORS:
        return _diversified_split_packed(value, allowed, intensity, aversion, iterations, damping)
    return _diversified_split_dense(value, allowed, intensity, aversion, iterations, damping)


def _diversified_split_dense(value: np.ndarray, allowed: np.ndarray, intensity: float,
                             aversion: float | np.ndarray, iterations: int, damping: float) -> np.ndarray:
    """diversified_split over every column of the block (not-allowed columns stay exactly 0)."""
    split = softmax_split(value, allowed, intensity)
    if np.all(np.asarray(aversion) <= 0):
        return split
    blocked = ~allowed
    step = np.empty_like(split)
    for _ in range(iterations):
        # split += damping * (softmax(intensity * (value - aversion * split)) - split), without temporaries
        np.multiply(split, aversion, out=step)
        np.subtract(value, step, out=step)
        step *= intensity
        _softmax_in_place(step, blocked)
        step -= split
        step *= damping
        split += step
    return split


def _diversified_split_packed(value: np.ndarray, allowed: np.ndarray, intensity: float,
                              aversion: float | np.ndarray, iterations: int, damping: float) -> np.ndarray:
    """diversified_split on a (rows, most allowed per row) block of each row's allowed vendors."""
    counts = allowed.sum(axis=1)
    width = int(counts.max(initial=0))
    split = np.zeros(value.shape)
    if width == 0:
        return split
    columns = np.argsort(~allowed, axis=1, kind="stable")[:, :width]  # allowed columns first, in order
    packed_allowed = np.arange(width)[None, :] < counts[:, None]
    packed = _diversified_split_dense(np.take_along_axis(value, columns, axis=1), packed_allowed, intensity, aversion,
                               iterations, damping)
    np.put_along_axis(split, columns, packed, axis=1)  # padding cells carry 0 onto not-allowed vendors
    return split


def sample_without_replacement(log_weight: np.ndarray, allowed: np.ndarray, count: np.ndarray,
                               rng: np.random.Generator) -> np.ndarray:
    """(R, V) bool: for each row, ``count[r]`` distinct allowed columns drawn with probability ~ weight.

    Gumbel-top-k: the k largest of log w + Gumbel noise are a weighted draw without replacement. A row
    keeps its allowed cells whose key reaches its k-th largest key (found by partial sorting).
    """
    keys = np.where(allowed, log_weight + rng.gumbel(size=log_weight.shape), -np.inf)
    n_rows, n_cols = keys.shape
    k = np.minimum(count, n_cols)
    k_max = int(k.max(initial=0))
    if k_max == 0:
        return np.zeros(keys.shape, dtype=bool)
    descending = -keys
    if k_max < n_cols:
        descending = np.partition(descending, k_max - 1, axis=1)[:, :k_max]
    descending.sort(axis=1)
    kth_key = -descending[np.arange(n_rows), np.maximum(k, 1) - 1]
    return allowed & (keys >= kth_key[:, None]) & (k > 0)[:, None]


def limit_move(desired_change: np.ndarray, max_move: np.ndarray, min_move: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Split desired changes into increases and decreases, each totalling at most ``max_move`` per row.

    Rows whose wanted move is below ``min_move`` are left alone (a menu cost of re-contracting).
    """
    increase = np.maximum(desired_change, 0.0)
    decrease = np.maximum(-desired_change, 0.0)
    wanted = increase.sum(axis=1)
    scale = np.where(wanted > max_move, max_move / np.maximum(wanted, 1e-12), 1.0)
    scale = np.where(wanted >= np.maximum(min_move, 1e-9), scale, 0.0)
    return increase * scale[:, None], decrease * scale[:, None]


def ration_capacity(increase: np.ndarray, spare_musd: np.ndarray) -> np.ndarray:
    """(R, V) increases granted: each vendor's spare capacity is shared pro rata among the labs asking."""
    asked = increase.sum(axis=0)
    factor = np.where(asked > spare_musd, np.maximum(spare_musd, 0.0) / np.maximum(asked, 1e-12), 1.0)
    return increase * factor[None, :]


def ration_with_overflow(increase: np.ndarray, target: np.ndarray, allowed: np.ndarray,
                         spare_musd: np.ndarray) -> np.ndarray:
    """Ration increases by spare capacity, then send what was refused to each lab's next choices.

    A lab whose preferred vendor is full re-splits the refused amount over its other allowed vendors that
    still have room, in proportion to its target split (one overflow round), and that is rationed again.
    """
    granted = ration_capacity(increase, spare_musd)
    refused = (increase - granted).sum(axis=1)
    room = np.maximum(spare_musd - granted.sum(axis=0), 0.0)
    if not (refused > 1e-9).any() or not (room > 1e-9).any():
        return granted
    open_target = np.where(allowed & (room > 1e-9)[None, :], target, 0.0)
    total = open_target.sum(axis=1, keepdims=True)
    overflow = np.divide(open_target, total, out=np.zeros_like(open_target), where=total > 0) * refused[:, None]
    return granted + ration_capacity(overflow, room)
