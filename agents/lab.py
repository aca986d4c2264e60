"""AI labs and other buyers: they perceive vendors, then review and reassign their contracts.

Each rule is written once for the whole population of labs, as a vectorised pass over the labs x vendors
arrays of ``labelmarket.model.state.MarketState``; it reads the behaviour parameters and the random generator it
is given, changes the state, and returns what it decided for the event log. It never calls the schedule. The
sentences in docs/ODD.md ("Labs perceive", "Labs decide", "Budgets grow") map one-to-one onto :func:`perceive`,
:func:`decide` and :func:`grow_budgets`. A :class:`Lab` agent is the readable face of one row.
"""

from __future__ import annotations

import numpy as np

from labelmarket.agents import choice, perception, perception_kernel
from labelmarket.agents.actor import MarketActor
from labelmarket.model.event_log import MOVE_DRIVERS, EventKind, LogEntry
from labelmarket.model.state import MarketState
from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.schema import WORK_SEGMENTS

SIZE_EXPONENT = 0.25        # inquiry weight ~ (capacity + visibility floor)^0.25: size helps, but little
NEUTRALITY_EXPONENT = 2.0   # inquiry weight ~ perceived neutrality^2: labs avoid asking vendors they doubt
OTHER_DESTINATION_SHARE = 0.05  # a move names as further destinations the vendors that got >= 5 % of it
# model 2.0 (D39): the move drivers that change after the rest state; the others are the standing terms
CHANGE_DRIVERS = ("neutrality", "trust", "wariness", "price", "quality", "captive")


class Lab(MarketActor):
    """One buyer of training data; its state is row ``index`` of the labs x vendors arrays.

    Vendor-keyed attributes are dicts over every vendor in the market (entrants included, zeros kept), in
    the order of ``allocations.parquet``; each access reads the arrays afresh.
    """

    NAMES = "lab_names"

    @property
    def budget_musd(self) -> float:
        return float(self.state.budget_musd[self.index])

    @property
    def unplaced_musd(self) -> float:
        """Budget not placed with any vendor, $M/yr."""
        return float(self.state.unplaced_musd[self.index])

    @property
    def wariness(self) -> float:
        return float(self.state.wariness[self.index])

    @property
    def spend_musd(self) -> dict[str, float]:
        """Contracts: vendor name -> $M per year."""
        return self._by_vendor(self.state.spend_musd)

    @property
    def trust(self) -> dict[str, float]:
        return self._by_vendor(self.state.trust)

    @property
    def perceived_neutrality(self) -> dict[str, float]:
        return self._by_vendor(self.state.perceived_neutrality)

    def _by_vendor(self, block: np.ndarray) -> dict[str, float]:
        return dict(zip(self.state.vendor_names, block[self.index].tolist()))


# ------------------------------------------------------------------------------------------------- rules
def perceive(s: MarketState, b: Behaviour) -> None:
    """Labs perceive: exposure -> perceived neutrality -> trust.

    Conflict exposure grows with rival owners' stakes (votes weigh more) and with talent gone to rivals,
    scaled by the lab's sensitivity and cut (never to zero) by assurances (Salop & O'Brien 2000).
    Perceived neutrality moves toward 1 - exposure (anchored opinion dynamics, Friedkin & Johnsen 1990).
    Trust moves toward quality x neutrality (with model 2.0, corrected by the lab's own experience and capped
    by remembered breaches: :func:`trust_anchor`), falling fast and recovering slowly (Slovic 1993).
    A lab's wariness remembers the worst shortfall of trust below aspiration (or below the vendor's quality,
    if lower: D55) at any of its vendors, fading slowly; a wary lab spreads its spend more (Tomlin 2006:
    sourcing after a disruption).
    A lab whose trust in a current vendor crosses below its alarm level reviews at once.
    The per-cell arithmetic runs as one compiled loop (``perception_kernel.perceive_cells``, D79) that does
    exactly what :func:`trust_anchor` and the helpers in ``labelmarket.agents.perception`` state with numpy,
    bit for bit: those stay the statement of the rule (tests/perf/test_perception_kernel.py holds the kernel
    to them).
    """
    exposure_before = s.exposure
    s.exposure = perception.conflict_exposure(
        s.data_sensitivity, s.rivalry, s.stake, s.voting, s.departed_talent, s.assurance,
        stake_weight=b.stake_weight, voting_weight=b.voting_weight, talent_weight=b.talent_weight,
        assurance_efficacy=b.assurance_efficacy)
    perception_kernel.perceive_cells(
        s.quality, s.active, s.alarm_trust, s.spend_musd, s.notice_musd, exposure_before, s.exposure,
        s.perceived_neutrality, s.trust, s.expected_quality, s.breach, s.withdrawn_musd, s.wariness, s.review_now,
        float(b.neutrality_rate_per_week), bool(b.experience_weight), float(b.experience_weight),
        float(b.experience_rate_per_week), bool(b.breach_weight), float(b.breach_threshold),
        1.0 - 1.0 / b.breach_memory_weeks, float(b.breach_weight), float(b.trust_fall_rate_per_week),
        float(b.trust_recovery_rate_per_week), float(b.aspiration_trust), float(max(b.aspiration_trust, 1e-9)),
        1.0 - 1.0 / b.wariness_memory_weeks, 1.0 - 1.0 / b.exit_memory_weeks)  # clients' recent exits: churn


def trust_anchor(s: MarketState, b: Behaviour, exposure_before: np.ndarray) -> np.ndarray:
    """(L, V) what each lab's trust in each vendor moves toward: quality x perceived neutrality (pre-2.0), and
    with model 2.0 (D38):

    - *experience*: + experience_weight x (quality delivered - quality expected) at the vendors the lab uses,
      the expectation-disconfirmation of satisfaction research (Oliver 1980); the expectation then follows what
      was delivered (``experience_rate_per_week``), so a lasting change stops surprising;
    - *breaches*: x (1 - breach_weight x breach_ij). A breach is an integrity violation (Kim, Ferrin, Cooper &
      Dirks 2004): the lab's exposure at a vendor it uses jumps by more than ``breach_threshold`` in a week (the
      vendor's neutrality, which the lab relied on, is broken). It is remembered per pair and fades over
      ``breach_memory_weeks``: trust after an integrity violation is repaired slowly and never by
      assurances alone (Lewicki & Bunker 1996; Slovic 1993), so it caps what trust can recover to.

    This is the numpy statement of the anchor (it updates ``expected_quality`` and ``breach`` as :func:`perceive`
    does); :func:`perceive` computes the same, bit for bit, in its compiled loop (D79).
    """
    anchor = s.quality[None, :] * s.perceived_neutrality
    if b.experience_weight:
        using = s.spend_musd > 0
        surprise = np.where(using, s.quality[None, :] - s.expected_quality, 0.0)
        anchor = np.clip(anchor + b.experience_weight * surprise, 0.0, 1.0)
        s.expected_quality += np.where(using, b.experience_rate_per_week * (s.quality[None, :] - s.expected_quality),
                                       0.0)
    if b.breach_weight:
        jump = s.exposure - exposure_before
        broken = (jump > b.breach_threshold) & ((s.spend_musd > 0) | (s.notice_musd > 0))
        s.breach = np.maximum(s.breach * (1.0 - 1.0 / b.breach_memory_weeks), np.where(broken, np.minimum(jump, 1.0), 0.0))
        anchor = anchor * (1.0 - b.breach_weight * s.breach)
    return anchor


def vendor_value(b: Behaviour, quality: np.ndarray, trust: np.ndarray, price_index: np.ndarray, fit: np.ndarray | float,
                 switching_cost: np.ndarray, current: np.ndarray, owned: np.ndarray,
                 segment_match: np.ndarray | None = None) -> np.ndarray:
    """(R, V) the value each lab (row) sees in each vendor, the utility of its logit choice:

    value_ij = quality_weight q_j + trust_weight trust_ij - price_weight ln p_j + fit_ij
               + switching_cost_scale s_i [j is a current vendor] + captive_bonus owned_ij
               + segment_fit_weight match_ij   (model 2.0: how well j serves i's segments, 0..1)

    (Weisbuch, Kirman & Herreiner 2000; loyalty as a switching cost, Klemperer 1995; captive demand for
    vendors the lab's own investor owns). The labs' decision and the initial-state inversion of ``fit``
    (Berry 1994, ``labelmarket.model.initial_state.invert_fit``) both use this one formula.
    """
    return (b.quality_weight * quality[None, :] + b.trust_weight * trust
            - b.price_weight * np.log(price_index)[None, :] + fit
            + b.switching_cost_scale * switching_cost[:, None] * current
            + b.captive_bonus * owned
            + (b.segment_fit_weight * segment_match if b.segment_fit_weight and segment_match is not None else 0.0))


def decide(s: MarketState, b: Behaviour, rng: np.random.Generator, week: int,
           logged_min_musd: float) -> list[LogEntry]:
    """Labs decide: on their review rhythm (or at once when alarmed) they inquire, then re-split spend.

    Inquiries rise with dissatisfaction (trust below aspiration) and only inquired vendors are considered.
    The target split is a softmax over :func:`vendor_value` = quality + trust - log price + fit + loyalty
    for current vendors (the switching cost) + a captive bonus for vendors the lab's own investor owns (and
    it never moves spend away from them: captive demand), less an
    aversion to depending on one vendor per unit of the split placed there (second sourcing: Farrell &
    Gallini 1988) (Weisbuch, Kirman & Herreiner 2000; Kirman & Vriend 2001; Klemperer 1995). A lab moves toward it by
    at most ``max_move_share`` of its budget; receiving vendors' spare capacity rations the move, and
    what finds no room stays where it was and counts as unmet demand.

    Returns a move entry, with its drivers, for each lab that moved at least ``logged_min_musd``.
    """
    due = ((week + s.review_phase_weeks) % s.review_interval_weeks == 0) | s.review_now
    rows = np.flatnonzero(due)
    if rows.size == 0:
        return []
    s.review_now[rows] = False
    send_inquiries(s, b, rng, rows)

    spend = s.spend_musd[rows]
    current = spend > 0
    if b.notice_weeks > 0:  # model 2.0 (D37): what a lab will still pay once its notices end
        spend = spend + s.paused_musd[rows] - s.notice_musd[rows]
    placed = spend.sum(axis=1, keepdims=True)
    owned = s.lab_owned_stake()[rows]
    value = vendor_value(b, s.quality, s.trust[rows], s.price_index, s.fit[rows], s.switching_cost[rows],
                         current, owned, s.segment_match(rows) if b.segment_fit_weight else None)
    allowed = (s.considered[rows] | current) & s.active[None, :]
    aversion = b.dependence_aversion * (1.0 + b.wariness_gain * s.wariness[rows])
    target = choice.diversified_split(value, allowed, b.choice_intensity, aversion[:, None])
    desired = target * placed - spend
    if b.captive_floor > 0:  # the pre-2.0 floor on captive spend; goes once calibration lands (docs/ODD.md 7.6)
        desired = choice.keep_captive_spend(desired, owned > 0)
    increase, decrease = choice.limit_move(desired, b.max_move_share * s.budget_musd[rows],
                                           b.min_move_share * s.budget_musd[rows])
    if b.notice_weeks > 0:  # model 2.0 (D37): cuts go under notice; the money moves when the notice ends
        has_target = target.sum(axis=1) > 0
        s.target_share[rows[has_target]] = target[has_target]
        noticed = give_notice(s, b, rows, decrease, week)
        return notable_moves(s, b, rows, noticed, increase, value, logged_min_musd,
                             spend / np.maximum(placed, 1e-12), None, notice_weeks=b.notice_weeks,
                             paused=s.paused_musd[rows])
    spare = s.capacity_musd - s.revenue_musd()
    granted = choice.ration_with_overflow(increase, decrease, target, allowed, spare)
    asked, given = increase.sum(axis=1), granted.sum(axis=1)
    released = decrease * np.divide(given, asked, out=np.zeros_like(given), where=asked > 0)[:, None]

    overflow = granted - choice.ration_capacity(increase, spare) if (given >= logged_min_musd).any() else None
    s.spend_musd[rows] = np.maximum(spend + granted - released, 0.0)
    s.withdrawn_musd[rows] += released
    s.refused_musd += np.maximum(increase - granted, 0.0).sum(axis=0)  # overflow received is not a refusal
    s.switched_musd += float(given.sum())
    s.blocked_musd += float((asked - given).sum())
    has_target = target.sum(axis=1) > 0
    s.target_share[rows[has_target]] = target[has_target]
    return notable_moves(s, b, rows, released, granted, value, logged_min_musd, spend / np.maximum(placed, 1e-12),
                         overflow)


def send_inquiries(s: MarketState, b: Behaviour, rng: np.random.Generator, rows: np.ndarray) -> None:
    """Inquiries: routine scanning plus search in proportion to dissatisfaction (Kirman & Vriend 2001).

    Each inquiry (a request for quotes, to a current vendor for more volume or to a new one) goes to an
    active vendor the lab still trusts above its alarm level, drawn with weight
    (capacity + visibility floor)^(1/4) x perceived neutrality^2: labs look where they see size and
    neutrality. Inquired vendors join the lab's considered set.
    """
    unhappy = perception.dissatisfaction(s.spend_musd[rows], s.trust[rows], b.aspiration_trust)
    # a spend of -1e-16 left by floating-point notice arithmetic must not make the rate negative (D47)
    count = rng.poisson(np.maximum(b.routine_inquiries + b.search_breadth * unhappy, 0.0))
    candidates, log_weight = inquiry_targets(s, b, rows)
    chosen = choice.sample_without_replacement(log_weight, candidates, count, rng)
    s.inquiries += chosen.sum(axis=0)
    s.considered[rows] |= chosen


def notable_moves(s: MarketState, b: Behaviour, rows: np.ndarray, released: np.ndarray, granted: np.ndarray,
                  value: np.ndarray, logged_min_musd: float, share: np.ndarray, overflow: np.ndarray | None,
                  notice_weeks: float = 0.0, paused: np.ndarray | None = None) -> list[LogEntry]:
    """A move entry for each reviewing lab that moved at least ``logged_min_musd``: from the vendor it cut
    most to the one it grew most, with the drivers read at the vendor it left. Under notice (model 2.0) the
    amount is the spend put under notice, and the destination the vendor the lab means to grow most."""
    grown = granted.sum(axis=1)
    moved = grown if notice_weeks <= 0 else released.sum(axis=1)
    entries = []
    for r in np.flatnonzero(moved >= logged_min_musd):
        src, dst = int(np.argmax(released[r])), int(np.argmax(granted[r]))
        others = int((granted[r] > OTHER_DESTINATION_SHARE * grown[r]).sum()) - 1
        spilled = float(overflow[r].sum()) if overflow is not None else 0.0
        drivers = attribute_move(s, b, int(rows[r]), src, dst, share[r], float(moved[r]), spilled)
        if notice_weeks > 0:
            drivers.update(notice_weeks=notice_weeks, paused_musd=float(paused[r, src]))
        entries.append(move_drivers(s, int(rows[r]), src, dst, float(moved[r]), others,
                                    float(value[r, dst] - value[r, src]), **drivers))
    return entries


def value_components(s: MarketState, b: Behaviour, i: int, j: int, share: np.ndarray) -> dict[str, float]:
    """Lab i's marginal value of vendor j (7.3.3 less the aversion at its current split), by driver (D39).

    The trust term is split as trust_weight x T = trust_weight x q (quality) - trust_weight x q x (1 - N)
    (neutrality lost to exposure) + trust_weight x (T - q N)
    (trust apart from neutrality: its lag, experience, breaches). Quality and price are read as changes since
    the market was at rest (``quality_at_rest``, ``price_at_rest``); neutrality, trust, wariness and captive
    stakes are zero at rest, so their levels are changes. Fit, loyalty and diversification are the standing
    terms that balance the resting split.
    """
    q, n, t = float(s.quality[j]), float(s.perceived_neutrality[i, j]), float(s.trust[i, j])
    lost = -b.trust_weight * q * (1.0 - n)
    owned = float(s.stake[j][s.is_strategic & (s.investor_lab == i)].sum())
    fit = float(s.fit[i, j])
    if b.segment_fit_weight:  # lab i's row of MarketState.segment_match at vendor j, summed in the same order
        match = 0.0
        for g in range(s.segment_demand.shape[1]):
            match += float(s.segment_demand[i, g]) * float(s.segment_service[j, g])
        fit += b.segment_fit_weight * match
    return {
        "neutrality": lost,
        "trust": b.trust_weight * (t - q * n),
        "wariness": -b.dependence_aversion * b.wariness_gain * float(s.wariness[i]) * float(share[j]),
        "diversification": -b.dependence_aversion * float(share[j]),
        "price": -b.price_weight * float(np.log(s.price_index[j] / s.price_at_rest[j])),
        "capacity": 0.0,
        "quality": (b.quality_weight + b.trust_weight) * (q - float(s.quality_at_rest[j])),
        "fit": fit,
        "loyalty": b.switching_cost_scale * float(s.switching_cost[i]) * float(share[j] > 0),
        "captive": b.captive_bonus * owned,
    }


def attribute_move(s: MarketState, b: Behaviour, i: int, src: int, dst: int, share: np.ndarray,
                   amount_musd: float, overflow_musd: float) -> dict[str, float]:
    """``driver_<name>_musd`` of a move (D39): the amount moved, attributed to drivers.

    What capacity rationing sent elsewhere (overflow) is the capacity driver. The rest is shared among the
    drivers whose difference (destination minus source, :func:`value_components`) favours the move, in
    proportion to it; drivers that held the lab back get 0, so the drivers sum to the amount (the value gap is
    a sum of the components, so each component's part of the favouring gap is its part of the move). The
    drivers that change after the rest state (neutrality, trust, wariness, price, quality, captive)
    take the whole amount when any of them favours the move; the standing terms (fit, loyalty,
    diversification) only when none does: a routine rebalancing.
    """
    at_src, at_dst = value_components(s, b, i, src, share), value_components(s, b, i, dst, share)
    favour = {name: max(at_dst[name] - at_src[name], 0.0) for name in MOVE_DRIVERS}
    if any(favour[name] > 0 for name in CHANGE_DRIVERS):
        favour = {name: favour[name] if name in CHANGE_DRIVERS else 0.0 for name in MOVE_DRIVERS}
    capacity = min(max(overflow_musd, 0.0), amount_musd)
    rest, total = amount_musd - capacity, sum(favour.values())
    drivers = {f"driver_{name}_musd": rest * favour[name] / total if total > 0 else 0.0 for name in MOVE_DRIVERS}
    drivers["driver_capacity_musd"] += capacity
    return drivers


def give_notice(s: MarketState, b: Behaviour, rows: np.ndarray, cut: np.ndarray, week: int) -> np.ndarray:
    """Model 2.0 (D37): a lab puts the spend it cuts under notice; it may pause alarming work at once.

    Spend sits in contracts with a notice period (Klemperer 1995; Farrell & Klemperer 2007: contractual
    switching costs): the cut ``cut`` (rows x vendors) joins ``notice_musd`` and the notice runs
    ``notice_weeks`` from now; the vendor sees it (``labelmarket.agents.vendor.revenue_net_of_notice``). With
    ``pause_on``, a lab whose trust in the vendor is below its alarm level stops the work at once (revenue
    stops, the contract is held): Google "started to cut ties at once" (domain.md). Returns the cut.
    """
    if not cut.any():
        return cut
    s.notice_musd[rows] += cut
    s.notice_due_week[rows] = np.where(cut > 0, week + int(round(b.notice_weeks)), s.notice_due_week[rows])
    if b.pause_on:
        alarmed = s.trust[rows] < s.alarm_trust[rows, None]
        pause = np.where(alarmed, np.minimum(s.notice_musd[rows] - s.paused_musd[rows], s.spend_musd[rows]), 0.0)
        s.spend_musd[rows] -= pause
        s.paused_musd[rows] += pause
        s.withdrawn_musd[rows] += pause
    return cut


def serve_notices(s: MarketState, week: int) -> None:
    """Model 2.0 (D37): notices that end this week free their money: it leaves the vendor (paused work is
    already gone from its revenue) and becomes unplaced, which the lab places along its target split when
    budgets grow (7.4). The money moved counts as switched spend and as peers' exits."""
    due = (s.notice_musd > 0) & (s.notice_due_week <= week)
    if not due.any():
        return
    # what still sits in the contract (a budget cut or the vendor's exit may have taken part of it already)
    leaving = np.minimum(np.where(due, s.notice_musd - s.paused_musd, 0.0), s.spend_musd)
    freed = leaving + np.where(due, s.paused_musd, 0.0)
    s.spend_musd -= leaving
    s.withdrawn_musd += leaving
    s.unplaced_musd += freed.sum(axis=1)
    s.switched_musd += float(freed.sum())
    s.notice_musd[due] = 0.0
    s.paused_musd[due] = 0.0


def move_drivers(s: MarketState, i: int, src: int, dst: int, amount_musd: float, other_destinations: int,
                 value_gap: float, **fields: float) -> LogEntry:
    """Lab i's move from vendor ``src`` to ``dst`` with the numbers behind it: trust against the alarm level,
    exposure at ``src``, the rival owner with the strongest pull on ``src`` (stake x rivalry),
    the rival its departed leaders joined, and the stake the lab's own investors hold in ``dst``; ``fields``
    adds further fields of the entry (the drivers of the move, its notice)."""
    owner_pull = s.stake[src] * s.rivalry[i]
    owner = int(np.argmax(owner_pull)) if owner_pull.max(initial=0.0) > 0 else -1
    talent_pull = s.departed_talent[src] * s.rivalry[i]
    talent_to = s.investor_names[int(np.argmax(talent_pull))] if talent_pull.max(initial=0.0) > 0 else ""
    return LogEntry(
        kind=EventKind.MOVE, actor=s.lab_names[i], target=s.vendor_names[src], amount_musd=amount_musd,
        destination=s.vendor_names[dst], other_destinations=other_destinations, value_gap=value_gap,
        trust=float(s.trust[i, src]), alarm_trust=float(s.alarm_trust[i]), exposure=float(s.exposure[i, src]),
        rival_owner=s.investor_names[owner] if owner >= 0 else "",
        rival_stake=float(s.stake[src, owner]) if owner >= 0 else float("nan"),
        rival_voting=bool(s.voting[src, owner]) if owner >= 0 else None,
        talent_to=talent_to,
        own_stake_in_destination=float(s.stake[dst][s.is_strategic & (s.investor_lab == i)].sum()), **fields)


def grow_budgets(s: MarketState) -> None:
    """Budgets grow at each lab's weekly rate; new money is unplaced until it finds room (shrinking
    budgets cut contracts pro rata). Unplaced money is placed along the lab's last target split,
    rationed by spare capacity; what does not fit is unmet demand."""
    change = s.budget_musd * s.growth_per_week
    s.budget_musd += change
    s.unplaced_musd += np.maximum(change, 0.0)
    cut = np.maximum(-change, 0.0)
    if cut.any():
        from_unplaced = np.minimum(cut, s.unplaced_musd)
        s.unplaced_musd -= from_unplaced
        placed = s.spend_musd.sum(axis=1)
        if s.paused_musd.any():  # model 2.0 (D37): paused contracts are cut too
            placed = placed + s.paused_musd.sum(axis=1)
        keep = 1.0 - np.divide(cut - from_unplaced, placed, out=np.zeros_like(placed), where=placed > 0)
        scale_contracts(s, np.clip(keep, 0.0, 1.0))
    place_unplaced(s)


def change_demand(s: MarketState, i: int, factor: float, amount_musd: float, segment: int | None) -> LogEntry:
    """Model 2.0: a buyer's budget changes at once (a public programme, an enterprise wave), optionally in one
    segment of its work: that part becomes part x factor + amount (never below 0), and the lab's segment mix
    follows. New money is unplaced and placed along the lab's target split, rationed by spare capacity; a cut
    comes out of unplaced money first, then out of every contract pro rata (as in :func:`grow_budgets`).
    Demand shocks of this kind move vendors' order books with no neutrality shock (domain.md, "Other buyers").
    """
    parts = s.budget_musd[i] * s.segment_demand[i]
    if segment is None:
        parts = parts * factor + amount_musd * s.segment_demand[i]
    else:
        parts[segment] = parts[segment] * factor + amount_musd
    parts = np.maximum(parts, 0.0)
    new_budget = float(parts.sum())
    change = new_budget - float(s.budget_musd[i])
    if new_budget > 0:
        s.segment_demand[i] = parts / new_budget
    s.budget_musd[i] = new_budget
    if change >= 0:
        s.unplaced_musd[i] += change
    else:
        from_unplaced = min(-change, float(s.unplaced_musd[i]))
        s.unplaced_musd[i] -= from_unplaced
        placed = s.spend_musd[i].sum() + s.paused_musd[i].sum()
        if placed > 0:
            keep = np.ones(s.n_labs)
            keep[i] = max(1.0 - (-change - from_unplaced) / placed, 0.0)
            scale_contracts(s, keep)
    place_unplaced(s)
    return LogEntry(EventKind.DEMAND_CHANGE, s.lab_names[i], WORK_SEGMENTS[segment] if segment is not None else "",
                    change)


def scale_contracts(s: MarketState, keep: np.ndarray) -> None:
    """Cut each lab's contracts pro rata to ``keep`` (L,), paused work and notices included (model 2.0)."""
    s.spend_musd *= keep[:, None]
    if s.notice_musd.any():
        s.notice_musd *= keep[:, None]
        s.paused_musd *= keep[:, None]


def place_unplaced(s: MarketState) -> None:
    """Place unplaced money along each lab's target split, rationed by vendors' spare capacity."""
    rows = np.flatnonzero(s.unplaced_musd > 1e-9)
    if rows.size == 0:
        return
    # every lab, as most weeks (budgets grow): views instead of fancy-index copies, the same numbers (D80)
    pick = slice(None) if rows.size == s.n_labs else rows
    target = s.target_share[pick] * s.active[None, :]
    total = target.sum(axis=1, keepdims=True)
    lost = total[:, 0] <= 0
    s.review_now[rows[lost]] = True
    target = np.divide(target, total, out=np.zeros_like(target), where=total > 0)
    spare = s.capacity_musd - s.revenue_musd()
    wanted = target * s.unplaced_musd[pick, None]
    granted = choice.ration_capacity(wanted, spare)
    s.refused_musd += (wanted - granted).sum(axis=0)  # vendors see the demand they could not take
    s.spend_musd[pick] += granted
    s.unplaced_musd[pick] = np.maximum(s.unplaced_musd[pick] - granted.sum(axis=1), 0.0)


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
