"""The core invariants hold week by week on a large-ish synthetic market (300 labs x 60 vendors x 30 weeks,
with the shock at week 10): money is conserved, nothing is NaN or negative, shares and stakes stay in range.
No timing is asserted here; speed is measured by ``python -m labelmarket.benchmarks``."""

from __future__ import annotations

import numpy as np
import pytest

from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.synthetic import synthetic_scenario

LABS, VENDORS, WEEKS, SHOCK_WEEK = 300, 60, 30, 10


@pytest.fixture(scope="module")
def weekly_states():
    """The model after every week, as copies of the arrays the invariants read, plus the frames."""
    scenario = synthetic_scenario(LABS, VENDORS, seed=5, horizon_weeks=WEEKS, reference_week=SHOCK_WEEK)
    model = MarketModel(scenario, rng=11)
    snapshots = []
    while model.running and model.week < model.horizon_weeks:
        model.step()
        s = model.state
        snapshots.append({
            "week": model.week, "spend": s.spend_musd.copy(), "unplaced": s.unplaced_musd.copy(),
            "paused": s.paused_musd.copy(),
            "budget": s.budget_musd.copy(), "trust": s.trust.copy(), "neutrality": s.perceived_neutrality.copy(),
            "exposure": s.exposure.copy(), "capacity": s.capacity_musd.copy(), "cash": s.cash_musd.copy(),
            "stake": s.stake.copy(), "active": s.active.copy(), "quality": s.quality.copy(),
            "target": s.target_share.copy(), "capital_left": s.capital_left_musd.copy()})
    return scenario, model, snapshots


def test_the_market_runs_its_horizon_and_the_shock_happens(weekly_states):
    scenario, model, snapshots = weekly_states
    assert len(snapshots) == WEEKS
    events = model.frames()["events"]
    assert (events["kind"] == "ownership_change").sum() == 1
    assert events.loc[events["kind"] == "ownership_change", "week"].item() == SHOCK_WEEK


def test_spend_is_conserved_every_week(weekly_states):
    """Each lab's allocations plus its paused contracts (model 2.0, D37: held, not spent) plus its unplaced money
    equal its budget."""
    for snap in weekly_states[2]:
        np.testing.assert_allclose(snap["spend"].sum(axis=1) + snap["paused"].sum(axis=1) + snap["unplaced"],
                                   snap["budget"],
                                   rtol=1e-9, atol=1e-9, err_msg=f"week {snap['week']}")


def test_nothing_is_nan_or_negative(weekly_states):
    for snap in weekly_states[2]:
        for name in ("spend", "unplaced", "budget", "trust", "neutrality", "exposure", "capacity", "stake",
                     "quality", "target", "capital_left"):
            values = snap[name]
            assert np.isfinite(values).all(), f"{name} not finite at week {snap['week']}"
            assert (values >= -1e-12).all(), f"{name} negative at week {snap['week']}"
        assert np.isfinite(snap["cash"]).all()
        assert (snap["cash"][snap["active"]] >= 0).all(), "an active vendor with negative cash"


def test_shares_stakes_and_perceptions_stay_in_range(weekly_states):
    for snap in weekly_states[2]:
        for name in ("trust", "neutrality", "exposure", "quality"):
            assert snap[name].max() <= 1.0 + 1e-12, f"{name} above 1 at week {snap['week']}"
        assert (snap["stake"].sum(axis=1) <= 1.0 + 1e-9).all()
        # a target split sums to 1 (or 0: no allowed vendor), less any part at a vendor that just left
        assert (snap["target"].sum(axis=1) <= 1.0 + 1e-9).all(), "a target split above 100 %"
        assert (snap["spend"][:, ~snap["active"]] == 0).all(), "spend at a vendor that left"


def test_recorded_frames_agree_with_the_state(weekly_states):
    scenario, model, snapshots = weekly_states
    frames = model.frames()
    assert scenario.record.allocations, "this size keeps the labs x vendors frame"
    last = frames["allocations"].query("week == @WEEKS")
    np.testing.assert_allclose(last.groupby("lab", sort=False)["spend_musd"].sum().to_numpy()
                               + snapshots[-1]["paused"].sum(axis=1) + snapshots[-1]["unplaced"],
                               snapshots[-1]["budget"], rtol=1e-9)
    market = frames["market"]
    assert len(market) == WEEKS + 1
    assert market[["hhi", "cr1", "cr4", "unmet_musd", "switched_musd"]].notna().all().all()
    assert ((market["hhi"] > 0) & (market["hhi"] <= 10_000)).all()
    weekly_shares = frames["vendors"].groupby("week")["share"].sum()
    np.testing.assert_allclose(weekly_shares.to_numpy(), 1.0, rtol=1e-9)
