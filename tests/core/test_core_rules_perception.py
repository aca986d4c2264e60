"""Rules of 'Labs perceive': conflict exposure, perceived neutrality, and trust.

Each test fails if its rule is wrong. The pure helpers (agents/perception.py) are tested on hand-made
arrays; the rule in labelmarket.agents.lab.perceive is tested on small markets with pinned behaviour (core_markets.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from labelmarket.agents import perception
from labelmarket.agents.lab import perceive
from core_markets import build, index, lab, rival_stake_market, run, series, vendor
from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.behaviour import Behaviour

WEIGHTS = dict(stake_weight=2.0, voting_weight=1.6, talent_weight=1.5, assurance_efficacy=0.5)


def exposure(rivalry: float = 1.0, stake: float = 0.3, voting: bool = False, departed: float = 0.0,
             assurance: float = 0.0, sensitivity: float = 0.8, **weights: float) -> float:
    """Exposure of one lab to one vendor with one owner."""
    return float(perception.conflict_exposure(
        np.array([sensitivity]), np.array([[rivalry]]), np.array([[stake]]), np.array([[voting]]),
        np.array([[departed]]), np.array([assurance]), **{**WEIGHTS, **weights})[0, 0])


# ------------------------------------------------------------------------------------ conflict exposure
def test_a_rivals_stake_creates_exposure_and_a_non_rivals_does_not():
    assert exposure(rivalry=1.0) > 0.0
    assert exposure(rivalry=0.0) == 0.0
    assert exposure(rivalry=1.0) > exposure(rivalry=0.5) > 0.0


def test_exposure_grows_with_stake_and_sensitivity():
    assert exposure(stake=0.1) < exposure(stake=0.2) < exposure(stake=0.3)
    assert exposure(sensitivity=0.2) < exposure(sensitivity=0.8)
    assert exposure(sensitivity=0.0) == 0.0


def test_a_voting_stake_hurts_more_than_a_non_voting_one():
    assert exposure(voting=True) > exposure(voting=False) > 0.0
    assert exposure(voting=True) == pytest.approx(1.6 * exposure(voting=False))


def test_talent_gone_to_a_rival_creates_exposure_without_any_stake():
    assert exposure(stake=0.0, departed=0.1) > 0.0
    assert exposure(stake=0.0, departed=0.1, rivalry=0.0) == 0.0


def test_assurances_reduce_exposure_but_never_to_zero():
    strongest = Behaviour.model_fields["assurance_efficacy"].metadata
    top = next(m.le for m in strongest if hasattr(m, "le"))
    assert top < 1.0, "the schema must keep assurance efficacy below 1, or assurances could erase exposure"
    with pytest.raises(ValidationError):
        Behaviour(assurance_efficacy=1.0)
    levels = [exposure(assurance=a, assurance_efficacy=top) for a in (0.0, 0.5, 1.0)]
    assert levels[0] > levels[1] > levels[2] > 0.0


def test_exposure_never_exceeds_one():
    assert exposure(stake=1.0, voting=True, departed=1.0, sensitivity=1.0, stake_weight=10.0) <= 1.0


def test_in_the_model_a_rivals_stake_lowers_neutrality_but_not_for_a_non_rival():
    market = rival_stake_market()
    allocations = run(market).frames()["allocations"]
    rival = series(allocations, "perceived_neutrality", lab="Rival", vendor="Incumbent")
    bystander = series(allocations, "perceived_neutrality", lab="Bystander", vendor="Incumbent")
    owner = series(allocations, "perceived_neutrality", lab="Acquirer", vendor="Incumbent")
    assert rival[0] == pytest.approx(1.0) and rival[-1] < 0.5
    np.testing.assert_allclose(bystander, 1.0)
    np.testing.assert_allclose(owner, 1.0)  # an owner's own stake is no conflict for it


def test_in_the_model_a_voting_stake_lowers_neutrality_more():
    weeks = slice(3, 12)
    voting = series(run(rival_stake_market(voting=True, stake=0.2)).frames()
                    ["allocations"], "perceived_neutrality", lab="Rival", vendor="Incumbent")
    silent = series(run(rival_stake_market(voting=False, stake=0.2)).frames()
                    ["allocations"], "perceived_neutrality", lab="Rival", vendor="Incumbent")
    assert np.all(voting[weeks] < silent[weeks])


# --------------------------------------------------------------------------------- peers' exits
def test_peers_exits_do_not_move_a_labs_perceived_neutrality():
    """D56: peer contagion is removed (it carried no pattern in the ablation); a lab's perceived neutrality
    reads its own exposure only, so a peer's large exit from a vendor nobody doubts leaves it where it was."""
    def market() -> MarketModel:
        return MarketModel(build(labs={"Watcher": lab(100.0, {"Common": 50.0, "Other": 50.0}),
                                       "Peer": lab(100.0, {"Common": 100.0})},
                                 vendors={"Common": vendor(400.0), "Other": vendor(300.0)}), rng=3)
    treated, control = market(), market()
    i, j = index(treated, "Watcher", "Common")
    treated.state.withdrawn_musd[index(treated, "Peer"), j] = 400.0  # the peer has just pulled this much out
    perceive(treated.state, treated.behaviour)
    perceive(control.state, control.behaviour)
    np.testing.assert_array_equal(treated.state.perceived_neutrality, control.state.perceived_neutrality)
    assert treated.state.perceived_neutrality[i, j] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------- trust
def test_trust_falls_faster_than_it_rises():
    fall = 0.8 - perception.asymmetric_update(np.array([0.8]), np.array([0.2]), 0.45, 0.03)[0]
    rise = perception.asymmetric_update(np.array([0.2]), np.array([0.8]), 0.45, 0.03)[0] - 0.2
    assert fall == pytest.approx(0.45 * 0.6)
    assert rise == pytest.approx(0.03 * 0.6)
    assert fall > rise > 0.0


def test_in_the_model_trust_lost_to_a_stake_returns_slowly_after_divestment():
    market = rival_stake_market(horizon_weeks=40)
    events = {**{k: v.model_dump() for k, v in market.events.items()},
              "sale": {"kind": "divestment", "week": 12, "investor": "Owner", "vendor": "Incumbent"}}
    market = build(labs={k: v.model_dump() for k, v in market.labs.items()},
                   vendors={k: v.model_dump() for k, v in market.vendors.items()},
                   investors={k: v.model_dump(exclude_none=True) for k, v in market.investors.items()},
                   events=events, behaviour=market.behaviour.model_dump(), horizon_weeks=40)
    trust = series(run(market).frames()["allocations"], "trust", lab="Rival", vendor="Incumbent")
    worst_week_fall = -np.diff(trust[:13]).min()
    best_week_rise = np.diff(trust[13:]).max()
    assert worst_week_fall > 5 * best_week_rise > 0.0
    assert trust[-1] < trust[0] - 0.05  # 28 weeks after the sale it has still not recovered


def test_a_vendor_of_modest_quality_does_not_let_a_lab_down_but_lost_neutrality_does():
    """D55: wariness counts the shortfall of trust below min(aspiration, quality): a lab that uses a neutral
    vendor of quality 0.5 (trust 0.5 = quality x neutrality) is not let down; trust that falls below what the
    vendor's quality warrants (lost neutrality) is. Without the quality reference, both would count."""
    spend = np.array([[10.0, 5.0], [10.0, 5.0]])
    quality = np.array([0.8, 0.5])
    trust = np.array([[0.8, 0.5],     # both vendors neutral: trust = quality
                      [0.3, 0.5]])    # the first vendor's neutrality is in question
    shortfall = perception.worst_shortfall(spend, trust, 0.6, quality)
    assert shortfall[0] == 0.0
    assert shortfall[1] == pytest.approx((0.6 - 0.3) / 0.6)
    assert perception.worst_shortfall(spend, trust, 0.6)[0] > 0  # the pre-D55 rule counted the modest vendor
