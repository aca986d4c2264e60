"""What a sweep keeps of each run, and how the labelmarket model is checked before a sweep starts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from labelmarket.experiments.sweep.outputs import largest_vendor, summarise_run
from labelmarket.experiments.sweep.spec import Outputs, SweepError, load_sweep
from labelmarket.experiments.sweep.targets import prepare_target


def frames():
    market = pd.DataFrame({"week": range(8), "hhi": [4000, 4000, 3900, 3000, 2600, 2400, 2300, 2450],
                           "unmet_musd": [9, 0, 1, 5, 7, 2, 0, 0.5]})
    for column in ("cr1", "cr4", "effective_vendors", "active_vendors", "entropy", "switched_musd",
                   "vc_committed_musd", "entrants"):
        market[column] = 1.0
    vendors = pd.DataFrame({"week": [1, 1, 2, 2, 6], "vendor": ["Big", "Small", "Big", "Small", "Small"],
                            "share": [0.7, 0.3, 0.6, 0.4, 1.0]})
    return market, vendors


def test_summary_statistics_count_weeks_from_the_shock():
    market, vendors = frames()
    outputs = Outputs(final_week=["hhi", "unmet_musd"], share_weeks=[0, 4, 9])
    record = summarise_run(market, vendors, reference_week=2, outputs=outputs, share_vendor="Big")
    assert record["final_hhi"] == 2450 and record["final_unmet_musd"] == 0.5
    assert record["hhi_below_2500_week"] == 3.0  # week 5 is 3 weeks after the shock at week 2
    assert record["peak_unmet_musd"] == 7.0  # the 9 at week 0 is before the shock
    assert record["share_week_0"] == 0.6
    assert record["share_week_4"] == 0.0  # Big has no row in week 6: no revenue
    assert math.isnan(record["share_week_9"])  # week 11 is past the run


def test_hhi_that_never_falls_below_the_threshold_is_nan():
    market, vendors = frames()
    record = summarise_run(market, vendors, reference_week=2, outputs=Outputs(hhi_threshold=1000), share_vendor="Big")
    assert math.isnan(record["hhi_below_1000_week"])


def test_post_shock_totals_and_the_end_state():
    market, vendors = frames()
    market["entrants"] = [1, 0, 0, 1, 0, 2, 0, 0]
    market["vc_committed_musd"] = [50.0, 0, 10, 0, 0, 5, 0, 0]
    market["switched_musd"] = [0.0, 9, 1, 2, 3, 0, 0, 4]
    record = summarise_run(market, vendors, reference_week=2, outputs=Outputs(), share_vendor="Small")
    assert record["entrants_after_shock"] == 3.0  # the entrant in week 0 came before the shock
    assert record["vc_committed_after_shock_musd"] == 15.0
    assert record["switched_after_shock_musd"] == 10.0
    assert record["final_share"] == 0.0  # Small has no row in the last week (7)
    assert set(record) >= {"final_hhi", "final_cr1", "final_effective_vendors", "final_active_vendors"}
    assert "final_unmet_musd" not in record and "final_entrants" not in record, "noise and flows are not defaults"


def test_the_week_a_labs_share_at_the_target_halves():
    market, vendors = frames()
    spend = {  # week: (Google at Big, Google elsewhere)
        0: (8.0, 2.0), 1: (8.0, 2.0), 2: (6.0, 4.0), 3: (4.0, 6.0), 4: (3.0, 7.0), 5: (5.0, 5.0), 6: (1, 9), 7: (0, 10)}
    rows = [(w, "Google", "Big", a) for w, (a, _) in spend.items()] + [(w, "Google", "Small", b) for w, (_, b) in spend.items()]
    rows += [(w, "Meta", "Big", 5.0) for w in spend]
    allocations = pd.DataFrame(rows, columns=["week", "lab", "vendor", "spend_musd"])
    record = summarise_run(market, vendors, reference_week=2, outputs=Outputs(), share_vendor="Big",
                           allocations=allocations, halving_labs=["Google", "Meta"])
    assert record["google_halved_week"] == 1.0  # 0.8 the week before the shock; 0.4 (half) first in week 3
    assert math.isnan(record["meta_halved_week"]), "Meta never leaves: censored"


def test_largest_vendor_is_taken_before_the_shock():
    _, vendors = frames()
    assert largest_vendor(vendors, before_week=2) == "Big"
    assert largest_vendor(vendors, before_week=7) == "Small"


def real_sweep(**changes):
    document = {"name": "real", "scenario": "meta_scale_2025", "design": {"method": "lhs", "samples": 4},
                "parameters": {"events.meta_stake.stake": {"bounds": [0.0, 0.49]}}}
    document.update(changes)
    return load_sweep(document, name="real.toml")


def test_the_default_share_vendor_is_the_shocked_one_and_the_run_reports_its_share():
    target = prepare_target(real_sweep(weeks=30, outputs={"share_weeks": [2]}))
    assert target.identity["share_vendor"] == "Scale AI"
    assert target.identity["reference_week"] == 26 and target.identity["weeks"] == 30
    record = target.run_point({"events.meta_stake.stake": 0.3}, 1)
    assert 0 < record["share_week_2"] < 1
    assert {"final_hhi", "peak_unmet_musd", "hhi_below_2500_week"} <= set(record)


def test_a_counterfactual_without_the_shock_reports_the_same_vendor():
    assert prepare_target(real_sweep(scenario="no_shock")).identity["share_vendor"] == "Scale AI"


def test_a_chosen_share_vendor_must_exist():
    assert prepare_target(real_sweep(outputs={"share_vendor": "Surge AI"})).identity["share_vendor"] == "Surge AI"
    with pytest.raises(SweepError, match="no vendor called 'Scale'") as caught:
        prepare_target(real_sweep(outputs={"share_vendor": "Scale"}))
    assert caught.value.field == "outputs.share_vendor" and "Scale AI" in str(caught.value)


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ({"behaviour.wariness_gian": {"bounds": [0.0, 1.0]}}, "wariness_gain"),
        ({"events.meta_stake.stake": {"bounds": [0.0, 1.5]}}, "1.5 is not usable"),
        ({"labs.Goggle.data_sensitivity": {"bounds": [0.5, 1.0]}}, "Goggle"),
    ],
)
def test_parameters_are_checked_against_the_scenario_before_any_run(parameters, words):
    with pytest.raises(SweepError) as caught:
        prepare_target(real_sweep(parameters=parameters))
    assert caught.value.field == f'parameters."{next(iter(parameters))}"'
    assert words in str(caught.value)
    assert str(caught.value).startswith("real.toml: ")


def test_share_weeks_must_fit_in_the_run():
    with pytest.raises(SweepError, match="beyond the run's 60 weeks") as caught:
        prepare_target(real_sweep(weeks=60))
    assert caught.value.field == "outputs.share_weeks" and "weeks = 78" in str(caught.value)


def test_an_unknown_scenario_is_named():
    with pytest.raises(SweepError, match="no such scenario file") as caught:
        prepare_target(real_sweep(scenario="meta_scale_2052"))
    assert caught.value.field == "scenario"
