"""Vectorised arithmetic of how labs choose vendors: softmax split, inquiries, move limits, capacity.

The rules in ``labelmarket.agents.lab.decide`` call these on the block of labs that review this week.
"""

from __future__ import annotations

import numpy as np

LOWEST_FLOAT = float(np.finfo(float).min)
PACK_MIN_VENDORS = 64  # from this many vendors, diversified_split works on each row's allowed vendors only
OUTER_NEWTON_STEPS = 60   # upper bound; the split usually converges to 1e-13 in 5-10 steps
INNER_NEWTON_STEPS = 12   # y + ln y = L from the start used converges to machine precision well within this
NEWTON_TOLERANCE = 1e-13  # in ln y: far below any difference that can change a decision
SENTINEL_LOGIT = -50.0    # stands in for -inf on not-allowed cells (their y is zeroed afterwards)


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


def diversified_split(value: np.ndarray, allowed: np.ndarray, intensity: float,
                      aversion: float | np.ndarray) -> np.ndarray:
    """The split t that solves t = softmax(intensity * (value - aversion * t)) over allowed vendors.

    A lab that dislikes depending on one vendor values each vendor less the more of its budget it would
    place there (second sourcing; Farrell & Gallini 1988). Unlike a plain softmax, this breaks the
    independence of irrelevant alternatives: when one vendor drops out, the largest remaining vendor does
    not simply take its proportional part. ``aversion`` may be a column (one value per row).

    The fixed point is the unique maximiser of sum t v - (a/2) sum t^2 - (1/beta) sum t ln t on the simplex,
    solved exactly (to rounding) by :func:`_entropic_quadratic_split` for any intensity x aversion.
    In a market of ``PACK_MIN_VENDORS`` or more vendors, each row is solved over its allowed vendors only
    (packed into a narrow block): the same rule, much less arithmetic, since a lab considers a handful of
    vendors; sums then run in a different order, so results may differ in the last bit from the dense path.
    """
    if allowed.shape[1] >= PACK_MIN_VENDORS:
        return _diversified_split_packed(value, allowed, intensity, aversion)
    return _diversified_split_dense(value, allowed, intensity, aversion)


def _diversified_split_dense(value: np.ndarray, allowed: np.ndarray, intensity: float,
                             aversion: float | np.ndarray) -> np.ndarray:
    """diversified_split over every column of the block (not-allowed columns stay exactly 0)."""
    k = np.broadcast_to(np.asarray(aversion, dtype=float) * intensity, (value.shape[0], 1))
    solved = (k[:, 0] > 0) & np.logical_or.reduce(allowed, axis=1)
    if solved.all():  # the usual case: every row is solved, so the plain softmax would be overwritten
        return _entropic_quadratic_split(intensity * value, allowed, k)
    split = softmax_split(value, allowed, intensity)
    rows = np.flatnonzero(solved)
    if rows.size:
        split[rows] = _entropic_quadratic_split(intensity * value[rows], allowed[rows], k[rows])
    return split


def _entropic_quadratic_split(logit: np.ndarray, allowed: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Rows of t with t_j = y_j / k and y_j + ln y_j = logit_j - 1 + ln k - mu, mu set so that sum t = 1.

    This is the first-order condition of the diversified split (k = intensity x aversion > 0 per row).
    y solves y + ln y = L by Newton's method in u = ln y (convex, started right of the root: monotone);
    mu by Newton's method on sum t(mu) - 1, which is decreasing and convex in mu.
    """
    base = np.where(allowed, logit - 1.0 + np.log(k), SENTINEL_LOGIT)
    top = np.maximum.reduce(np.where(allowed, logit, -np.inf), axis=1, keepdims=True)
    mu = top + np.log(np.add.reduce(np.exp(np.where(allowed, logit - top, -np.inf)), axis=1, keepdims=True)) - 1.0
    u = None  # the first solve starts cold
    for _ in range(OUTER_NEWTON_STEPS):
        u = _solve_log_y(base - mu, u)  # warm start: mu moves little between outer steps
        y = np.where(allowed, np.exp(u), 0.0)
        gap = np.add.reduce(y, axis=1, keepdims=True) / k - 1.0
        slope = -np.add.reduce(y / (1.0 + y), axis=1, keepdims=True) / k
        mu = mu - gap / slope
        if np.maximum.reduce(np.abs(gap), axis=None) < 1e-13:
            break
    t = np.where(allowed, np.exp(_solve_log_y(base - mu, u)), 0.0)
    return t / np.add.reduce(t, axis=1, keepdims=True)


def _log_y_start(level: np.ndarray) -> np.ndarray:
    """A start for u = ln y right of the root of y + ln y = level: ln(level) above 1, else level."""
    return np.where(level > 1.0, np.log(np.maximum(level, 1.0)), level)


def _solve_log_y(level: np.ndarray, u: np.ndarray | None) -> np.ndarray:
    """u = ln y with y + ln y = level, elementwise, by Newton's method, stopping once no element moves by
    more than NEWTON_TOLERANCE.

    f(u) = e^u + u - level is convex and increasing, so Newton's method converges monotonically from any start
    right of the root (f >= 0). The previous solution ``u`` is used where it lies right of the new root (the
    nearer of it and the cold start); elsewhere, and when ``u`` is None, the cold start, which always lies right
    of it. The iteration runs in place on two buffers: this loop is the largest item of a run's profile.
    """
    cold = _log_y_start(level)
    if u is None:
        u = cold
    else:
        u = np.where(np.exp(np.minimum(u, 700.0)) + u - level >= 0.0, np.minimum(u, cold), cold)
    eu, step = np.empty_like(u), np.empty_like(u)
    for _ in range(INNER_NEWTON_STEPS):
        np.exp(u, out=eu)
        np.add(eu, u, out=step)
        step -= level
        eu += 1.0
        step /= eu      # step = (e^u + u - level) / (e^u + 1)
        u -= step
        if np.maximum.reduce(np.abs(step, out=step), axis=None) < NEWTON_TOLERANCE:
            break
    return u


def _diversified_split_packed(value: np.ndarray, allowed: np.ndarray, intensity: float,
                              aversion: float | np.ndarray) -> np.ndarray:
    """diversified_split on a (rows, most allowed per row) block of each row's allowed vendors."""
    counts = allowed.sum(axis=1)
    width = int(counts.max(initial=0))
    split = np.zeros(value.shape)
    if width == 0:
        return split
    columns = np.argsort(~allowed, axis=1, kind="stable")[:, :width]  # allowed columns first, in order
    packed_allowed = np.arange(width)[None, :] < counts[:, None]
    packed = _diversified_split_dense(np.take_along_axis(value, columns, axis=1), packed_allowed, intensity,
                                      aversion)
    np.put_along_axis(split, columns, packed, axis=1)  # padding cells carry 0 onto not-allowed vendors
    return split


def sample_without_replacement(log_weight: np.ndarray, allowed: np.ndarray, count: np.ndarray,
                               rng: np.random.Generator) -> np.ndarray:
    """(R, V) bool: for each row, ``count[r]`` distinct allowed columns drawn with probability ~ weight.

    Gumbel-top-k: the k largest of log w + Gumbel noise are a weighted draw without replacement. A row
    keeps its allowed cells whose key reaches its k-th largest key (found by partial sorting).
    """
    keys = np.where(allowed, log_weight + rng.gumbel(size=log_weight.shape), -np.inf)
    n_cols = keys.shape[1]
    k = np.minimum(count, n_cols)
    chosen = np.zeros(keys.shape, dtype=bool)
    drawing = np.flatnonzero(k > 0)  # rows drawing nothing choose nothing (most vendors make no sales contact)
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


def keep_captive_spend(desired_change: np.ndarray, captive: np.ndarray) -> np.ndarray:
    """Drop desired cuts at captive vendors (ones the lab's own investor owns), shrinking the increases
    elsewhere pro rata so that what is added still equals what is released.
    """
    held = captive & (desired_change < 0)
    if not held.any():
        return desired_change
    increase = np.maximum(desired_change, 0.0)
    decrease = np.where(held, 0.0, np.maximum(-desired_change, 0.0))
    added = increase.sum(axis=1, keepdims=True)
    scale = np.divide(decrease.sum(axis=1, keepdims=True), added, out=np.zeros_like(added), where=added > 0)
    return increase * scale - decrease


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


def ration_with_overflow(increase: np.ndarray, decrease: np.ndarray, target: np.ndarray, allowed: np.ndarray,
                         spare_musd: np.ndarray) -> np.ndarray:
    """Ration increases by spare capacity, then send what was refused to each lab's next choices.

    A lab whose preferred vendor is full re-splits the refused amount over its other allowed vendors that
    still have room and that it is not cutting, in proportion to its target split (one overflow round), and
    that is rationed again.
    """
    granted = ration_capacity(increase, spare_musd)
    refused = (increase - granted).sum(axis=1)
    room = np.maximum(spare_musd - granted.sum(axis=0), 0.0)
    if not (refused > 1e-9).any() or not (room > 1e-9).any():
        return granted
    open_target = np.where(allowed & (room > 1e-9)[None, :] & (decrease <= 0), target, 0.0)
    total = open_target.sum(axis=1, keepdims=True)
    overflow = np.divide(open_target, total, out=np.zeros_like(open_target), where=total > 0) * refused[:, None]
    return granted + ration_capacity(overflow, room)
