"""Slow, loop-based reference implementations of the vectorised rules: the specification they must meet.

Each function says the rule the way docs/ODD.md does, one lab and one vendor at a time, with plain Python
floats and loops. ``tests/perf/test_reference_rules.py`` checks that the vectorised helpers in
``agents/choice.py`` and ``agents/perception.py`` give the same numbers on small random inputs. Keep these
simple: clarity is their only job.
"""

from __future__ import annotations

import math

import numpy as np


# ------------------------------------------------------------------------------------------ choice
def softmax_split(value, allowed, intensity):
    """Each lab splits over its allowed vendors in proportion to exp(intensity x value)."""
    rows, cols = value.shape
    out = np.zeros((rows, cols))
    for i in range(rows):
        options = [j for j in range(cols) if allowed[i, j]]
        if not options:
            continue
        top = max(intensity * value[i, j] for j in options)
        weight = {j: math.exp(intensity * value[i, j] - top) for j in options}
        total = sum(weight.values())
        for j in options:
            out[i, j] = weight[j] / total
    return out


def diversified_split(value, allowed, intensity, aversion, tolerance=1e-15, max_iterations=200_000):
    """The split t with t = softmax(intensity x (value - aversion x t)) over allowed vendors, lab by lab.

    Found by damped fixed-point iteration run to convergence; damping 1 / (1 + intensity x aversion) makes
    the step a contraction (the softmax Jacobian's eigenvalues lie in [-intensity x aversion, 0]).
    """
    rows, cols = value.shape
    out = softmax_split(value, allowed, intensity)
    for i in range(rows):
        a = float(aversion) if np.ndim(aversion) == 0 else float(np.ravel(aversion)[i])
        if a <= 0 or not allowed[i].any():
            continue
        damping = 1.0 / (1.0 + intensity * a)
        t = [out[i, j] for j in range(cols)]
        for _ in range(max_iterations):
            shifted = np.array([[value[i, j] - a * t[j] for j in range(cols)]])
            proposal = softmax_split(shifted, allowed[i:i + 1], intensity)[0]
            change = max(abs(proposal[j] - t[j]) for j in range(cols))
            t = [t[j] + damping * (proposal[j] - t[j]) for j in range(cols)]
            if change < tolerance:
                break
        out[i] = t
    return out


def top_keys(keys, allowed, count):
    """For each lab, the ``count`` allowed vendors with the largest keys (the Gumbel-top-k draw)."""
    rows, cols = keys.shape
    out = np.zeros((rows, cols), dtype=bool)
    for i in range(rows):
        options = sorted((j for j in range(cols) if allowed[i, j]), key=lambda j: -keys[i, j])
        for j in options[: int(count[i])]:
            out[i, j] = True
    return out


def limit_move(desired_change, max_move, min_move):
    """A lab moves at most max_move in total, and nothing when its wanted move is below min_move."""
    rows, cols = desired_change.shape
    increase, decrease = np.zeros((rows, cols)), np.zeros((rows, cols))
    for i in range(rows):
        wanted = sum(max(d, 0.0) for d in desired_change[i])
        if wanted < max(min_move[i], 1e-9):
            continue
        scale = max_move[i] / wanted if wanted > max_move[i] else 1.0
        for j in range(cols):
            increase[i, j] = max(desired_change[i, j], 0.0) * scale
            decrease[i, j] = max(-desired_change[i, j], 0.0) * scale
    return increase, decrease


def ration_capacity(increase, spare_musd):
    """A vendor asked for more than its spare capacity grants every asker the same fraction."""
    rows, cols = increase.shape
    out = np.zeros((rows, cols))
    for j in range(cols):
        asked = sum(increase[i, j] for i in range(rows))
        factor = max(spare_musd[j], 0.0) / asked if asked > spare_musd[j] else 1.0
        for i in range(rows):
            out[i, j] = increase[i, j] * factor
    return out


def ration_with_overflow(increase, decrease, target, allowed, spare_musd):
    """Ration; then each lab re-splits what it was refused over its allowed vendors that have room left and
    that it is not cutting, in proportion to its target split, and that is rationed again."""
    rows, cols = increase.shape
    granted = ration_capacity(increase, spare_musd)
    refused = [sum(increase[i, j] - granted[i, j] for j in range(cols)) for i in range(rows)]
    room = [max(spare_musd[j] - sum(granted[i, j] for i in range(rows)), 0.0) for j in range(cols)]
    if not any(r > 1e-9 for r in refused) or not any(r > 1e-9 for r in room):
        return granted
    overflow = np.zeros((rows, cols))
    for i in range(rows):
        open_share = {j: target[i, j] for j in range(cols)
                      if allowed[i, j] and room[j] > 1e-9 and decrease[i, j] <= 0}
        total = sum(open_share.values())
        if total > 0:
            for j, share in open_share.items():
                overflow[i, j] = share / total * refused[i]
    return granted + ration_capacity(overflow, np.array(room))


# -------------------------------------------------------------------------------------- perception
def conflict_exposure(sensitivity, rivalry, stake, voting, departed_talent, assurance, *, stake_weight,
                      voting_weight, talent_weight, assurance_efficacy):
    """Exposure of lab i at vendor j: its rivals' stakes (votes weigh more) and talent taken by rivals."""
    labs, investors = rivalry.shape
    vendors = stake.shape[0]
    out = np.zeros((labs, vendors))
    for i in range(labs):
        for j in range(vendors):
            owner = sum(stake[j, k] * rivalry[i, k] * (voting_weight if voting[j, k] else 1.0)
                        for k in range(investors))
            talent = sum(departed_talent[j, k] * rivalry[i, k] for k in range(investors))
            raw = sensitivity[i] * (stake_weight * owner + talent_weight * talent)
            out[i, j] = min(raw, 1.0) * (1.0 - assurance_efficacy * assurance[j])
    return out


def anchored_update(opinion, anchor, rate):
    """Each opinion moves a share ``rate`` of the way to its anchor."""
    out = np.zeros(opinion.shape)
    for idx in np.ndindex(opinion.shape):
        out[idx] = opinion[idx] + rate * (anchor[idx] - opinion[idx])
    return out


def asymmetric_update(level, target, fall_rate, recovery_rate):
    """Down toward a lower target at the fall rate; up toward a higher one at the recovery rate."""
    out = np.zeros(level.shape)
    for idx in np.ndindex(level.shape):
        rate = fall_rate if target[idx] < level[idx] else recovery_rate
        out[idx] = level[idx] + rate * (target[idx] - level[idx])
    return out


def dissatisfaction(spend_musd, trust, aspiration):
    """Spend-weighted shortfall of trust below aspiration, as a share of aspiration."""
    labs, vendors = spend_musd.shape
    out = np.zeros(labs)
    for i in range(labs):
        placed = sum(spend_musd[i])
        if placed <= 0:
            continue
        out[i] = sum(spend_musd[i, j] / placed * max(0.0, aspiration - trust[i, j]) / max(aspiration, 1e-9)
                     for j in range(vendors))
    return out


def worst_shortfall(spend_musd, trust, aspiration, quality=None):
    """The largest shortfall of trust below aspiration (or below the vendor's quality, if lower) among a lab's
    current vendors (0 if none)."""
    labs, vendors = spend_musd.shape
    out = np.zeros(labs)
    for i in range(labs):
        gaps = [max(0.0, (aspiration if quality is None else min(aspiration, quality[j])) - trust[i, j])
                / max(aspiration, 1e-9)
                for j in range(vendors) if spend_musd[i, j] > 0]
        out[i] = max(gaps, default=0.0)
    return out
