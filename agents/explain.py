"""Plain-language causes for the event log: why a lab moved spend away from a vendor.

Reads the state the perception rule left behind (exposure, contagion, trust) and names the biggest drivers,
e.g. "Google moved $40M/yr from Scale AI to Surge AI: trust 0.31 < alarm 0.40, rival owner Meta (49 %)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # a runtime import would make `import agents` circular (model -> agents -> model)
    from labelmarket.model.state import MarketState


def move_cause(s: MarketState, i: int, src: int, dst: int, amount_musd: float, other_destinations: int) -> str:
    """One sentence: who moved how much from where to where, and the drivers at the vendor it left."""
    lab, src_name, dst_name = s.lab_names[i], s.vendor_names[src], s.vendor_names[dst]
    also = f" (and {other_destinations} other vendor{'s' * (other_destinations > 1)})" if other_destinations > 0 else ""
    head = f"{lab} moved ${amount_musd:,.0f}M/yr from {src_name} to {dst_name}{also}"
    return f"{head}: {', '.join(move_reasons(s, i, src, dst))}"


def move_reasons(s: MarketState, i: int, src: int, dst: int) -> list[str]:
    """The drivers behind a move, strongest first; 'routine review' when no driver is active."""
    reasons: list[str] = []
    trust, alarm = float(s.trust[i, src]), float(s.alarm_trust[i])
    if trust < alarm:
        reasons.append(f"trust {trust:.2f} < alarm {alarm:.2f}")
    elif s.exposure[i, src] > 0.02 or s.contagion[i, src] > 0.02:
        reasons.append(f"trust {trust:.2f}")
    owner_pull = s.stake[src] * s.rivalry[i]
    if owner_pull.max(initial=0.0) > 0:
        k = int(np.argmax(owner_pull))
        vote = "voting" if s.voting[src, k] else "non-voting"
        reasons.append(f"rival owner {s.investor_names[k]} ({s.stake[src, k]:.0%} {vote})")
    talent_pull = s.departed_talent[src] * s.rivalry[i]
    if talent_pull.max(initial=0.0) > 0:
        k = int(np.argmax(talent_pull))
        reasons.append(f"leaders left for {s.investor_names[k]}")
    if s.contagion[i, src] > 0.01:
        reasons.append(f"peers leaving (neutrality -{s.contagion[i, src]:.2f})")
    owned_dst = s.stake[dst][s.is_strategic & (s.investor_lab == i)].sum()
    if owned_dst > 0:
        reasons.append(f"own investor holds {owned_dst:.0%} of {s.vendor_names[dst]}")
    if not reasons:
        reasons.append("routine review: better value elsewhere")
    return reasons
