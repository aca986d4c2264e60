"""The output contract: event kinds come from EventKind and are the kinds scheduled, a move's driver columns
hold the numbers its cause quotes, and labs.parquet accounts for every lab's budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core_markets import QUIET_VC, build, lab, rival_stake_market, run, vendor, venture
from labelmarket.model.event_log import DRIVER_COLUMNS, EventKind, LogEntry
from labelmarket.model.explain import cause
from labelmarket.model.recorder import EVENT_COLUMNS
from labelmarket.model.runner import run_scenario


@pytest.fixture(scope="module")
def shock_run():
    return run_scenario("meta_scale_2025", seed=1)


def test_every_logged_kind_is_an_event_kind(shock_run):
    assert set(shock_run.events.kind) <= {kind.value for kind in EventKind}
    assert list(shock_run.events.columns) == EVENT_COLUMNS == ["week", "kind", "actor", "target", "amount_musd",
                                                              "cause", *DRIVER_COLUMNS]


def test_a_scheduled_venture_funding_event_is_logged_as_venture_funding_and_a_funds_own_deal_as_funding():
    market = build(labs={"Buyer": lab(100.0, {"Small": 100.0})},
                   vendors={"Small": vendor(150.0, 0.8)},
                   investors={"Seed": venture(500.0)},
                   events={"round": {"kind": "venture_funding", "week": 3, "investor": "Seed", "amount_musd": 40.0,
                                     "vendor": "Small"}},
                   behaviour={**QUIET_VC, "vc_base_deal_rate_per_week": 0.5, "vc_appetite": 1.0},
                   horizon_weeks=12)
    events = run(market).frames()["events"]
    announced = events[events.kind == "venture_funding"]
    assert announced[["week", "actor", "target", "amount_musd"]].values.tolist() == [[3, "Seed", "Small", 40.0]]
    assert announced.cause.iloc[0] == "Seed invested $40M in Small (announced)"
    own = events[events.kind == "funding"]
    assert len(own) > 0 and own.cause.str.contains("sector heat").all() and own.sector_heat.notna().all()


def test_a_moves_driver_columns_hold_what_its_cause_says():
    events = run(rival_stake_market(voting=True, stake=0.49)).frames()["events"]
    moves = events[events.kind == "move"]
    rival_moves = moves[moves.actor == "Rival"]
    assert len(rival_moves) > 0
    for move in rival_moves.itertuples():
        assert f"from {move.target} to {move.destination}" in move.cause
        if move.trust < move.alarm_trust:
            assert f"trust {move.trust:.2f} < alarm {move.alarm_trust:.2f}" in move.cause
    from_incumbent = rival_moves[rival_moves.target == "Incumbent"]
    assert (from_incumbent.rival_owner == "Owner").all() and (from_incumbent.rival_stake == 0.49).all()
    assert from_incumbent.rival_voting.all() and "rival owner Owner (49% voting)" in from_incumbent.cause.iloc[0]
    assert moves.value_gap.notna().all() and moves.trust.notna().all() and moves.exposure.notna().all()


def test_the_cause_column_is_the_rendering_of_the_other_columns(shock_run):
    fields = set(LogEntry.__dataclass_fields__)
    for row in shock_run.events.itertuples(index=False):
        values = {name: getattr(row, name) for name in fields}
        values = {k: (None if v is pd.NA else v) for k, v in values.items()}
        values["other_destinations"] = -1 if values["other_destinations"] is None else values["other_destinations"]
        assert cause(LogEntry(**{**values, "kind": EventKind(row.kind)})) == row.cause


def test_labs_parquet_accounts_for_each_labs_budget(shock_run):
    placed = shock_run.allocations.groupby(["week", "lab"], sort=False).spend_musd.sum().reset_index()
    labs = shock_run.labs.merge(placed, on=["week", "lab"], how="left")
    assert len(labs) == len(shock_run.labs) == (shock_run.weeks + 1) * shock_run.labs.lab.nunique()
    # model 2.0 (D37): a paused contract is held, not spent: budget = spend + paused + unplaced
    assert np.allclose(labs.spend_musd + labs.paused_musd + labs.unplaced_musd, labs.budget_musd, rtol=1e-9)
    assert (shock_run.labs.wariness.between(0.0, 1.0)).all() and shock_run.labs.wariness.max() > 0
