"""'Labs perceive' runs as one compiled loop (D79): it must give the same bits as the numpy statement of the rule.

The reference below is the numpy form ``labelmarket.agents.lab.perceive`` had before the kernel, line for line:
the helpers of ``labelmarket.agents.perception`` and ``labelmarket.agents.lab.trust_anchor``. Both run on copies
of a real market's state, scrambled with random values and with the edge cases where a comparison decides
(spend exactly 0 and slightly negative, trust exactly at the alarm level, quality exactly at the aspiration, an
exposure jump exactly at the breach threshold, signed zeros, NaN), over inputs drawn by hypothesis
(derandomised); every array the rule writes must match bit for bit (-0.0 is not 0.0).
"""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings, strategies as st

from labelmarket.agents import lab as lab_rules
from labelmarket.agents import perception, perception_kernel
from labelmarket.model.market_model import MarketModel
from labelmarket.model.state import LAB_VENDOR_FIELDS, MarketState
from labelmarket.scenarios.behaviour import Behaviour
from labelmarket.scenarios.synthetic import synthetic_scenario

EXAMPLES = settings(derandomize=True, max_examples=60, deadline=None)
WRITTEN = ("exposure", "perceived_neutrality", "trust", "expected_quality", "breach", "withdrawn_musd", "wariness",
           "review_now")


def numpy_perceive(s: MarketState, b: Behaviour) -> None:
    """lab.perceive as numpy expressions (the rule before D79), the specification the kernel must meet."""
    exposure_before = s.exposure
    s.exposure = perception.conflict_exposure(
        s.data_sensitivity, s.rivalry, s.stake, s.voting, s.departed_talent, s.assurance,
        stake_weight=b.stake_weight, voting_weight=b.voting_weight, talent_weight=b.talent_weight,
        assurance_efficacy=b.assurance_efficacy)
    anchor = np.clip(1.0 - s.exposure, 0.0, 1.0)
    s.perceived_neutrality = perception.anchored_update(s.perceived_neutrality, anchor,
                                                        b.neutrality_rate_per_week)
    before = s.trust
    s.trust = perception.asymmetric_update(before, lab_rules.trust_anchor(s, b, exposure_before),
                                           b.trust_fall_rate_per_week, b.trust_recovery_rate_per_week)
    betrayal = perception.worst_shortfall(s.spend_musd, s.trust, b.aspiration_trust, s.quality)
    s.wariness = np.maximum(s.wariness * (1.0 - 1.0 / b.wariness_memory_weeks), betrayal)
    alarm = s.alarm_trust[:, None]
    crossed = (before >= alarm) & (s.trust < alarm) & (s.spend_musd > 0) & s.active[None, :]
    s.review_now |= crossed.any(axis=1)
    s.withdrawn_musd *= 1.0 - 1.0 / b.exit_memory_weeks


def assert_same_bits(kernel: MarketState, reference: MarketState) -> None:
    for name in WRITTEN:
        got, want = getattr(kernel, name), getattr(reference, name)
        assert got.shape == want.shape and got.dtype == want.dtype, name
        differs = np.argwhere(got.view(np.uint8) != want.view(np.uint8))[:3]
        assert got.tobytes() == want.tobytes(), f"{name} differs (bytes {differs.tolist()})"


_MODELS: dict[int, MarketModel] = {}


def market(seed: int) -> MarketModel:
    """A small synthetic market (strategic owners, rivals, a stake bought at week 26) run 30 weeks: a state the
    model really reaches (the stake is set at once so that exposure is not zero). Built once per seed."""
    if seed not in _MODELS:
        model = MarketModel(synthetic_scenario(40, 12, seed), rng=seed, weeks=30)
        model.run()
        _MODELS[seed] = model
    return _MODELS[seed]


def scrambled(seed: int, edges: bool, rng: np.random.Generator) -> MarketState:
    """A copy of a market's state with random perceptions, stakes and spend, and (``edges``) the boundary cases."""
    s = copy.deepcopy(market(seed).state)
    L, V = s.trust.shape
    s.stake = np.where(rng.random(s.stake.shape) < 0.3, rng.uniform(0.0, 0.6, s.stake.shape), 0.0)
    s.voting = rng.random(s.stake.shape) < 0.5
    s.departed_talent = np.where(rng.random(s.stake.shape) < 0.1, rng.uniform(0.0, 0.3, s.stake.shape), 0.0)
    s.assurance = np.where(rng.random(V) < 0.3, rng.uniform(0.0, 1.0, V), 0.0)
    s.exposure = np.where(rng.random((L, V)) < 0.5, rng.uniform(0.0, 1.0, (L, V)), 0.0)
    s.spend_musd = np.where(rng.random((L, V)) < 0.4, rng.uniform(0.0, 50.0, (L, V)), 0.0)
    s.notice_musd = np.where(rng.random((L, V)) < 0.2, rng.uniform(0.0, 5.0, (L, V)), 0.0)
    for name in ("trust", "perceived_neutrality", "expected_quality", "breach"):
        setattr(s, name, rng.uniform(0.0, 1.0, (L, V)))
    s.quality = rng.uniform(0.3, 1.0, V)
    s.active = rng.random(V) < 0.9
    s.wariness = rng.uniform(0.0, 0.5, L)
    s.review_now = rng.random(L) < 0.1
    if edges:
        cell = rng.random((L, V))
        alarm = np.broadcast_to(s.alarm_trust[:, None], (L, V))
        s.trust = np.where(cell < 0.15, alarm, s.trust)                       # trust exactly at the alarm level
        s.trust = np.where(cell > 0.97, -0.0, s.trust)
        s.spend_musd = np.where((cell > 0.15) & (cell < 0.2), -1e-16, s.spend_musd)  # notice arithmetic's residue
        s.quality[rng.random(V) < 0.3] = 0.6                                  # at the aspiration of 0.6
        s.expected_quality = np.where(cell < 0.3, s.quality[None, :], s.expected_quality)
        s.exposure = np.where((cell > 0.3) & (cell < 0.35), -0.0, s.exposure)
        s.breach = np.where((cell > 0.4) & (cell < 0.5), 0.0, s.breach)
        s.perceived_neutrality = np.where((cell > 0.5) & (cell < 0.55), -0.0, s.perceived_neutrality)
        s.wariness[rng.random(L) < 0.3] = 0.0
    return s


def behaviour(seed: int, experience: bool, breach: bool, aspiration: float) -> Behaviour:
    return market(seed).behaviour.model_copy(update=dict(
        experience_weight=0.7 if experience else 0.0, experience_rate_per_week=0.2,
        breach_weight=0.5 if breach else 0.0, breach_threshold=0.05, breach_memory_weeks=52.0,
        aspiration_trust=aspiration))


@EXAMPLES
@given(seed=st.integers(1, 2), draw=st.integers(0, 2**32 - 1), experience=st.booleans(), breach=st.booleans(),
       edges=st.booleans(), aspiration=st.sampled_from([0.6, 0.0, 1.0]))
def test_the_kernel_gives_the_bits_of_the_numpy_rule(seed, draw, experience, breach, edges, aspiration):
    rng = np.random.default_rng(draw)
    b = behaviour(seed, experience, breach, aspiration)
    kernel = scrambled(seed, edges, rng)
    reference = copy.deepcopy(kernel)
    lab_rules.perceive(kernel, b)
    numpy_perceive(reference, b)
    assert_same_bits(kernel, reference)


def test_a_breach_jump_exactly_at_the_threshold_and_trust_exactly_at_alarm_are_decided_as_numpy_does():
    """Exposure rises by exactly the breach threshold (not a breach: jump > threshold) or just above it, and
    trust sits exactly at the alarm level, falling below it or staying there."""
    seed = 1
    b = behaviour(seed, True, True, 0.6)
    kernel = scrambled(seed, True, np.random.default_rng(3))
    new_exposure = perception.conflict_exposure(
        kernel.data_sensitivity, kernel.rivalry, kernel.stake, kernel.voting, kernel.departed_talent,
        kernel.assurance, stake_weight=b.stake_weight, voting_weight=b.voting_weight, talent_weight=b.talent_weight,
        assurance_efficacy=b.assurance_efficacy)
    at = np.abs(new_exposure - 0.5) < 0.5  # cells whose exposure can drop by the threshold from below
    kernel.exposure = np.where(at, new_exposure - b.breach_threshold, kernel.exposure)
    kernel.exposure[:, ::2] = np.nextafter(kernel.exposure[:, ::2], -1.0)  # half of them: just above threshold
    assert ((new_exposure - kernel.exposure) == b.breach_threshold).any()
    reference = copy.deepcopy(kernel)
    lab_rules.perceive(kernel, b)
    numpy_perceive(reference, b)
    assert_same_bits(kernel, reference)
    assert kernel.breach.any() and kernel.review_now.any()


def test_nan_propagates_as_in_numpy():
    b = behaviour(1, True, True, 0.6)
    kernel = scrambled(1, False, np.random.default_rng(5))
    kernel.trust[0, :] = np.nan
    kernel.expected_quality[1, :] = np.nan
    kernel.breach[2, :] = np.nan
    kernel.wariness[3] = np.nan
    reference = copy.deepcopy(kernel)
    lab_rules.perceive(kernel, b)
    numpy_perceive(reference, b)
    assert_same_bits(kernel, reference)


def test_whole_runs_with_experience_and_breaches_match_the_numpy_rule(monkeypatch):
    """Two runs of the same market, one perceiving through the kernel and one through the numpy rule, hold the
    same state every week (the frames digests pin the bundled scenarios; this adds a market with both model 2.0
    terms on and stakes that breach)."""
    base = synthetic_scenario(60, 15, 4)
    scenario = base.model_copy(update={"behaviour": base.behaviour.model_copy(
        update=dict(experience_weight=0.7, breach_weight=0.5, breach_threshold=0.01))})
    kernel, reference = MarketModel(scenario, rng=4, weeks=40), MarketModel(scenario, rng=4, weeks=40)
    for _ in range(40):
        kernel.step()
        with monkeypatch.context() as patch:
            patch.setattr(lab_rules, "perceive", numpy_perceive)
            reference.step()
        for name in LAB_VENDOR_FIELDS:
            assert getattr(kernel.state, name).tobytes() == getattr(reference.state, name).tobytes(), name
        assert_same_bits(kernel.state, reference.state)
    assert reference.state.breach.any() and reference.state.wariness.any()


def test_the_model_calls_the_kernel_with_one_type_only():
    """Another argument type (an int rate, a strided or read-only array) would compile again mid-run; the
    dashboard's warm-up (compile_perceive) prepares the model's type."""
    perception_kernel.compile_perceive()
    MarketModel("meta_scale_2025", rng=1, weeks=30).run()
    MarketModel(synthetic_scenario(100, 70, 1), rng=1, weeks=8).run()
    assert len(perception_kernel.perceive_cells.signatures) == 1, perception_kernel.perceive_cells.signatures
