"""The contract_end event (model/events.py): a buyer ends its contract with one vendor, no ownership change."""

from __future__ import annotations

import pytest

from core_markets import QUIET_VC, build, lab, vendor
from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios.errors import ScenarioError
from labelmarket.scenarios.schema import ContractEnd


def _market(share: float = 1.0, lab_name: str = "Buyer", week: int = 4):
    return build(labs={"Buyer": lab(100.0, {"Small": 30.0, "Big": 50.0, "Mid": 20.0}),
                       "Peer": lab(100.0, {"Small": 40.0, "Big": 60.0})},
                 vendors={"Small": vendor(90.0), "Big": vendor(300.0), "Mid": vendor(200.0)},
                 events={"ends": {"kind": "contract_end", "week": week, "lab": lab_name, "vendor": "Small",
                                  "share": share}},
                 behaviour={**QUIET_VC, "routine_inquiries": 0.0}, horizon_weeks=20)


def _spend(model: MarketModel, lab_name: str, vendor_name: str) -> float:
    s = model.state
    return float(s.spend_musd[s.lab_names.index(lab_name), s.vendor_names.index(vendor_name)])


def test_a_full_contract_end_moves_the_spend_to_the_other_vendors_and_it_stays_away():
    model = MarketModel(_market(), rng=1)
    for _ in range(3):
        model.step()
    assert _spend(model, "Buyer", "Small") == pytest.approx(30.0)
    model.step()  # week 4: the contract ends, the buyer reviews and re-places the money by its own split
    assert _spend(model, "Buyer", "Small") == 0.0
    s, i = model.state, model.state.lab_names.index("Buyer")
    assert s.spend_musd[i].sum() + s.unplaced_musd[i] == pytest.approx(100.0)  # money is conserved
    assert s.spend_musd[i].sum() == pytest.approx(100.0)  # the others had room: all of it is re-placed
    assert _spend(model, "Buyer", "Big") > 50.0 and _spend(model, "Buyer", "Mid") > 20.0
    model.run()
    assert _spend(model, "Buyer", "Small") == 0.0  # no inquiry (routine_inquiries = 0) brings it back
    log = model.frames()["events"].query("kind == 'contract_end'")
    assert log[["week", "actor", "target"]].values.tolist() == [[4, "Buyer", "Small"]]
    assert log.amount_musd.iloc[0] == pytest.approx(30.0)


def test_a_partial_end_cuts_that_share_in_its_week_and_peers_see_the_withdrawal():
    model = MarketModel(_market(share=0.5), rng=1)
    for _ in range(3):
        model.step()
    model.apply(ContractEnd(kind="contract_end", week=4, lab="Buyer", vendor="Small", share=0.5))
    s = model.state
    i, j = s.lab_names.index("Buyer"), s.vendor_names.index("Small")
    assert s.spend_musd[i, j] == pytest.approx(15.0)
    assert s.unplaced_musd[i] == pytest.approx(15.0)
    assert s.withdrawn_musd[i, j] == pytest.approx(15.0)  # the peer-exit signal of 7.2.2
    assert s.review_now[i] and not s.review_now[s.lab_names.index("Peer")]


def test_a_contract_end_naming_an_unknown_lab_is_a_scenario_error():
    with pytest.raises(ScenarioError, match=r"events\.ends\.lab.*unknown lab 'Nobody'"):
        _market(lab_name="Nobody")
