"""Hand-fired shocks in the browser: the first one is week 0 and the log agrees; nonsense clicks are refused."""

import re

import pytest
from dashboard_page import pick, shown_week, step_to, week_heading

pytestmark = pytest.mark.browser


def newest_log_item(page):
    return page.get_by_role("list", name="Event log").get_by_role("listitem").first


def test_a_hand_fired_stake_in_no_shock_makes_the_heading_count_from_it(dashboard):
    page = dashboard.page
    pick(page, "Scenario", "no_shock")
    page.get_by_text("Scenario no_shock,").wait_for()
    step_to(page, -15)
    page.get_by_role("heading", name="Week -15: no shock in this run (yet)").wait_for()
    pick(page, "Vendor", "Surge AI")
    page.get_by_role("button", name="Announce stake").click()
    page.get_by_role("heading", name="Week 0: the week of the shock").wait_for()
    newest_log_item(page).filter(has_text="Week 0 — Meta Platforms bought a 49% non-voting stake in Surge AI").wait_for()
    pinned = page.get_by_role("list", name="Pinned shock")
    assert "Week 0 — Meta Platforms bought a 49% non-voting stake in Surge AI" in pinned.inner_text()
    page.get_by_role("group", name="Surge AI's share").wait_for()  # the key figure follows the target
    page.get_by_role("button", name="Step").click()
    week_heading(page, 1).wait_for()
    page.get_by_role("img", name=re.compile("^HHI, week 1:")).wait_for()
    dashboard.assert_clean()


def test_a_stake_past_100_percent_and_repeat_clicks_are_refused(dashboard):
    page = dashboard.page
    pick(page, "Scenario", "no_shock")
    page.get_by_text("Scenario no_shock,").wait_for()
    pick(page, "Vendor", "Scale AI")
    announce = page.get_by_role("button", name="Announce stake")
    announce.click()
    newest_log_item(page).filter(has_text="bought a 49% non-voting stake in Scale AI").wait_for()
    announce.click()
    page.get_by_text("Meta Platforms already announced a stake in Scale AI this week: Step first.").wait_for()
    for week in (1, 2):
        page.get_by_role("button", name="Step").click()
        week_heading(page, week).wait_for()
        announce.click()
    page.get_by_text(re.compile(r"Refused: Scale AI is already 98% owned .* would pass 100 %")).wait_for()
    page.get_by_role("figure", name=re.compile("rival-owned: Scale AI")).wait_for()
    assert "Meta Platforms 98% non-voting" in page.get_by_role("figure", name=re.compile("^Contract network")).text_content()
    fund = page.get_by_role("button", name="Fund a neutral entrant")
    for _ in range(4):  # four venture funds, one entrant each this week
        fund.click()
        page.wait_for_timeout(300)
    fund.click()
    page.get_by_text("Every fund with capital has already founded an entrant this week: Step first.").wait_for()
    assert shown_week(page) == 2
    dashboard.assert_clean()
