"""The per-cell arithmetic of 'Labs perceive' as one compiled loop over labs and vendors (numba, D79).

:func:`perceive_cells` does, for every (lab, vendor) cell and in place, what
``labelmarket.agents.lab.perceive`` states with numpy helpers: perceived neutrality moves toward 1 - exposure
(Friedkin & Johnsen 1990; ``perception.anchored_update``), trust toward its anchor
(``labelmarket.agents.lab.trust_anchor``: quality x neutrality, experience (Oliver 1980), remembered breaches
(Kim, Ferrin, Cooper & Dirks 2004)), falling fast and recovering slowly (Slovic 1993;
``perception.asymmetric_update``); a lab's wariness keeps the worst shortfall at its current vendors (Tomlin
2006; ``perception.worst_shortfall``), and a lab whose trust in a current vendor crosses its alarm level is
flagged for review. Each cell runs the same IEEE operations, in the same order, as those numpy expressions:
the helpers below spell out numpy's ``clip``, ``minimum`` and ``maximum`` for floats (NaN propagates; the
first operand wins ties, so signed zeros come out as numpy's). Only the arithmetic is here; the economics,
and the rule's parameters, are in ``labelmarket.agents.lab``.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents.compiling import compiled


@compiled
def _maximum(a: float, b: float) -> float:
    """numpy.maximum of two floats: a when a >= b or a is NaN, else b."""
    return a if (a >= b or a != a) else b


@compiled
def _minimum(a: float, b: float) -> float:
    """numpy.minimum of two floats: a when a <= b or a is NaN, else b."""
    return a if (a <= b or a != a) else b


@compiled
def _clip_unit(x: float) -> float:
    """numpy.clip(x, 0.0, 1.0) of a float: min(max(x, 0), 1) with numpy's NaN rule (x > 0 ? x : 0, then
    x < 1 ? x : 1; a NaN passes through)."""
    if x != x:
        return x
    x = x if x > 0.0 else 0.0
    return x if x < 1.0 else 1.0


@compiled
def perceive_cells(quality: np.ndarray, active: np.ndarray, alarm_trust: np.ndarray, spend_musd: np.ndarray,
                   notice_musd: np.ndarray, exposure_before: np.ndarray, exposure: np.ndarray,
                   perceived_neutrality: np.ndarray, trust: np.ndarray, expected_quality: np.ndarray,
                   breach: np.ndarray, withdrawn_musd: np.ndarray, wariness: np.ndarray, review_now: np.ndarray,
                   neutrality_rate: float, experience_on: bool, experience_weight: float, experience_rate: float,
                   breach_on: bool, breach_threshold: float, breach_keep: float, breach_weight: float,
                   fall_rate: float, recovery_rate: float, aspiration: float, aspiration_floor: float,
                   wariness_keep: float, withdrawn_keep: float) -> None:
    """One week of perception for every lab (row) and vendor (column), in place.

    Reads ``quality`` (V), ``active`` (V), ``alarm_trust`` (L), ``spend_musd``, ``notice_musd`` and both
    exposures (L, V); updates ``perceived_neutrality``, ``trust``, ``expected_quality`` (with experience),
    ``breach`` (with breaches), ``withdrawn_musd`` (x ``withdrawn_keep``), ``wariness`` (L) and sets
    ``review_now`` (L) for labs whose trust in a current active vendor crossed below the alarm level.
    ``*_keep`` are the weekly memory factors 1 - 1 / memory_weeks; ``aspiration_floor`` is
    max(aspiration, 1e-9). Arrays are C-ordered float64 (bool for ``active`` and ``review_now``), scalars
    floats and bools: one type of each, so the kernel compiles once.
    """
    labs, vendors = trust.shape
    for i in range(labs):
        alarm = alarm_trust[i]
        largest_gap = 0.0   # numpy.maximum.reduce(..., initial=0.0) over the lab's current vendors
        crossed = False
        for j in range(vendors):
            q = quality[j]
            using = spend_musd[i, j] > 0
            # perceived neutrality: anchored_update(pn, clip(1 - exposure, 0, 1), rate)
            anchor = _clip_unit(1.0 - exposure[i, j])
            neutrality = (anchor - perceived_neutrality[i, j]) * neutrality_rate + perceived_neutrality[i, j]
            perceived_neutrality[i, j] = neutrality
            # trust anchor (lab.trust_anchor)
            target = q * neutrality
            if experience_on:
                surprise = q - expected_quality[i, j] if using else 0.0
                target = _clip_unit(target + experience_weight * surprise)
                expected_quality[i, j] = expected_quality[i, j] + (
                    experience_rate * (q - expected_quality[i, j]) if using else 0.0)
            if breach_on:
                jump = exposure[i, j] - exposure_before[i, j]
                broken = jump > breach_threshold and (using or notice_musd[i, j] > 0)
                remembered = _maximum(breach[i, j] * breach_keep, _minimum(jump, 1.0) if broken else 0.0)
                breach[i, j] = remembered
                target = target * (1.0 - breach_weight * remembered)
            # trust: asymmetric_update(before, target, fall, recovery)
            before = trust[i, j]
            gap = target - before
            gap = gap * (fall_rate if gap < 0 else recovery_rate)
            after = gap + before
            trust[i, j] = after
            # wariness: worst_shortfall(spend, trust, aspiration, quality) (D55)
            if using:
                largest_gap = _maximum(largest_gap, _minimum(aspiration, q) - after)
                if before >= alarm and after < alarm and active[j]:
                    crossed = True
            withdrawn_musd[i, j] = withdrawn_musd[i, j] * withdrawn_keep
        wariness[i] = _maximum(wariness[i] * wariness_keep, largest_gap / aspiration_floor)
        if crossed:
            review_now[i] = True


def compile_perceive() -> None:
    """Compile :func:`perceive_cells` now (or load it from numba's cache), with the argument types the model
    passes, so that a dashboard's first Step does not wait for it (D75, D79). A pure call on one cell."""
    cell, lab = np.zeros((1, 1)), np.zeros(1)
    perceive_cells(np.ones(1), np.ones(1, dtype=bool), lab, cell, cell, cell, cell, cell.copy(), cell.copy(),
                   cell.copy(), cell.copy(), cell.copy(), lab.copy(), np.zeros(1, dtype=bool),
                   0.1, True, 0.1, 0.1, True, 0.1, 0.9, 0.1, 0.1, 0.1, 0.5, 0.5, 0.9, 0.9)
