"""The inspector's profiles read the Mesa agents and the recorded frames, and agree with the market."""

import numpy as np
import pytest

from labelmarket.viz.inspector import history_svg, partner_table_html
from labelmarket.viz.readings import profile
from labelmarket.viz.run import ClassroomRun


@pytest.fixture(scope="module")
def run():
    run = ClassroomRun()
    for _ in range(30):
        run.step()
    return run


def test_a_labs_profile_is_its_row_of_the_market(run):
    s = run.market.state
    found = profile(run.market, "Google")
    i = s.lab_names.index("Google")
    assert found.kind == "lab" and ("Budget", f"${s.budget_musd[i]:,.0f}M/yr") in found.now
    scale = found.by_partner.set_index("vendor").loc["Scale AI"]
    j = s.vendor_names.index("Scale AI")
    assert scale.trust == pytest.approx(s.trust[i, j]) and scale.spend_musd == pytest.approx(s.spend_musd[i, j])
    assert list(found.history.index) == list(range(31))
    assert found.history.spend_musd.iloc[-1] == pytest.approx(s.spend_musd[i].sum())


def test_a_vendors_profile_has_its_owners_and_each_labs_view(run):
    s = run.market.state
    found = profile(run.market, "Scale AI")
    j = s.vendor_names.index("Scale AI")
    assert dict(found.now)["Owners"].startswith("Meta Platforms 49%")
    assert np.allclose(found.by_partner.perceived_neutrality, s.perceived_neutrality[:, j])
    assert found.history.share.iloc[-1] == pytest.approx(run.market.market_shares()["Scale AI"])
    assert found.history.trust.iloc[0] > found.history.trust.iloc[-1]  # the shock cost it trust


def test_an_unknown_name_has_no_profile(run):
    assert profile(run.market, "Nobody Inc") is None


def test_the_inspector_draws_the_history_and_the_table(run):
    found = profile(run.market, "Scale AI")
    assert 'aria-label="History of Scale AI, week 4"' in history_svg(run, found)
    assert history_svg(run, found).count("<polyline") == 3
    assert partner_table_html(found).count("<tr") == run.market.state.n_labs + 1
