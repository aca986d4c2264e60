"""The served dashboard in Debian's Chromium: it loads offline, steps, plays, pauses, answers the keyboard, and
stops at the horizon with an end-of-run message.

Every test ends with ``dashboard.assert_clean()``: no console error, no request to a host other than
127.0.0.1, no asset fetched from the internet. The fixture saves a screenshot in test-results/<test>/.
"""

import re

import pytest
from dashboard_page import pick, shown_week, wait_until_week_reaches, week_heading

pytestmark = pytest.mark.browser

VIEWS = [("img", "Vendor revenue shares"), ("img", "HHI"), ("figure", "Contract network"),
         ("figure", "Trust heatmap")]


def test_page_loads_offline_with_every_view_and_named_controls(dashboard):
    page = dashboard.page
    week_heading(page, -26).wait_for()
    for role, name in VIEWS:
        page.get_by_role(role, name=re.compile(f"^{name}")).wait_for()
    page.get_by_role("group", name="Effective number of vendors").wait_for()
    page.get_by_role("list", name="Event log").wait_for()
    for name in ["Play", "Step", "Reset", "Info", "Export run (zip)", "Export charts as PNG"]:
        page.get_by_role("button", name=name, exact=True).wait_for()
    page.get_by_role("status", name="Week counter").filter(has_text="Week -26, ends at 78").wait_for()
    for leftover in ["Render Interval", "Use Threads", "Information", "Play Interval", "This website runs on Solara"]:
        assert page.get_by_text(leftover).count() == 0, leftover
    dashboard.assert_clean()


def test_step_shows_the_next_week(dashboard):
    page = dashboard.page
    page.get_by_role("button", name="Step").click()
    week_heading(page, -25).wait_for()
    page.get_by_role("img", name=re.compile("^HHI, week -25:")).wait_for()
    page.get_by_role("status", name="Week counter").filter(has_text="Week -25, ends at 78").wait_for()
    dashboard.assert_clean()


def test_play_then_pause_stops_the_weeks(dashboard):
    page = dashboard.page
    page.get_by_role("button", name="Play", exact=True).click()
    wait_until_week_reaches(page, -23)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.wait_for_timeout(700)  # a week already under way when Pause was pressed may still land
    paused_at = shown_week(page)
    page.wait_for_timeout(1_500)
    assert shown_week(page) == paused_at
    dashboard.assert_clean()


def test_space_plays_and_pauses_and_the_right_arrow_steps_and_r_resets(dashboard):
    page = dashboard.page
    page.keyboard.press("ArrowRight")
    week_heading(page, -25).wait_for()
    page.keyboard.press("ArrowRight")
    week_heading(page, -24).wait_for()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Pause").wait_for()
    wait_until_week_reaches(page, -22)
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.wait_for_timeout(700)
    paused_at = shown_week(page)
    page.wait_for_timeout(1_200)
    assert shown_week(page) == paused_at
    page.keyboard.press("r")
    week_heading(page, -26).wait_for()
    dashboard.assert_clean()


def test_the_run_stops_exactly_at_the_horizon_with_the_key_outcome(dashboard):
    page = dashboard.page
    pick(page, "Scenario", "toy")  # 40 weeks, week 0 at week 10
    page.get_by_text("Scenario toy,").wait_for()
    pick(page, "Speed", "Fastest")
    page.get_by_role("button", name="Play", exact=True).click()
    end = page.get_by_role("status", name="End of run")
    end.wait_for(timeout=60_000)
    assert re.match(r"End of run, week 30: HHI [\d,]+ with the shock and [\d,]+ without it; .+'s share \d+%",
                    end.inner_text())
    page.get_by_role("status", name="Week counter").filter(has_text="End of run: week 30").wait_for()
    page.wait_for_timeout(1_000)
    assert shown_week(page) == 30
    assert page.get_by_role("button", name="Step").is_disabled()
    assert page.get_by_role("button", name="Play", exact=True).is_disabled()
    page.get_by_role("img", name=re.compile("^HHI, week 30:")).wait_for()
    dashboard.assert_clean()

