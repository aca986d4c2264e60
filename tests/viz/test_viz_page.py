"""The rendered dashboard: keys step and reset, the sidebar follows the scenario, interventions act at once."""

import time

import ipyvuetify as v
import pytest
import solara

from labelmarket.scenarios import bundled_scenarios, load_scenario
from labelmarket.viz.parameters import knobs, scenario_value
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.transport import SPEEDS, TransportBar, use_transport


def test_step_advances_every_view(rendered):
    rendered.press_button("Step")
    assert rendered.week() == -25
    for view in ["Vendor revenue shares", "HHI", "Contract network", "Trust heatmap"]:
        assert "week -25" in rendered.html(f'aria-label="{view}')


def test_reset_with_untouched_knobs_reports_no_change(rendered):
    for slider in rendered.rc.find(v.Slider).widgets:  # what a browser slider sends back: its snapped value
        slider.v_model = round(slider.v_model / slider.step) * slider.step
    rendered.press_button("Step")
    rendered.press_button("Reset")
    assert rendered.week() == -26
    assert "no knob moved" in rendered.html("<h2 style") and "Press Reset" not in str(rendered.rc.find(v.Alert).widgets)


def test_a_moved_slider_changes_the_parameter_on_reset_and_says_so(rendered):
    rendered.control(v.Slider, "Wariness after a let-down").v_model = 1.2
    assert "Press Reset to apply: Wariness after a let-down 1.2" in rendered.rc.find(v.Alert).widget.children[0]
    rendered.press_button("Reset")
    assert "changed: Wariness after a let-down 1.2" in rendered.html("<h2 style")


def test_a_bad_seed_shows_a_message_and_the_run_carries_on(rendered):
    rendered.press("step")
    rendered.control(v.TextField, "Seed").v_model = "abc"
    rendered.press_button("Reset")
    assert rendered.control(v.TextField, "Seed").messages == [
        "Seed: 'abc' is not a whole number of 0 or more; type e.g. 25"]
    assert rendered.week() == -25  # not reset
    rendered.press_button("Step")
    assert rendered.week() == -24


def test_the_keys_step_play_and_reset(rendered):
    rendered.press("step")
    assert rendered.week() == -25
    rendered.press("play")
    rendered.rc.find(v.Btn, attributes={"aria-label": "Pause"}).assert_single()
    rendered.press("play")
    rendered.rc.find(v.Btn, attributes={"aria-label": "Play"}).assert_single()
    rendered.press("reset")
    assert rendered.week() == -26


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_picking_a_scenario_starts_it_and_sets_the_knobs_to_its_values(rendered, name):
    rendered.control(v.Select, "Scenario").v_model = name
    scenario = load_scenario(name)
    assert f"Scenario {name}," in rendered.html("<h2 style")
    for knob in knobs():
        value = scenario_value(knob, scenario)
        control = rendered.control(v.Checkbox if knob.is_switch else v.Slider, knob.label)
        assert control.disabled == (value is None), knob.name
        if value is not None:
            assert control.v_model == value, knob.name
            assert rendered.labelled(f"{knob.label} value") == knob.shown(value)


def test_announce_stake_acts_at_once_without_reset(rendered):
    for _ in range(3):
        rendered.press("step")
    rendered.control(v.Select, "Vendor").v_model = "Surge AI"
    rendered.click("Announce stake")
    assert rendered.week() == 0  # a stake before the scheduled one is the first shock: week 0 moves to it
    assert "Surge AI&#x27;s share" in rendered.html("<h2 style")
    assert "Meta Platforms bought" in rendered.html('aria-label="Event log"').split("</li>")[0]
    assert "owner: Meta Platforms" in rendered.html("Contract network")
    rendered.click("Announce stake")
    assert "already announced a stake in Surge AI this week" in rendered.rc.find(v.Alert).widget.children[0]


def test_the_heatmap_switches_to_perceived_neutrality(rendered):
    assert "Trust heatmap" in rendered.html("heatmap, vendors by labs")
    toggle = [w for w in rendered.rc.find(v.BtnToggle).widgets if "Perceived neutrality" in str(w.children)]
    toggle[0].v_model = 1
    assert "Perceived neutrality heatmap" in rendered.html("heatmap, vendors by labs")


@solara.component
def BarAlone(holder: dict):
    transport = use_transport(lambda: ClassroomRun("toy"))
    holder["transport"] = transport
    TransportBar(transport, on_reset=lambda: transport.replace(ClassroomRun("toy")))


def bar_button(rc, name):
    return rc.find(v.Btn, attributes={"aria-label": name})


def test_play_runs_to_the_horizon_and_stops_there():
    holder = {}
    _, rc = solara.render(BarAlone(holder), handle_error=False)
    transport = holder["transport"]
    transport.speed.set("Fastest")
    bar_button(rc, "Play").widget.click()
    bar_button(rc, "Pause").assert_single()
    deadline = time.monotonic() + 30
    while not transport.run.value.at_end and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(3 / SPEEDS["Fastest"])
    run = transport.run.value
    assert run.week == run.horizon_weeks == 40 and not transport.playing.value
    assert bar_button(rc, "Play").widget.disabled and bar_button(rc, "Step").widget.disabled
    assert any(w.unsafe_innerHTML == "End of run: week 30" for w in rc.find(solara.widgets.HTML).widgets)
    bar_button(rc, "Reset").widget.click()
    assert transport.run.value.week == 0
    rc.close()


def test_the_slowest_speed_is_half_a_week_a_second():
    assert min(SPEEDS.values()) == 0.5 and all("week" in words or words == "Fastest" for words in SPEEDS)
