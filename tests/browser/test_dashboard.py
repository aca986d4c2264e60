"""The served dashboard in a real browser (stand-in page until the market model lands)."""

import pytest

pytestmark = pytest.mark.browser


def test_page_loads_offline(dashboard):
    dashboard.page.get_by_text("Week 0: 0 heads").wait_for()
    dashboard.assert_clean()


def test_step_advances_the_week(dashboard):
    dashboard.page.get_by_role("button", name="Reset").click()
    dashboard.page.get_by_role("button", name="Step").click()
    dashboard.page.get_by_text("Week 1:").wait_for()
    dashboard.assert_clean()
