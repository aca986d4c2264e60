"""The sidebar in the browser: Reset changes nothing unless a knob moved, a bad seed is a message, and the
knobs follow the scenario picked."""

import io
import zipfile

import pandas as pd
import pytest
from dashboard_page import knob_number, pick, step_to, week_heading

from labelmarket.model.market_model import MarketModel
from labelmarket.scenarios import bundled_scenarios, load_scenario
from labelmarket.viz.parameters import knobs, scenario_value
from labelmarket.viz.typical_seed import TYPICAL_SEED

pytestmark = pytest.mark.browser


def exported_market(page) -> pd.DataFrame:
    with page.expect_download() as download:
        page.get_by_role("button", name="Export run (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    name = next(n for n in archive.namelist() if n.endswith("/market.parquet"))
    return pd.read_parquet(io.BytesIO(archive.read(name)))


def test_reset_with_untouched_knobs_reports_no_change_and_runs_the_scenarios_own_frames(dashboard):
    page = dashboard.page
    step_to(page, -24)
    page.get_by_role("button", name="Reset").click()
    week_heading(page, -26).wait_for()
    page.get_by_text(f"Scenario meta_scale_2025, seed {TYPICAL_SEED}; no knob moved").wait_for()
    assert page.get_by_text("changed:").count() == 0 and page.get_by_text("Press Reset to apply").count() == 0
    step_to(page, -20)
    own = MarketModel(load_scenario("meta_scale_2025"), rng=TYPICAL_SEED)
    for _ in range(6):
        own.step()
    pd.testing.assert_frame_equal(exported_market(page), own.frames()["market"], check_dtype=False)
    dashboard.assert_clean()


def test_a_moved_knob_is_reported_and_applies_on_reset(dashboard):
    page = dashboard.page
    slider = page.locator(".v-input", has_text="Wariness after a let-down").get_by_role("slider")
    slider.focus()
    for _ in range(10):  # ten slider steps up; → on a focused slider moves the slider, not the run
        slider.press("ArrowRight")
    page.get_by_text("Press Reset to apply: Wariness after a let-down").wait_for()
    week_heading(page, -26).wait_for()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("changed: Wariness after a let-down").wait_for()
    dashboard.assert_clean()


def test_a_non_numeric_seed_shows_a_message_and_step_still_works(dashboard):
    page = dashboard.page
    step_to(page, -25)
    seed = page.get_by_label("Seed", exact=True)
    seed.fill("abc")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Seed: 'abc' is not a whole number of 0 or more; type e.g. 25").wait_for()
    week_heading(page, -25).wait_for()  # the run carries on
    page.get_by_role("button", name="Step").click()
    week_heading(page, -24).wait_for()
    seed.fill("12")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Scenario meta_scale_2025, seed 12;").wait_for()
    dashboard.assert_clean()


def test_picking_each_bundled_scenario_sets_the_knobs_to_its_values(dashboard):
    page = dashboard.page
    for name in sorted(bundled_scenarios()):
        pick(page, "Scenario", name)
        page.get_by_text(f"Scenario {name},").wait_for()
        scenario = load_scenario(name)
        for knob in knobs():
            value = scenario_value(knob, scenario)
            control = page.locator(".v-input", has_text=knob.label).first
            if value is None:
                assert knob_number(page, knob.label) == "—"
                assert "v-input--is-disabled" in control.get_attribute("class"), (name, knob.name)
                assert page.get_by_label(f"{knob.label} value").get_attribute("title").startswith(
                    f"Not used in {name}")
            else:
                assert knob_number(page, knob.label) == knob.shown(value), (name, knob.name)
        assert page.get_by_text("changed:").count() == 0
    dashboard.assert_clean()
