"""Market concentration metrics, computed from vendor revenues (US merger guidelines conventions)."""

from __future__ import annotations

import numpy as np


def revenue_shares(revenue_musd: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Each active vendor's share of total revenue; zero for inactive vendors; all zero if no revenue."""
    rev = np.where(active, np.maximum(revenue_musd, 0.0), 0.0)
    total = rev.sum()
    return rev / total if total > 0 else np.zeros_like(rev)


def concentration(shares: np.ndarray) -> dict[str, float]:
    """HHI on 0..10,000, CR1, CR4, the effective number of vendors (1 / sum of squared shares) and entropy."""
    sum_sq = float(np.square(shares).sum())
    ranked = np.sort(shares)[::-1]
    positive = shares[shares > 0]
    return {
        "hhi": 10_000.0 * sum_sq,
        "cr1": float(ranked[:1].sum()),
        "cr4": float(ranked[:4].sum()),
        "effective_vendors": 1.0 / sum_sq if sum_sq > 0 else 0.0,
        "entropy": float(-(positive * np.log(positive)).sum()),
    }
