"""Scheduled events and live interventions (model/events.py, MarketModel.apply)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core_markets import QUIET_VC, build, index, lab, rival_stake_market, run, series, strategic, vendor
from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.schema import Assurance, Divestment, Entry, LeadershipDeparture, OwnershipChange


def _market(events: dict | None = None, horizon_weeks: int = 20):
    return build(labs={"Acquirer": lab(100.0, {"Target": 50.0, "Other": 50.0}, {"Rival": 1.0}),
                       "Rival": lab(100.0, {"Target": 60.0, "Other": 40.0}, {"Acquirer": 1.0})},
                 vendors={"Target": vendor(250.0), "Other": vendor(250.0)},
                 investors={"Arm": strategic("Acquirer")}, events=events or {},
                 behaviour=QUIET_VC, horizon_weeks=horizon_weeks)


def test_a_scheduled_event_acts_in_its_week_and_not_before():
    model = MarketModel(_market({"deal": {"kind": "ownership_change", "week": 5, "investor": "Arm",
                                          "vendor": "Target", "stake": 0.3, "voting": False}}), rng=1)
    for week in range(1, 8):
        model.step()
        assert model.state.stake[0, 0] == (0.3 if week >= 5 else 0.0), week
    log = model.frames()["events"]
    assert log.query("kind == 'ownership_change'").week.tolist() == [5]


def test_an_event_scheduled_at_week_zero_is_applied():
    model = run(_market({"deal": {"kind": "ownership_change", "week": 0, "investor": "Arm", "vendor": "Target",
                                  "stake": 0.3, "voting": False}}))
    assert model.state.stake[0, 0] == pytest.approx(0.3)


def test_disabled_events_do_not_happen():
    model = run(_market({"deal": {"kind": "ownership_change", "week": 3, "investor": "Arm", "vendor": "Target",
                                  "stake": 0.3, "voting": False, "enabled": False}}))
    assert model.state.stake.sum() == 0.0
    assert model.frames()["events"].query("kind == 'ownership_change'").empty


def test_a_non_voting_assurance_strips_existing_votes_and_a_firewall_adds_up():
    model = MarketModel(_market(), rng=1)
    s = model.state
    model.apply(OwnershipChange(kind="ownership_change", week=0, investor="Arm", vendor="Target", stake=0.3,
                                voting=True))
    model.apply(Assurance(kind="assurance", week=0, vendor="Target", promise="data_firewall", strength=0.5))
    assert s.voting[0, 0] and s.assurance[0] == pytest.approx(0.5)
    model.apply(Assurance(kind="assurance", week=0, vendor="Target", promise="non_voting", strength=0.5))
    assert not s.voting[0, 0]
    assert s.assurance[0] == pytest.approx(1 - 0.5 * 0.5)  # independent promises combine


def test_leaders_who_join_a_rival_lower_quality_and_raise_the_rivals_exposure():
    model = MarketModel(_market(), rng=1)
    model.apply(LeadershipDeparture(kind="leadership_departure", week=0, vendor="Target", to="Acquirer",
                                    talent_share=0.2))  # the lab's name stands for its strategic arm
    model.step()
    s = model.state
    rival, acquirer = index(model, "Rival"), index(model, "Acquirer")
    assert s.talent[0] < 0.8 and s.departed_talent[0, 0] == pytest.approx(0.2)
    assert s.exposure[rival, 0] > 0.0 and s.exposure[acquirer, 0] == 0.0
    assert s.exposure[:, 1].sum() == 0.0


def test_an_entry_adds_a_vendor_everywhere():
    model = MarketModel(_market(), rng=1)
    model.step()
    model.apply(Entry(kind="entry", week=0, vendor="Newcomer", capacity_musd=40.0, quality=0.9, cash_musd=30.0))
    model.state.check_shapes()
    model.run()
    frames = model.frames()
    newcomer = frames["vendors"].query("vendor == 'Newcomer'")
    assert newcomer.week.min() == 2 and newcomer.week.max() == 20  # recorded from the next week's row on
    assert set(frames["allocations"].query("week == 20").vendor) == {"Target", "Other", "Newcomer"}
    entry = frames["events"].query("kind == 'entry'")
    # applied between weeks 1 and 2: logged, and counted as an entrant, in week 2, the first week it acts on
    assert entry.actor.tolist() == ["Newcomer"] and entry.week.tolist() == [2]
    assert frames["market"].set_index("week").entrants.to_dict() == {w: int(w == 2) for w in range(21)}


def test_a_divestment_event_restores_neutrality_slowly():
    events = {"deal": {"kind": "ownership_change", "week": 2, "investor": "Arm", "vendor": "Target",
                       "stake": 0.49, "voting": True},
              "sale": {"kind": "divestment", "week": 8, "investor": "Arm", "vendor": "Target"}}
    model = run(_market(events, horizon_weeks=20))
    assert model.state.stake.sum() == 0.0
    neutrality = series(model.frames()["allocations"], "perceived_neutrality", lab="Rival", vendor="Target")
    assert neutrality[7] < 0.5 and neutrality[8] < neutrality[9] < neutrality[20]


# ------------------------------------------------------------------------------------ live interventions
def test_a_live_event_changes_the_trajectory_without_a_reset():
    market = rival_stake_market(week=30, horizon_weeks=30)  # nothing scheduled inside the first 29 weeks
    plain, treated = MarketModel(market, rng=3), MarketModel(market, rng=3)
    for model in (plain, treated):
        for _ in range(6):
            model.step()
    treated.apply(OwnershipChange(kind="ownership_change", week=0, investor="Owner", vendor="Incumbent",
                                  stake=0.49, voting=True))
    assert treated.week == 6
    for model in (plain, treated):
        for _ in range(10):
            model.step()
    a, b = plain.frames(), treated.frames()
    early = slice(None, 7)
    pd.testing.assert_frame_equal(a["market"].iloc[early], b["market"].iloc[early])
    assert not a["market"].iloc[7:].equals(b["market"].iloc[7:])
    live = b["events"].query("kind == 'ownership_change'")
    assert live.week.tolist() == [7]  # applied after week 6 was recorded: it acts on, and is logged in, week 7
    rival = series(b["allocations"], "spend_musd", lab="Rival", vendor="Incumbent")
    assert rival[-1] < series(a["allocations"], "spend_musd", lab="Rival", vendor="Incumbent")[-1]
    assert b["market"].week.tolist() == list(range(17))


@pytest.mark.parametrize("event, words", [
    (OwnershipChange(kind="ownership_change", week=0, investor="Owner", vendor="Nobody", stake=0.1, voting=False),
     "unknown vendor 'Nobody'"),
    (OwnershipChange(kind="ownership_change", week=0, investor="Ghost", vendor="Incumbent", stake=0.1,
                     voting=False), "unknown investor 'Ghost'"),
    (Assurance(kind="assurance", week=0, vendor="Nobody", strength=0.5), "unknown vendor"),
    (Divestment(kind="divestment", week=0, investor="Ghost", vendor="Incumbent"), "unknown investor"),
    (LeadershipDeparture(kind="leadership_departure", week=0, vendor="Incumbent", to="Bystander",
                         talent_share=0.1), "neither a strategic investor"),
    (Entry(kind="entry", week=0, vendor="Incumbent", capacity_musd=1.0, quality=0.5, cash_musd=1.0),
     "already exists"),
])
def test_a_live_event_with_a_bad_name_raises_value_error_and_changes_nothing(event, words):
    model = MarketModel(rival_stake_market(), rng=1)
    model.step()
    stake, spend = model.state.stake.copy(), model.state.spend_musd.copy()
    with pytest.raises(ValueError, match=words):
        model.apply(event)
    np.testing.assert_array_equal(model.state.stake, stake)
    np.testing.assert_array_equal(model.state.spend_musd, spend)
    assert model.frames()["events"].query("kind != 'move' and kind != 'funding'").empty
