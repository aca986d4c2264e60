"""Vectorised arithmetic of how labs choose vendors: softmax split, inquiries, move limits, capacity.

The rules in ``agents.lab.Lab.decide`` call these on the block of labs that review this week.
"""

from __future__ import annotations

import numpy as np


def softmax_split(value: np.ndarray, allowed: np.ndarray, intensity: float) -> np.ndarray:
    """Row-wise softmax of ``intensity * value`` over allowed vendors; rows with none allowed are all zero.

    The logit (multinomial) choice of buyer-seller models (Weisbuch, Kirman & Herreiner 2000).
    """
    logits = np.where(allowed, intensity * value, -np.inf)
    top = logits.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weights = np.where(allowed, np.exp(logits - top), 0.0)
    total = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)


def diversified_split(value: np.ndarray, allowed: np.ndarray, intensity: float, aversion: float | np.ndarray,
                      iterations: int = 25, damping: float = 0.3) -> np.ndarray:
    """The split t that solves t = softmax(intensity * (value - aversion * t)) over allowed vendors.

    A lab that dislikes depending on one vendor values each vendor less the more of its budget it would
    place there (second sourcing; Farrell & Gallini 1988). Unlike a plain softmax, this breaks the
    independence of irrelevant alternatives: when one vendor drops out, the largest remaining vendor does
    not simply take its proportional part. Solved by damped fixed-point iteration (contracting for
    damping < 2 / (1 + intensity * aversion / 4)). ``aversion`` may be a column (one value per row).
    """
    split = softmax_split(value, allowed, intensity)
    if np.all(np.asarray(aversion) <= 0):
        return split
    for _ in range(iterations):
        split += damping * (softmax_split(value - aversion * split, allowed, intensity) - split)
    return split


def sample_without_replacement(log_weight: np.ndarray, allowed: np.ndarray, count: np.ndarray,
                               rng: np.random.Generator) -> np.ndarray:
    """(R, V) bool: for each row, ``count[r]`` distinct allowed columns drawn with probability ~ weight.

    Gumbel-top-k: the k largest of log w + Gumbel noise are a weighted draw without replacement.
    """
    keys = np.where(allowed, log_weight + rng.gumbel(size=log_weight.shape), -np.inf)
    order = np.argsort(-keys, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(order.shape[1])[None, :].repeat(order.shape[0], axis=0), axis=1)
    return (rank < count[:, None]) & allowed


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
