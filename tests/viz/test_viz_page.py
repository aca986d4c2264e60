"""The rendered dashboard: Step, Reset, sliders and intervention buttons act on the model."""

import ipyvuetify as v


def test_step_advances_both_markets_and_every_view(rendered):
    rendered.click("Step")
    run = rendered.run.value
    assert run.market.week == run.twin.week == 1
    week = run.report_week(1)
    assert "<h2" in rendered.html(f"Week {week}:")
    for view in ["Vendor revenue shares", "HHI", "Contract network", "Trust heatmap"]:
        assert f"week {week}" in rendered.html(f'aria-label="{view}')


def test_a_moved_slider_changes_the_parameter_on_reset(rendered):
    rendered.control(v.Slider, "Contagion weight").v_model = 1.2
    rendered.control(v.Checkbox, "Voting stake").v_model = True
    rendered.click("Step")
    rendered.click("Reset")
    run = rendered.run.value
    assert run.week == 0
    assert run.market.behaviour.contagion_weight == 1.2
    assert run.market.market_scenario.events["meta_stake"].voting is True


def test_the_scenario_picker_switches_scenario_on_reset(rendered):
    rendered.control(v.Select, "Scenario").v_model = "toy"
    rendered.click("Reset")
    assert rendered.run.value.market.market_scenario.meta.name == "toy"


def test_announce_stake_acts_at_once_without_reset(rendered):
    for _ in range(3):
        rendered.click("Step")
    before = rendered.run.value
    rendered.control(v.Select, "Vendor").v_model = "Surge AI"
    rendered.click("Announce stake")
    run = rendered.run.value
    assert run is before and run.week == 3
    s = run.market.state
    assert s.stake[s.vendor_names.index("Surge AI"), s.investor_names.index("Meta Platforms")] > 0.4
    assert "Meta Platforms bought" in rendered.html("Event log").split("</li>")[0]
    assert "rival owner: Meta Platforms" in rendered.html("Contract network")


def test_issue_assurances_raises_the_vendors_assurance(rendered):
    s = rendered.run.value.market.state
    scale = s.vendor_names.index("Scale AI")
    before = s.assurance[scale]
    rendered.click("Issue assurances")
    assert s.assurance[scale] > before
    assert "promised" in rendered.html("Event log").split("</li>")[0]


def test_divest_sells_the_stake_and_refuses_when_there_is_none(rendered):
    for _ in range(27):  # past the scheduled stake at week 26
        rendered.click("Step")
    s = rendered.run.value.market.state
    scale, meta = s.vendor_names.index("Scale AI"), s.investor_names.index("Meta Platforms")
    assert s.stake[scale, meta] > 0
    rendered.click("Divest")
    assert s.stake[scale, meta] == 0
    rendered.click("Divest")
    assert rendered.rc.find(v.Alert).widget.children[0] == "Meta Platforms holds no stake in Scale AI: nothing to divest"


def test_fund_a_neutral_entrant_adds_a_vendor_now(rendered):
    s = rendered.run.value.market.state
    vendors, capital = s.n_vendors, s.capital_left_musd.sum()
    rendered.click("Fund a neutral entrant")
    assert s.n_vendors == vendors + 1
    assert s.vendor_names[-1].startswith("Neutral entrant")
    assert s.capital_left_musd.sum() < capital  # a fund paid for it
    assert s.vendor_names[-1] in rendered.html("Contract network")


def test_the_heatmap_switches_to_perceived_neutrality(rendered):
    assert "Trust heatmap" in rendered.html("heatmap")
    rendered.rc.find(v.BtnToggle).widget.v_model = 1  # the second button
    assert "Perceived neutrality heatmap" in rendered.html("heatmap")
