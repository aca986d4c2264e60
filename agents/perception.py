"""Vectorised arithmetic of how labs perceive vendors: exposure, peer exits, neutrality and trust.

Each function is the equation of one rule in docs/ODD.md, applied to every lab at once. The rules that call
them (``agents.lab.Lab.perceive``) carry the economics; these helpers carry the arithmetic.
"""

from __future__ import annotations

import numpy as np


def conflict_exposure(sensitivity: np.ndarray, rivalry: np.ndarray, stake: np.ndarray, voting: np.ndarray,
                      departed_talent: np.ndarray, assurance: np.ndarray, *, stake_weight: float,
                      voting_weight: float, talent_weight: float, assurance_efficacy: float) -> np.ndarray:
    """(L, V) conflict exposure in [0, 1).

    exposure_ij = min(1, sens_i * (w_s * sum_k stake_jk * rivalry_ik * (w_v if voting_jk else 1)
                                   + w_t * sum_k departed_jk * rivalry_ik)) * (1 - efficacy * assurance_j)
    Partial ownership raises leak and foreclosure fears in proportion to financial interest, more with
    control (Salop & O'Brien 2000; Allain, Chambolle & Rey 2016).
    """
    control = np.where(voting, voting_weight, 1.0)
    owner_pressure = rivalry @ (stake * control).T
    talent_pressure = rivalry @ departed_talent.T
    raw = sensitivity[:, None] * (stake_weight * owner_pressure + talent_weight * talent_pressure)
    return np.minimum(raw, 1.0) * (1.0 - assurance_efficacy * assurance)[None, :]


def peer_exit_share(withdrawn_musd: np.ndarray, spend_musd: np.ndarray) -> np.ndarray:
    """(L, V) share of the *other* labs' recent spend at each vendor that they have withdrawn.

    others' withdrawals / (others' current spend + others' withdrawals); the lab's own row is excluded.
    """
    withdrawn_others = withdrawn_musd.sum(axis=0)[None, :] - withdrawn_musd
    held_others = spend_musd.sum(axis=0)[None, :] - spend_musd
    base = held_others + withdrawn_others
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(base > 1e-9, withdrawn_others / base, 0.0)
    return np.clip(share, 0.0, 1.0)


def threshold_contagion(peer_exit: np.ndarray, threshold: np.ndarray, weight: float) -> np.ndarray:
    """(L, V) neutrality lost to peers' exits: zero below a lab's threshold, linear above it.

    contagion_ij = weight * max(0, exit_ij - theta_i) / (1 - theta_i)   (Granovetter 1978; Watts 2002)
    """
    theta = threshold[:, None]
    return weight * np.maximum(0.0, peer_exit - theta) / np.maximum(1.0 - theta, 1e-9)


def anchored_update(opinion: np.ndarray, anchor: np.ndarray, rate: float) -> np.ndarray:
    """Move an opinion a share ``rate`` of the way to its anchor (Friedkin & Johnsen 1990)."""
    return opinion + rate * (anchor - opinion)


def asymmetric_update(level: np.ndarray, target: np.ndarray, fall_rate: float, recovery_rate: float) -> np.ndarray:
    """Move toward ``target`` at ``fall_rate`` when below the current level, at ``recovery_rate`` when above.

    Trust is destroyed quickly and rebuilt slowly (Slovic 1993, the asymmetry principle).
    """
    rate = np.where(target < level, fall_rate, recovery_rate)
    return level + rate * (target - level)


def dissatisfaction(spend_musd: np.ndarray, trust: np.ndarray, aspiration: float) -> np.ndarray:
    """(L,) spend-weighted shortfall of trust below the aspiration level, as a share of that level.

    d_i = sum_j share_ij * max(0, aspiration - trust_ij) / aspiration (satisficing search: Simon 1955).
    """
    placed = spend_musd.sum(axis=1, keepdims=True)
    share = np.divide(spend_musd, placed, out=np.zeros_like(spend_musd), where=placed > 0)
    shortfall = np.maximum(0.0, aspiration - trust) / max(aspiration, 1e-9)
    return (share * shortfall).sum(axis=1)


def worst_shortfall(spend_musd: np.ndarray, trust: np.ndarray, aspiration: float) -> np.ndarray:
    """(L,) the largest shortfall of trust below aspiration among a lab's current vendors (0..1)."""
    shortfall = np.maximum(0.0, aspiration - trust) / max(aspiration, 1e-9)
    return np.where(spend_musd > 0, shortfall, 0.0).max(axis=1, initial=0.0)
