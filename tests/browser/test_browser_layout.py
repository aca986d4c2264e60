"""The page on a projector: 1366 x 768 and 1920 x 1080, and 1366 x 768 at 150 % browser zoom.

The transport controls and the first two charts are in the first screen, no card overlaps another, nothing
sits over the content, chart text is at least 14 px at 1920 x 1080, and zoom still leaves every control in
reach.
"""

import re

import pytest
from dashboard_page import week_heading

pytestmark = pytest.mark.browser

PROJECTORS = [(1366, 768), (1920, 1080)]
TRANSPORT = [("button", "Play"), ("button", "Step"), ("button", "Reset"), ("button", "Info"),
             ("status", "Week counter")]
FIRST_CHARTS = ["Vendor revenue shares", "HHI"]


def inside(box, width, height):
    return box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5 \
        and box["y"] + box["height"] <= height + 0.5


def overlaps(a, b):
    return (a["x"] < b["x"] + b["width"] - 0.5 and b["x"] < a["x"] + a["width"] - 0.5
            and a["y"] < b["y"] + b["height"] - 0.5 and b["y"] < a["y"] + a["height"] - 0.5)


def card_boxes(page):
    return page.evaluate("""() => [...document.querySelectorAll('main .v-card')].map(card => {
        const r = card.getBoundingClientRect();
        return {x: r.x, y: r.y + document.querySelector('main .solara-autorouter-content')?.scrollTop, width: r.width,
                height: r.height, title: card.innerText.split('\\n')[0]}; })""")


def controls_in_view(page, width, height):
    for role, name in TRANSPORT:
        box = page.get_by_role(role, name=name, exact=True).bounding_box()
        assert inside(box, width, height), (name, box)
    speed = page.locator(".v-select", has=page.get_by_text("Speed", exact=True)).bounding_box()
    assert inside(speed, width, height), ("Speed", speed)


def chart_text_px(page):
    """The smallest rendered font size of any text in any chart, in CSS pixels."""
    return page.evaluate("""() => Math.min(...[...document.querySelectorAll('svg[role="img"], svg[role="figure"]')]
        .filter(chart => !chart.closest('.v-dialog'))
        .flatMap(chart => { const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;
            return [...chart.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale); }))""")


@pytest.mark.parametrize("width,height", PROJECTORS)
def test_the_first_screen_holds_the_controls_and_the_main_charts_and_nothing_overlaps(open_dashboard, width, height):
    dashboard = open_dashboard(width, height)
    page = dashboard.page
    controls_in_view(page, width, height)
    for name in FIRST_CHARTS:
        box = page.get_by_role("img", name=re.compile(f"^{name}")).bounding_box()
        assert inside(box, width, height), (name, box)
    boxes = card_boxes(page)
    assert len(boxes) >= 6
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not overlaps(a, b), (a, b)
    assert page.get_by_text("This website runs on Solara").count() == 0
    page.get_by_role("button", name="Step").click()
    week_heading(page, -25).wait_for()
    controls_in_view(page, width, height)
    dashboard.assert_clean()


def test_chart_text_is_at_least_14_px_at_1920(open_dashboard):
    page = open_dashboard(1920, 1080).page
    assert chart_text_px(page) >= 14


def test_controls_stay_in_reach_at_150_percent_zoom(open_dashboard):
    dashboard = open_dashboard(1366, 768, zoom=1.5)
    page = dashboard.page
    width, height = round(1366 / 1.5), round(768 / 1.5)
    controls_in_view(page, width, height)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    boxes = card_boxes(page)
    for i, a in enumerate(boxes):
        assert a["x"] >= 0 and a["x"] + a["width"] <= width + 0.5, a
        for b in boxes[i + 1:]:
            assert not overlaps(a, b), (a, b)
    page.get_by_role("button", name="Step").click()
    week_heading(page, -25).wait_for()
    dashboard.assert_clean()
