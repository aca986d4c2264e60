"""AI labs and other buyers: they perceive vendors, then review and reassign their contracts.

Each rule is written once for the whole population of labs (a vectorised pass over the labs x vendors
arrays in ``labelmarket.model.state``); a ``Lab`` agent is the readable face of one row. The sentences in docs/ODD.md
("Labs perceive", "Labs decide", "Budgets grow") map one-to-one onto the class methods below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from labelmarket.agents import choice, perception
from labelmarket.agents.actor import MarketActor
from labelmarket.agents.explain import move_cause

if TYPE_CHECKING:
    from labelmarket.model.market_model import MarketModel
    from labelmarket.model.state import MarketState
    from labelmarket.scenarios.behaviour import Behaviour

SIZE_EXPONENT = 0.25        # inquiry weight ~ (capacity + visibility floor)^0.25: size helps, but little
NEUTRALITY_EXPONENT = 2.0   # inquiry weight ~ perceived neutrality^2: labs avoid asking vendors they doubt


class Lab(MarketActor):
    """One buyer of training data; its state is row ``index`` of the labs x vendors arrays."""

    NAMES = "lab_names"

    @property
    def budget_musd(self) -> float:
        return float(self.model.state.budget_musd[self.index])

    @property
    def spend_musd(self) -> dict[str, float]:
        """Current contracts: vendor name -> $M per year (non-zero only)."""
        s = self.model.state
        row = s.spend_musd[self.index]
        return {s.vendor_names[j]: float(row[j]) for j in np.flatnonzero(row > 0)}

    # ----------------------------------------------------------------------------------------- rules
    @classmethod
    def perceive(cls, model: MarketModel) -> None:
        """Labs perceive: exposure -> perceived neutrality (with peer contagion) -> trust.

        Conflict exposure grows with rival owners' stakes (votes weigh more) and with talent gone to rivals,
        scaled by the lab's sensitivity and cut (never to zero) by assurances (Salop & O'Brien 2000).
        Perceived neutrality moves toward 1 - exposure - contagion, where contagion is the threshold
        response to peers' exits (Friedkin & Johnsen 1990; Granovetter 1978; Bikhchandani et al. 1992);
        a lab that owns part of the vendor knows it from the inside and does not follow the cascade.
        Trust moves toward quality x neutrality, falling fast and recovering slowly (Slovic 1993).
        A lab's wariness remembers the worst shortfall of trust below aspiration at any of its vendors,
        fading slowly; a wary lab spreads its spend more (Tomlin 2006: sourcing after a disruption).
        A lab whose trust in a current vendor crosses below its alarm level reviews at once.
        """
        s, b = model.state, model.behaviour
        s.exposure = perception.conflict_exposure(
            s.data_sensitivity, s.rivalry, s.stake, s.voting, s.departed_talent, s.assurance,
            stake_weight=b.stake_weight, voting_weight=b.voting_weight, talent_weight=b.talent_weight,
            assurance_efficacy=b.assurance_efficacy)
        peer_exit = perception.peer_exit_share(s.withdrawn_musd, s.spend_musd)
        insider = s.lab_owned_stake() > 0
        s.contagion = np.where(insider, 0.0, perception.threshold_contagion(peer_exit, s.contagion_threshold,
                                                                          b.contagion_weight))
        anchor = np.clip(1.0 - s.exposure - s.contagion, 0.0, 1.0)
        s.perceived_neutrality = perception.anchored_update(s.perceived_neutrality, anchor,
                                                            b.neutrality_rate_per_week)
        before = s.trust
        s.trust = perception.asymmetric_update(before, s.quality[None, :] * s.perceived_neutrality,
                                               b.trust_fall_rate_per_week, b.trust_recovery_rate_per_week)
        betrayal = perception.worst_shortfall(s.spend_musd, s.trust, b.aspiration_trust)
        s.wariness = np.maximum(s.wariness * (1.0 - 1.0 / b.wariness_memory_weeks), betrayal)
        alarm = s.alarm_trust[:, None]
        crossed = (before >= alarm) & (s.trust < alarm) & (s.spend_musd > 0) & s.active[None, :]
        s.review_now |= crossed.any(axis=1)
        s.withdrawn_musd *= 1.0 - 1.0 / b.contagion_memory_weeks

    @classmethod
    def decide(cls, model: MarketModel) -> None:
        """Labs decide: on their review rhythm (or at once when alarmed) they inquire, then re-split spend.

        Inquiries rise with dissatisfaction (trust below aspiration) and only inquired vendors are considered.
        The target split is a softmax over value = quality + trust - log price + fit + loyalty for current
        vendors (the switching cost) + a captive bonus for vendors the lab's own investor owns (and it never
        moves spend away from them: captive demand), less an
        aversion to depending on one vendor per unit of the split placed there (second sourcing: Farrell &
        Gallini 1988) (Weisbuch, Kirman & Herreiner 2000; Kirman & Vriend 2001; Klemperer 1995). A lab moves toward it by
        at most ``max_move_share`` of its budget; receiving vendors' spare capacity rations the move, and
        what finds no room stays where it was and counts as unmet demand.
        """
        s, b, week = model.state, model.behaviour, model.week
        due = ((week + s.review_phase_weeks) % s.review_interval_weeks == 0) | s.review_now
        rows = np.flatnonzero(due)
        if rows.size == 0:
            return
        s.review_now[rows] = False
        cls._send_inquiries(model, rows)

        spend = s.spend_musd[rows]
        current = spend > 0
        placed = spend.sum(axis=1, keepdims=True)
        owned = s.lab_owned_stake()[rows]
        value = (b.quality_weight * s.quality[None, :] + b.trust_weight * s.trust[rows]
                 - b.price_weight * np.log(s.price_index)[None, :] + s.fit[rows]
                 + b.switching_cost_scale * s.switching_cost[rows, None] * current
                 + b.captive_bonus * owned)
        allowed = (s.considered[rows] | current) & s.active[None, :]
        aversion = b.dependence_aversion * (1.0 + b.wariness_gain * s.wariness[rows])
        target = choice.diversified_split(value, allowed, b.choice_intensity, aversion[:, None])
        desired = choice.keep_captive_spend(target * placed - spend, owned > 0)
        increase, decrease = choice.limit_move(desired, b.max_move_share * s.budget_musd[rows],
                                               b.min_move_share * s.budget_musd[rows])
        spare = s.capacity_musd - s.revenue_musd()
        granted = choice.ration_with_overflow(increase, decrease, target, allowed, spare)
        asked, given = increase.sum(axis=1), granted.sum(axis=1)
        released = decrease * np.divide(given, asked, out=np.zeros_like(given), where=asked > 0)[:, None]

        s.spend_musd[rows] = np.maximum(spend + granted - released, 0.0)
        s.withdrawn_musd[rows] += released
        s.refused_musd += np.maximum(increase - granted, 0.0).sum(axis=0)  # overflow received is not a refusal
        s.switched_musd += float(given.sum())
        s.blocked_musd += float((asked - given).sum())
        has_target = target.sum(axis=1) > 0
        s.target_share[rows[has_target]] = target[has_target]
        cls._log_moves(model, rows, released, granted)

    @classmethod
    def _send_inquiries(cls, model: MarketModel, rows: np.ndarray) -> None:
        """Inquiries: routine scanning plus search in proportion to dissatisfaction (Kirman & Vriend 2001).

        Each inquiry (a request for quotes, to a current vendor for more volume or to a new one) goes to an
        active vendor the lab still trusts above its alarm level, drawn with weight
        (capacity + visibility floor)^(1/4) x perceived neutrality^2: labs look where they see size and
        neutrality. Inquired vendors join the lab's considered set.
        """
        s, b = model.state, model.behaviour
        unhappy = perception.dissatisfaction(s.spend_musd[rows], s.trust[rows], b.aspiration_trust)
        count = model.rng.poisson(b.routine_inquiries + b.search_breadth * unhappy)
        candidates, log_weight = inquiry_targets(s, b, rows)
        chosen = choice.sample_without_replacement(log_weight, candidates, count, model.rng)
        s.inquiries += chosen.sum(axis=0)
        s.considered[rows] |= chosen

    @classmethod
    def _log_moves(cls, model: MarketModel, rows: np.ndarray, released: np.ndarray, granted: np.ndarray) -> None:
        """Write each notable move to the event log with its cause."""
        moved = granted.sum(axis=1)
        for r in np.flatnonzero(moved >= model.market_scenario.record.decisions_min_musd):
            i = int(rows[r])
            src, dst = int(np.argmax(released[r])), int(np.argmax(granted[r]))
            others = int((granted[r] > 0.05 * moved[r]).sum()) - 1
            model.log_event("move", model.state.lab_names[i], model.state.vendor_names[src], float(moved[r]),
                            move_cause(model.state, i, src, dst, float(moved[r]), others))

    @classmethod
    def grow_budgets(cls, model: MarketModel) -> None:
        """Budgets grow at each lab's weekly rate; new money is unplaced until it finds room (shrinking
        budgets cut contracts pro rata). Unplaced money is placed along the lab's last target split,
        rationed by spare capacity; what does not fit is unmet demand."""
        s = model.state
        change = s.budget_musd * s.growth_per_week
        s.budget_musd += change
        s.unplaced_musd += np.maximum(change, 0.0)
        cut = np.maximum(-change, 0.0)
        if cut.any():
            from_unplaced = np.minimum(cut, s.unplaced_musd)
            s.unplaced_musd -= from_unplaced
            placed = s.spend_musd.sum(axis=1)
            keep = 1.0 - np.divide(cut - from_unplaced, placed, out=np.zeros_like(placed), where=placed > 0)
            s.spend_musd *= np.clip(keep, 0.0, 1.0)[:, None]
        cls.place_unplaced(model)

    @classmethod
    def place_unplaced(cls, model: MarketModel) -> None:
        """Place unplaced money along each lab's target split, rationed by vendors' spare capacity."""
        s = model.state
        rows = np.flatnonzero(s.unplaced_musd > 1e-9)
        if rows.size == 0:
            return
        target = s.target_share[rows] * s.active[None, :]
        total = target.sum(axis=1, keepdims=True)
        lost = total[:, 0] <= 0
        s.review_now[rows[lost]] = True
        target = np.divide(target, total, out=np.zeros_like(target), where=total > 0)
        spare = s.capacity_musd - s.revenue_musd()
        wanted = target * s.unplaced_musd[rows, None]
        granted = choice.ration_capacity(wanted, spare)
        s.refused_musd += (wanted - granted).sum(axis=0)  # vendors see the demand they could not take
        s.spend_musd[rows] += granted
        s.unplaced_musd[rows] = np.maximum(s.unplaced_musd[rows] - granted.sum(axis=1), 0.0)


def inquiry_targets(s: MarketState, b: Behaviour, rows: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
    """(candidates, log weight) of each lab's inquiries: active vendors it trusts above its alarm level,
    weighted by (capacity + visibility floor)^SIZE_EXPONENT x perceived neutrality^NEUTRALITY_EXPONENT."""
    candidates = s.active[None, :] & (s.trust[rows] >= s.alarm_trust[rows, None])
    size = np.maximum(s.capacity_musd + b.inquiry_visibility_floor_musd, 1e-9)
    log_weight = (SIZE_EXPONENT * np.log(size)[None, :]
                  + NEUTRALITY_EXPONENT * np.log(np.maximum(s.perceived_neutrality[rows], 1e-6)))
    return candidates, log_weight


def routine_inquiry_rate(s: MarketState, b: Behaviour) -> np.ndarray:
    """(V,) inquiries per week each vendor can expect from routine scanning in a resting market:
    sum over labs of routine_inquiries / review interval x the vendor's share of the lab's inquiry weight.
    Venture funds take it as the baseline their inquiry averages start from."""
    candidates, log_weight = inquiry_targets(s, b, slice(None))
    weight = np.where(candidates, np.exp(log_weight - log_weight.max(axis=1, keepdims=True)), 0.0)
    total = weight.sum(axis=1, keepdims=True)
    share = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
    return ((b.routine_inquiries / s.review_interval_weeks)[:, None] * share).sum(axis=0)
