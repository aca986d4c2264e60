"""Vectorised arithmetic of how labs perceive vendors: exposure, neutrality and trust.

Each function is the equation of one rule in docs/ODD.md, applied to every lab at once. The rules that call
them (``labelmarket.agents.lab.perceive``) carry the economics; these helpers carry the arithmetic. The weekly
perception runs the per-cell ones as one compiled loop (``labelmarket.agents.perception_kernel``, D79) that
must give their bits: they remain the statement it is tested against.
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

    Only vendors in which some lab's rival holds a stake or has taken talent can be exposed (few: an
    acquired incumbent), so the sums run over those vendor columns and those investors alone.
    """
    control = np.where(voting, voting_weight, 1.0)
    holding = stake * control
    rivals = rivalry.any(axis=0)
    exposed = np.flatnonzero((holding[:, rivals] != 0).any(axis=1) | (departed_talent[:, rivals] != 0).any(axis=1))
    exposure = np.zeros((rivalry.shape[0], stake.shape[0]))
    if exposed.size == 0:
        return exposure
    owner_pressure = rival_weighted_sum(rivalry, holding[exposed])
    talent_pressure = rival_weighted_sum(rivalry, departed_talent[exposed])
    raw = sensitivity[:, None] * (stake_weight * owner_pressure + talent_weight * talent_pressure)
    exposure[:, exposed] = np.minimum(raw, 1.0) * (1.0 - assurance_efficacy * assurance[exposed])[None, :]
    return exposure


def rival_weighted_sum(rivalry: np.ndarray, holding: np.ndarray) -> np.ndarray:
    """(L, C) sum_k rivalry_ik * holding_ck, over the investors k that some lab rivals and that hold something.

    An explicit sum over those few investors rather than a matrix product: it skips the many zero terms and
    keeps BLAS threads (which stall when other processes share the cores) out of the weekly loop.
    """
    pressure = np.zeros((rivalry.shape[0], holding.shape[0]))
    for k in np.flatnonzero(rivalry.any(axis=0) & holding.any(axis=0)):
        pressure += rivalry[:, k, None] * holding[None, :, k]
    return pressure


def anchored_update(opinion: np.ndarray, anchor: np.ndarray, rate: float) -> np.ndarray:
    """Move an opinion a share ``rate`` of the way to its anchor (Friedkin & Johnsen 1990)."""
    moved = np.subtract(anchor, opinion)
    moved *= rate
    moved += opinion
    return moved


def asymmetric_update(level: np.ndarray, target: np.ndarray, fall_rate: float, recovery_rate: float) -> np.ndarray:
    """Move toward ``target`` at ``fall_rate`` when below the current level, at ``recovery_rate`` when above.

    Trust is destroyed quickly and rebuilt slowly (Slovic 1993, the asymmetry principle).
    """
    gap = np.subtract(target, level)
    gap *= np.where(gap < 0, fall_rate, recovery_rate)   # gap < 0 exactly when target < level
    gap += level
    return gap


def dissatisfaction(spend_musd: np.ndarray, trust: np.ndarray, aspiration: float) -> np.ndarray:
    """(L,) spend-weighted shortfall of trust below the aspiration level, as a share of that level.

    d_i = sum_j share_ij * max(0, aspiration - trust_ij) / aspiration (satisficing search: Simon 1955).
    """
    placed = spend_musd.sum(axis=1, keepdims=True)
    share = np.divide(spend_musd, placed, out=np.zeros_like(spend_musd), where=placed > 0)
    shortfall = np.maximum(0.0, aspiration - trust) / max(aspiration, 1e-9)
    return (share * shortfall).sum(axis=1)


def worst_shortfall(spend_musd: np.ndarray, trust: np.ndarray, aspiration: float,
                    quality: np.ndarray | None = None) -> np.ndarray:
    """(L,) the largest shortfall of trust below aspiration among a lab's current vendors (0..1).

    With ``quality`` (V,) (D55), the shortfall is counted below min(aspiration, quality_j): a lab is let down
    when its trust falls short of what the vendor's quality warrants (lost neutrality, a breach, a bad
    experience), not by having chosen a vendor whose quality is below its aspiration.
    """
    reference = aspiration if quality is None else np.minimum(aspiration, quality)[None, :]
    # max over current vendors of max(0, gap) / aspiration = max(0, largest gap) / aspiration (monotone)
    largest_gap = np.maximum.reduce(np.subtract(reference, trust), axis=1, where=spend_musd > 0, initial=0.0)
    return largest_gap / max(aspiration, 1e-9)
