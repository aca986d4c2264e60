"""The Mesa face of the model: one agent per lab, vendor and investor (entrants included), whose attributes
read the shared arrays, so that a user's own mesa.DataCollector records exactly what the recorder does."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from labelmarket.agents import Investor, Lab, Vendor
from labelmarket.model.market_model import MarketModel

SCENARIO, SEED = "toy", 10  # the toy market gains entrants in a 40-week run at this seed (model 2.0 defaults, D56)


def collected_run() -> tuple[MarketModel, mesa.DataCollector]:
    model = MarketModel(SCENARIO, rng=SEED)
    collector = mesa.DataCollector(agenttype_reporters={
        Lab: {"lab": "name", "spend_musd": "spend_musd", "trust": "trust",
              "perceived_neutrality": "perceived_neutrality", "budget_musd": "budget_musd",
              "unplaced_musd": "unplaced_musd", "wariness": "wariness"},
        Vendor: {"vendor": "name", "revenue_musd": "revenue_musd", "capacity_musd": "capacity_musd",
                 "quality": "quality", "cash_musd": "cash_musd", "active": "active"},
    })
    collector.collect(model)  # week 0, as the recorder does
    while model.running and model.week < model.horizon_weeks:
        model.step()
        collector.collect(model)
    return model, collector


@pytest.fixture(scope="module")
def run() -> tuple[MarketModel, mesa.DataCollector]:
    return collected_run()


def test_there_is_one_agent_per_lab_vendor_and_investor_entrants_included(run):
    model, _ = run
    s = model.state
    assert [a.name for a in model.agents_by_type[Lab]] == s.lab_names
    assert [a.name for a in model.agents_by_type[Investor]] == s.investor_names
    assert [a.name for a in model.agents_by_type[Vendor]] == s.vendor_names
    assert model.frames()["market"].entrants.sum() >= 1, "the test needs a run with an entrant"


def test_the_datacollectors_lab_table_equals_allocations_parquet(run):
    model, collector = run
    table = collector.get_agenttype_vars_dataframe(Lab).reset_index()
    rows = [(int(step), row.lab, vendor, spend, row.trust[vendor], row.perceived_neutrality[vendor])
            for step, row in zip(table.Step, table.itertuples()) for vendor, spend in row.spend_musd.items()]
    collected = pd.DataFrame(rows, columns=["week", "lab", "vendor", "spend_musd", "trust", "perceived_neutrality"])
    pd.testing.assert_frame_equal(collected, model.frames()["allocations"], check_exact=True)


def test_the_datacollectors_lab_and_vendor_scalars_equal_the_recorded_frames(run):
    model, collector = run
    frames = model.frames()
    labs = collector.get_agenttype_vars_dataframe(Lab).reset_index()
    assert labs.Step.astype(int).tolist() == frames["labs"].week.tolist()
    for column in ("budget_musd", "unplaced_musd", "wariness"):
        assert np.array_equal(labs[column].to_numpy(), frames["labs"][column].to_numpy()), column
    vendors = collector.get_agenttype_vars_dataframe(Vendor).reset_index()
    assert vendors.vendor.tolist() == frames["vendors"].vendor.tolist()  # the entrant appears from its entry
    for column in ("revenue_musd", "capacity_musd", "quality", "cash_musd", "active"):
        assert np.array_equal(vendors[column].to_numpy(), frames["vendors"][column].to_numpy()), column


def test_attributes_are_live_views_that_cannot_be_written():
    model = MarketModel(SCENARIO, rng=SEED)
    lab = next(iter(model.agents_by_type[Lab]))
    vendor = next(iter(model.agents_by_type[Vendor]))
    model.state.spend_musd[lab.index, vendor.index] += 1.0
    model.state.capital_left_musd[:] = 0.0
    assert lab.spend_musd[vendor.name] == model.state.spend_musd[lab.index, vendor.index]
    assert vendor.revenue_musd == model.state.spend_musd[:, vendor.index].sum()
    assert all(investor.capital_left_musd == 0.0 for investor in model.agents_by_type[Investor])
    with pytest.raises(AttributeError):
        lab.budget_musd = 1.0


def test_an_investors_stakes_and_a_vendors_owners_agree():
    model = MarketModel("meta_scale_2025", rng=SEED)
    model.run()
    held = {(inv.name, vendor): stake for inv in model.agents_by_type[Investor] for vendor, stake in inv.stakes.items()}
    owned = {(owner, v.name): stake for v in model.agents_by_type[Vendor] for owner, stake in v.owners.items()}
    assert held == owned and held
    assert held[("Meta Platforms", "Scale AI")] == pytest.approx(0.49)
