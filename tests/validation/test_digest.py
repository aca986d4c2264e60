"""A run's validation digest, read from the recorder's arrays (D87), equals the same tables pivoted from the run's
frames, exactly: values, dtypes, the order of rows and columns, and their names (the (lab, vendor) pairs of the
drawdown sorted by name: the checks take their maximum, and a pivot lists them in order of appearance).

The reference below is the frame-based digest the arrays replaced; every role the patterns need (the shock, its
counterfactuals, the owner probe, the Appen precedent) and a synthetic market with entrants are compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelmarket.experiments.digest import MARKET_SERIES, digest_model, max_drawdown, shock_roles
from labelmarket.experiments.pattern_runs import pattern_runs
from labelmarket.model.market_model import MarketModel
from labelmarket.model.runner import RunSpec
from labelmarket.scenarios.synthetic import synthetic_scenario

PARTS = ("market", "inquiries", "shares", "revenue", "capacity", "active", "target_spend", "drawdown")


def pandas_drawdown(spend: pd.DataFrame) -> pd.DataFrame:
    """max_drawdown as pandas operations (the form before D87)."""
    peak = spend.cummax()
    return (1.0 - spend / peak.where(peak > 0)).fillna(0.0).clip(lower=0.0).cummax()


def digest_from_frames(model: MarketModel) -> dict[str, pd.DataFrame]:
    """The digest as the long frames give it, pivoted (the form before D87)."""
    roles = shock_roles(model.market_scenario)
    frames = model.frames(("market", "vendors", "allocations"))
    offset = roles.reference_week
    market = frames["market"].set_index(frames["market"]["week"] - offset)
    market.index.name = "rel_week"
    vendors = frames["vendors"].assign(rel_week=frames["vendors"]["week"] - offset)

    def by_vendor(column, fill):
        return vendors.pivot(index="rel_week", columns="vendor", values=column).fillna(fill)

    alloc = frames["allocations"].assign(rel_week=frames["allocations"]["week"] - offset)
    spend = alloc.pivot(index="rel_week", columns=["lab", "vendor"], values="spend_musd").fillna(0.0)
    spend = spend.loc[:, spend.max() > 0]
    target = alloc[alloc["vendor"] == roles.vendor].pivot(index="rel_week", columns="lab", values="spend_musd")
    return {"market": market[MARKET_SERIES], "inquiries": by_vendor("inquiries", 0).astype(np.int64),
            "shares": by_vendor("share", 0.0), "revenue": by_vendor("revenue_musd", 0.0),
            "capacity": by_vendor("capacity_musd", 0.0), "active": by_vendor("active", False).astype(bool),
            "target_spend": target, "drawdown": pandas_drawdown(spend)}


def assert_same_digest(model: MarketModel, seed: int) -> None:
    digest = digest_model(model, RunSpec(model.market_scenario, seed))
    reference = digest_from_frames(model)
    reference["drawdown"] = reference["drawdown"].sort_index(axis=1)  # a pivot keeps pairs in order of appearance
    for part in PARTS:
        pd.testing.assert_frame_equal(getattr(digest, part), reference[part], check_exact=True,
                                      check_index_type=True, check_column_type=True, obj=part)


ROLES = pattern_runs("meta_scale_2025")


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("seed", [1, 2])
def test_the_digest_from_arrays_equals_the_digest_from_frames(role, seed):
    model = MarketModel(ROLES[role], rng=seed)
    model.run()
    assert_same_digest(model, seed)


def test_entrants_are_absent_before_they_enter_and_sorted_among_the_vendors():
    model = MarketModel(ROLES["shock"], rng=1)
    model.run()
    assert model.state.n_vendors > len(ROLES["shock"].vendors), "the run has entrants"
    digest = digest_model(model, RunSpec(ROLES["shock"], 1))
    entrant = model.state.vendor_names[-1]
    assert list(digest.shares.columns) == sorted(model.state.vendor_names)
    assert not digest.active[entrant].iloc[0] and digest.capacity[entrant].iloc[0] == 0.0


def test_a_synthetic_market_gives_the_same_digest():
    scenario = synthetic_scenario(40, 12, 3)
    model = MarketModel(scenario, rng=3, weeks=60)
    model.run()
    assert_same_digest(model, 3)


def test_the_array_drawdown_equals_the_pandas_one_on_edge_cases():
    spend = pd.DataFrame({"a": [0.0, 0.0, 5.0, 2.0, 0.0, 7.0], "b": [3.0, 3.0, 3.0, 3.0, 3.0, 3.0],
                          "c": [1.0, 4.0, 1e-300, 4.0, 0.0, 0.0], "d": [0.0] * 6})
    pd.testing.assert_frame_equal(max_drawdown(spend), pandas_drawdown(spend), check_exact=True)
    empty = spend.iloc[:0]
    pd.testing.assert_frame_equal(max_drawdown(empty), pandas_drawdown(empty), check_exact=True)
