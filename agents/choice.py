"""Vectorised arithmetic of how labs choose vendors: softmax split, inquiries, move limits, capacity.

The rules in ``labelmarket.agents.lab.decide`` call these on the block of labs that review this week.
"""

from __future__ import annotations

import math

import numpy as np

from labelmarket.agents import gumbel_draws
from labelmarket.agents.compiling import compiled

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
    # The kernel is compiled for one type of each argument: writable, C-ordered float64 and bool arrays (a
    # read-only or strided one would be another type, compiled again on its first call).
    k = np.broadcast_to(np.asarray(aversion, dtype=float) * intensity, (value.shape[0], 1))[:, 0].copy()
    allowed = np.require(allowed, dtype=bool, requirements=("C", "W"))
    solved = (k > 0) & np.logical_or.reduce(allowed, axis=1)
    if solved.all():  # the usual case: every row is solved, so the plain softmax would be overwritten
        return _entropic_quadratic_split(np.multiply(value, intensity, dtype=float), allowed, k)
    split = softmax_split(value, allowed, intensity)
    rows = np.flatnonzero(solved)
    if rows.size:
        split[rows] = _entropic_quadratic_split(np.multiply(value[rows], intensity, dtype=float), allowed[rows],
                                                k[rows])
    return split


@compiled
def _entropic_quadratic_split(logit: np.ndarray, allowed: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Rows of t with t_j = y_j / k and y_j + ln y_j = logit_j - 1 + ln k - mu, mu set so that sum t = 1.

    This is the first-order condition of the diversified split (k = intensity x aversion > 0 per row; ``k``
    is one value a row, ``allowed`` a C-ordered bool block with something allowed in every row). y solves
    y + ln y = L by Newton's method in u = ln y (convex, started right of the root: monotone); mu by Newton's
    method on sum t(mu) - 1, which is decreasing and convex in mu, until no row's sum misses 1 by 1e-13.
    Compiled (numba): the largest item of a run's profile as numpy calls, 17 times cheaper as one loop (D74).
    """
    rows, cols = logit.shape
    base = np.empty((rows, cols))  # logit - 1 + ln k on allowed cells; not-allowed ones are zeroed at the end
    mu = np.empty(rows)
    for i in range(rows):
        top = -np.inf
        for j in range(cols):
            if allowed[i, j] and logit[i, j] > top:
                top = logit[i, j]
        ln_k = math.log(k[i])
        total = 0.0
        for j in range(cols):
            if allowed[i, j]:
                base[i, j] = logit[i, j] - 1.0 + ln_k
                total += math.exp(logit[i, j] - top)
            else:
                base[i, j] = SENTINEL_LOGIT
        mu[i] = top + math.log(total) - 1.0  # the plain softmax's mu: a start close to the root
    u = np.empty((rows, cols))
    for step in range(OUTER_NEWTON_STEPS):
        _solve_log_y(base, mu, u, step > 0)  # warm start after the first: mu moves little between outer steps
        worst = 0.0
        for i in range(rows):
            total, slope = 0.0, 0.0
            for j in range(cols):
                if allowed[i, j]:
                    y = math.exp(u[i, j])
                    total += y
                    slope += y / (1.0 + y)
            gap = total / k[i] - 1.0
            mu[i] = mu[i] - gap / (-slope / k[i])
            if abs(gap) > worst or gap != gap:  # a NaN gap never converges, as numpy's max would say
                worst = abs(gap)
        if worst < 1e-13:
            break
    _solve_log_y(base, mu, u, True)
    t = np.zeros((rows, cols))
    for i in range(rows):
        total = 0.0
        for j in range(cols):
            if allowed[i, j]:
                t[i, j] = math.exp(u[i, j])
                total += t[i, j]
        for j in range(cols):
            t[i, j] = t[i, j] / total
    return t


@compiled
def _solve_log_y(base: np.ndarray, mu: np.ndarray, u: np.ndarray, warm: bool) -> None:
    """In place: u = ln y with y + ln y = level (level = base - mu of the row), elementwise, by Newton's
    method, stopping once no element moves by more than NEWTON_TOLERANCE.

    f(u) = e^u + u - level is convex and increasing, so Newton's method converges monotonically from any start
    right of the root (f >= 0). The cold start is ln(level) above 1, else level: always right of the root.
    With ``warm``, the previous solution ``u`` is kept where it lies right of the new root (the nearer of it
    and the cold start); elsewhere the cold start.
    """
    rows, cols = base.shape
    for i in range(rows):
        for j in range(cols):
            level = base[i, j] - mu[i]
            cold = math.log(level) if level > 1.0 else level
            if warm and math.exp(min(u[i, j], 700.0)) + u[i, j] - level >= 0.0:
                u[i, j] = min(u[i, j], cold)
            else:
                u[i, j] = cold
    for _ in range(INNER_NEWTON_STEPS):
        worst = 0.0
        for i in range(rows):
            for j in range(cols):
                e = math.exp(u[i, j])
                step = (e + u[i, j] - (base[i, j] - mu[i])) / (e + 1.0)
                u[i, j] -= step
                if abs(step) > worst or step != step:
                    worst = abs(step)
        if worst < NEWTON_TOLERANCE:
            break


def compile_split() -> None:
    """Compile the split's kernel now (or load it from numba's cache), so that the first review does not
    wait for it (about a second the first time on a machine, much less from the cache). Changes no result:
    the kernel is a pure function of its inputs.
    """
    _entropic_quadratic_split(np.zeros((1, 2)), np.ones((1, 2), dtype=bool), np.ones(1))


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
    keeps its allowed cells whose key reaches its k-th largest key (found by partial sorting). The generator
    moves past a Gumbel draw for every cell, but only the rows that draw something get their noise and keys
    (most vendors make no sales contact in a week; ``gumbel_draws.gumbel_rows``, D81).
    """
    n_cols = log_weight.shape[1]
    k = np.minimum(count, n_cols)
    chosen = np.zeros(log_weight.shape, dtype=bool)
    drawing = np.flatnonzero(k > 0)  # rows drawing nothing choose nothing
    noise = gumbel_draws.gumbel_rows(rng, log_weight.shape, drawing)
    if drawing.size == 0:
        return chosen
    allowed = allowed[drawing]
    keys = np.where(allowed, log_weight[drawing] + noise, -np.inf)
    k = k[drawing]
    k_max = int(np.maximum.reduce(k))
    descending = -keys
    if k_max < n_cols:
        descending = np.partition(descending, k_max - 1, axis=1)[:, :k_max]
    descending.sort(axis=1)
    kth_key = -descending[np.arange(drawing.size), k - 1]
    chosen[drawing] = allowed & (keys >= kth_key[:, None])
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
